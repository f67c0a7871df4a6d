"""The Russian and Korean catalogues, compiled for these tests (the .mo files are never committed)."""

from __future__ import annotations

from pathlib import Path

import polib
import pytest

import refuge

LOCALE = Path(refuge.__file__).parent / "locale"
LANGUAGES = ("ru", "ko")


def catalogue(lang: str) -> polib.POFile:
    return polib.pofile(str(LOCALE / lang / "LC_MESSAGES" / "django.po"))


@pytest.fixture(scope="session", autouse=True)
def _compiled_catalogues() -> None:
    """`make messages` compiles them for the server; a bare pytest run gets them here (when stale)."""
    for lang in LANGUAGES:
        po = LOCALE / lang / "LC_MESSAGES" / "django.po"
        mo = po.with_suffix(".mo")
        if not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
            polib.pofile(str(po)).save_as_mofile(str(mo))

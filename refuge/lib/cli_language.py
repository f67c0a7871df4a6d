"""The language of the `refuge` command's messages for people, picked from the environment as CLI tools do.

`REFUGE_LANGUAGE` first (`ru`, `ko`, `en`), else the POSIX locale variables in their order of
precedence, LC_ALL, LC_MESSAGES, LANG (`ru_RU.UTF-8` → ru, `ko_KR.UTF-8` → ko); a language Refuge has
no catalogue for (`C`, `POSIX`, `de_DE`) means English. refuge/cli.py activates it for Django's
commands; the commands that run without Django (`refuge check`, `refuge calendars`) read the same
compiled catalogues through the standard library (`cli_gettext`). Machine-readable output (JSON,
CSV, reports, exit statuses) never depends on it.
"""

from __future__ import annotations

import gettext
import os
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Final

LANGUAGES: Final = ("en", "ru", "ko")
LOCALE: Final = Path(__file__).resolve().parent.parent / "locale"
DEFAULT: Final = "en"


def language_from_environment(environ: Mapping[str, str] | None = None) -> str:
    """`ru`, `ko` or `en`, from REFUGE_LANGUAGE, else LC_ALL, LC_MESSAGES, LANG (the first one set)."""
    env = os.environ if environ is None else environ
    for name in ("REFUGE_LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = env.get(name, "").strip()
        if value:
            code = value.split(".", 1)[0].split("@", 1)[0].replace("-", "_").split("_", 1)[0].lower()
            return code if code in LANGUAGES else DEFAULT
    return DEFAULT


@cache
def _catalogue(language: str) -> gettext.NullTranslations:
    # The compiled catalogues (`make messages`); without them, English.
    return gettext.translation("django", localedir=LOCALE, languages=[language], fallback=True)


def cli_gettext(message: str) -> str:
    """`message` in the environment's language, for the commands that run without Django."""
    return _catalogue(language_from_environment()).gettext(message)

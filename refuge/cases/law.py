"""Words for what the law engine reports: every code's label and explanation come from the rule packs."""

from __future__ import annotations

from datetime import datetime
from functools import cache
from pathlib import Path

import yaml
from django.utils.translation import get_language, gettext, gettext_noop

from refuge.cases.recompute import packs
from refuge.lib import humantime
from refuge.rules.model import Label

LOCALE = Path(__file__).resolve().parent.parent / "locale"

NOTIFY_LABELS = {
    "executing_authority": gettext_noop("the executing authority (bailiffs, migration service)"),
    "detention_centre": gettext_noop("the detention centre"),
    "forum_registry": gettext_noop("the forum's registry"),
    "border_service": gettext_noop("the border service"),
    "court": gettext_noop("the court"),
    "migration_service": gettext_noop("the migration service"),
    "prosecutor": gettext_noop("the prosecutor's office"),
}

DEADLINE_STATUS_LABELS = {
    "open": gettext_noop("open"),
    "met": gettext_noop("met"),
    "missed": gettext_noop("missed"),
    "cancelled": gettext_noop("cancelled"),
}


MILESTONE_STATUS_LABELS = {
    "expected": gettext_noop("expected"),
    "pending_appeal": gettext_noop("pending appeal"),
    "final": gettext_noop("final"),
    "reached": gettext_noop("reached"),
}

REMOVAL_STATUS_LABELS = {
    "scheduled": gettext_noop("scheduled"),
    "cancelled": gettext_noop("cancelled"),
    "executed": gettext_noop("carried out"),
    "replaced": gettext_noop("rescheduled"),
}


def words(code: str) -> Label | None:
    """The packs' words for a code (refuge.rules.packs, ``labels``), if they have them.

    In the reader's language where refuge/locale/<lang>/labels.yaml has them (display only: the
    engine's report and the alerts, written in the server's language, keep the packs' English).
    """
    found = packs().label(code)
    if found is None:
        return None
    return translated_labels((get_language() or "en").split("-")[0]).get(code, found)


def basis_text(text: str) -> str:
    """A rule's legal basis in the reader's language (refuge/locale/<lang>/bases.yaml), else as the pack says it."""
    return translated_bases((get_language() or "en").split("-")[0]).get(text.strip(), text)


@cache
def translated_bases(lang: str) -> dict[str, str]:
    """The packs' legal bases in ``lang``, by their English text; none for English."""
    path = LOCALE / lang / "bases.yaml"
    if not path.is_file():
        return {}
    return {str(en): str(text) for en, text in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).items()}


@cache
def translated_labels(lang: str) -> dict[str, Label]:
    """The packs' labels in ``lang`` (refuge/locale/<lang>/labels.yaml); none for English."""
    path = LOCALE / lang / "labels.yaml"
    if not path.is_file():
        return {}
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return {code: Label(str(w["label"]), str(w["explanation"])) for code, w in data.items()}


def label(code: str) -> str:
    """A code's label from the packs; else the code made readable (never shown bare)."""
    found = words(code) if code else None
    return found.label if found is not None else code.replace("_", " ").replace(".", " ").capitalize()


def explanation(code: str) -> str:
    found = words(code) if code else None
    return found.explanation if found is not None else ""


def forum_label(forum: str) -> str:
    return label(forum)


def deadline_label(kind: str) -> str:
    return label(kind)


def conflict_label(kind: str) -> str:
    return label(kind)


def milestone_label(kind: str) -> str:
    return label(kind)


def countdown(due: datetime, now: datetime) -> str:
    """'in 2 d 5 h', 'in 40 min', 'overdue by 3 d' — coarse, for people under pressure."""
    return humantime.relative(due, now, past=gettext("overdue by {}"))

"""The event vocabulary of CASEFILE.md, shared by the schema, the engine, forms and imports.

Each attribute has a kind:
- ``enum:<name>``: one of ENUMS[name];
- ``event``: the id of another event in the same case;
- ``date``: YYYY-MM-DD; ``datetime``: ISO 8601 with offset;
- ``datetime?``: a date-time or null; ``country``: ISO 3166-1 alpha-2;
- ``country?``: a country or null; ``language``: an ISO 639 code (``ru``, ``ko``); ``bool``; ``text``.
Required attributes are listed in REQUIRED.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Final

FORMAT: Final = "refuge.case/1"
CHECK_FORMAT: Final = "refuge.check/1"

ENUMS: Final[dict[str, tuple[str, ...]]] = {
    "detention_basis": ("administrative", "deportation", "readmission", "extradition", "criminal"),
    "decision": (
        "expulsion",
        "deportation",
        "readmission",
        "extradition",
        "refugee_refusal",
        "temporary_asylum_refusal",
    ),
    "detention": ("none", "foreigners_centre"),
    "outcome": ("upheld", "quashed", "remitted"),
    "asylum_kind": ("refugee_status", "temporary_asylum"),
    "forum": ("echr", "un_cat", "un_hrc"),
}

EVENT_TYPES: Final[dict[str, dict[str, str]]] = {
    "detention_started": {"basis": "enum:detention_basis", "place": "text"},
    "detention_ordered": {"term_until": "date"},
    "detention_extended": {"term_until": "date"},
    "released": {},
    "decision_issued": {"decision": "enum:decision", "detention": "enum:detention", "authority": "text"},
    "decision_received": {"decision_event": "event"},
    "appeal_lodged": {"decision_event": "event"},
    "appeal_decided": {"decision_event": "event", "outcome": "enum:outcome"},
    "final_domestic_decision": {"decision_event": "event"},
    "removal_scheduled": {"removal_at": "datetime", "destination": "country", "replaces": "event"},
    "removal_cancelled": {"removal_event": "event"},
    "removal_executed": {"removal_event": "event"},
    "asylum_applied": {"kind": "enum:asylum_kind"},
    "asylum_refusal_received": {"kind": "enum:asylum_kind"},
    "asylum_appeal_rejected_received": {"kind": "enum:asylum_kind"},
    "asylum_granted": {"kind": "enum:asylum_kind", "until": "date"},
    "interim_measure_requested": {"forum": "enum:forum", "destination": "country?", "extends": "event"},
    "interim_measure_granted": {"forum": "enum:forum", "until": "datetime?", "destination": "country?"},
    "interim_measure_refused": {"forum": "enum:forum"},
    "interim_measure_lifted": {"forum": "enum:forum"},
    "application_lodged": {"forum": "enum:forum"},
    "forum_deadline_set": {"forum": "enum:forum", "due": "date"},
    "document_signed": {"language": "language", "interpreter": "bool", "counsel": "bool"},
    "consular_contact": {"country": "country"},
    "travel_document_issued": {"country": "country"},
    "lawyer_access_denied": {},
}

# Every event may carry these, whatever its type: where the fact comes from, and free text.
# They travel in the case file (export -> import is lossless); at rest they are vault-encrypted.
COMMON_EVENT_ATTRIBUTES: Final[dict[str, str]] = {"source": "text", "note": "text"}

# The free-text attributes of each event type (a place, an authority's name): like source and
# note they can identify the client, so at rest they are vault-encrypted, and the engine's view of
# a case (made without the vault's key) leaves them out. The engine reads none of them.
TEXT_ATTRIBUTES: Final[dict[str, frozenset[str]]] = {
    event_type: frozenset(name for name, kind in kinds.items() if kind == "text")
    for event_type, kinds in EVENT_TYPES.items()
}

# The free-text attribute that names an institution of the authority directory, by event type.
AUTHORITY_ATTRIBUTES: Final[dict[str, str]] = {"decision_issued": "authority", "detention_started": "place"}


def split_text_attributes(
    event_type: str, attributes: dict[str, object], leave_out: Collection[str] = ()
) -> tuple[dict[str, object], dict[str, object]]:
    """(the attributes the engine reads, the free-text ones) of one event's attributes, in one pass;
    `leave_out`: keys that are neither (a case file's event: EVENT_FIELDS, read apart)."""
    text_names = TEXT_ATTRIBUTES.get(event_type, frozenset())
    engine: dict[str, object] = {}
    text: dict[str, object] = {}
    for key, value in attributes.items():
        if key in leave_out:
            continue
        if key in text_names:
            text[key] = value
        else:
            engine[key] = value
    return engine, text


# The keys of a case file's event that are not attributes: its id, type and time, and the common ones.
EVENT_FIELDS: Final[frozenset[str]] = frozenset({"id", "type", "at", *COMMON_EVENT_ATTRIBUTES})

REQUIRED: Final[dict[str, tuple[str, ...]]] = {
    "detention_started": ("basis",),
    "detention_ordered": (),
    "detention_extended": ("term_until",),
    "decision_issued": ("decision",),
    "decision_received": ("decision_event",),
    "appeal_lodged": ("decision_event",),
    "appeal_decided": ("decision_event", "outcome"),
    "removal_scheduled": ("removal_at",),
    "removal_cancelled": ("removal_event",),
    "removal_executed": ("removal_event",),
    "asylum_applied": ("kind",),
    "asylum_refusal_received": ("kind",),
    "asylum_appeal_rejected_received": ("kind",),
    "asylum_granted": ("kind",),
    "interim_measure_requested": ("forum",),
    "interim_measure_granted": ("forum",),
    "interim_measure_refused": ("forum",),
    "interim_measure_lifted": ("forum",),
    "application_lodged": ("forum",),
    "forum_deadline_set": ("forum", "due"),
    "document_signed": ("language",),
    "consular_contact": ("country",),
    "travel_document_issued": ("country",),
}

def gettext_noop(text: str) -> str:
    """Marks a word for the translation catalogues (makemessages); pages translate it where they show it."""
    return text


EVENT_LABELS: Final[dict[str, str]] = {
    "detention_started": gettext_noop("Detention started"),
    "detention_ordered": gettext_noop("Court detention order"),
    "detention_extended": gettext_noop("Detention extended"),
    "released": gettext_noop("Released"),
    "decision_issued": gettext_noop("Decision issued"),
    "decision_received": gettext_noop("Decision received"),
    "appeal_lodged": gettext_noop("Appeal lodged"),
    "appeal_decided": gettext_noop("Appeal decided"),
    "final_domestic_decision": gettext_noop("Final domestic decision"),
    "removal_scheduled": gettext_noop("Removal scheduled"),
    "removal_cancelled": gettext_noop("Removal cancelled"),
    "removal_executed": gettext_noop("Removal executed"),
    "asylum_applied": gettext_noop("Asylum applied for"),
    "asylum_refusal_received": gettext_noop("Asylum refusal received"),
    "asylum_appeal_rejected_received": gettext_noop("Asylum appeal rejected (notice received)"),
    "asylum_granted": gettext_noop("Asylum granted"),
    "interim_measure_requested": gettext_noop("Interim measure requested"),
    "interim_measure_granted": gettext_noop("Interim measure granted"),
    "interim_measure_refused": gettext_noop("Interim measure refused"),
    "interim_measure_lifted": gettext_noop("Interim measure lifted"),
    "application_lodged": gettext_noop("Application lodged"),
    "forum_deadline_set": gettext_noop("Deadline set by forum"),
    "document_signed": gettext_noop("Document signed by client"),
    "consular_contact": gettext_noop("Consular contact"),
    "travel_document_issued": gettext_noop("Travel document issued"),
    "lawyer_access_denied": gettext_noop("Lawyer access denied"),
}

FORUM_LABELS: Final[dict[str, str]] = {
    "echr": "European Court of Human Rights",
    "un_cat": "UN Committee against Torture",
    "un_hrc": "UN Human Rights Committee",
}

SCRIPTS: Final[tuple[str, ...]] = ("Latn", "Cyrl", "Hang", "Arab", "Hani", "Geor", "Armn", "Deva", "Other")

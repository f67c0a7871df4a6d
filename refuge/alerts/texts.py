"""An alert in words, in the reader's language, from what it is about (Alert.facts).

An alert is stored once for all its recipients, so it keeps no sentence: `facts` holds what it is
about in language-free form (the deadline's or conflict's code, the rule, the pack's legal basis,
the event keys, instants in ISO 8601, case references; never a client's name or identity), and
the subject and body are composed when they are read, in the active language: the page's on a
page, the recipient's for an e-mail or webhook (refuge.alerts.message), the feed owner's in a
calendar. Law words come from the packs' labels (refuge.cases.law), dates from refuge.lib.humantime.

An alert stored before `facts` existed has none: its subject and body, written in English when it
was raised, are shown as they are (`Alert.subject` and `Alert.body` are still written for every
alert, in the server's language, as that record).

This module reads no model: the alert's kind is compared by its stored value.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop, pgettext

from refuge.cases import law
from refuge.cases.derived import Severity
from refuge.cases.law import DEADLINE_STATUS_LABELS, NOTIFY_LABELS
from refuge.cases.removals import protection_words
from refuge.lib import humantime

if TYPE_CHECKING:
    from refuge.cases.models import Case

# Why the engine recomputed a case (refuge.cases.recompute's causes), as an alert's body says it.
CAUSE_LABELS = {
    "event_added": gettext_noop("event added"),
    "event_changed": gettext_noop("event changed"),
    "event_deleted": gettext_noop("event deleted"),
    "person_changed": gettext_noop("client's details changed"),
    "filing_sent": gettext_noop("filing sent"),
    "clock": gettext_noop("time passed"),
    "recompute": gettext_noop("recomputed"),
    "import": gettext_noop("case imported"),
    "demo": gettext_noop("demonstration data"),
}

UNSEAL_FAILED = "unseal_failed"
CALENDAR_UNCONFIRMED = "calendar_unconfirmed"


class Told(Protocol):
    """What composing needs of an alert (refuge.alerts.models.Alert)."""

    kind: str
    facts: Any
    subject: str
    body: str

    @property
    def case(self) -> Case | None: ...


def _zone(alert: Told) -> str:
    return alert.case.timezone if alert.case is not None else settings.REFUGE_DIGEST_TIMEZONE


def _moment(value: object, zone: str, now: datetime | None) -> str:
    """An ISO instant as a person reads it on a clock ("" when there is none)."""
    if not isinstance(value, str) or not value:
        return ""
    try:
        return humantime.moment(datetime.fromisoformat(value), zone, now=now or timezone.now())
    except ValueError:
        return value


def _human(value: object, zone: str, now: datetime | None) -> str:
    """An ISO instant with its clock's abbreviation and how far it is."""
    if not isinstance(value, str) or not value:
        return ""
    try:
        return humantime.human(datetime.fromisoformat(value), zone, now=now or timezone.now(), show_relative=True)
    except ValueError:
        return value


def _due(label: str, due: str, with_due: str, without: str) -> str:
    return gettext(with_due) % {"label": label, "due": due} if due else gettext(without) % {"label": label}


def _what(alert: Told, facts: dict[str, Any], now: datetime | None) -> str:  # noqa: PLR0911  # one sentence per kind of alert
    label = law.label(str(facts.get("code", "")))
    due = _moment(facts.get("due_at"), _zone(alert), now)
    kind = alert.kind
    if kind == "conflict_raised":
        return gettext("Conflict: %(label)s") % {"label": label}
    if kind == "conflict_cleared":
        return gettext("Conflict cleared: %(label)s") % {"label": label}
    if kind == "deadline_added":
        return _due(
            label, due, gettext_noop("New deadline: %(label)s due %(due)s"), gettext_noop("New deadline: %(label)s")
        )
    if kind == "deadline_moved":
        return _due(
            label, due, gettext_noop("Deadline moved: %(label)s due %(due)s"), gettext_noop("Deadline moved: %(label)s")
        )
    if kind == "deadline_missed":
        return gettext("Deadline missed: %(label)s") % {"label": label}
    if kind == "deadline_closed":
        status = str(facts.get("status", ""))
        said = gettext(DEADLINE_STATUS_LABELS[status]) if status in DEADLINE_STATUS_LABELS else status
        return gettext("Deadline %(status)s: %(label)s") % {"status": said, "label": label}
    if kind == "deadline_removed":
        return gettext("Deadline no longer applies: %(label)s") % {"label": label}
    if kind == "reminder":
        when = _human(facts.get("due_at"), _zone(alert), now)
        return _due(label, when, gettext_noop("Reminder: %(label)s due %(due)s"), gettext_noop("Reminder: %(label)s"))
    return ""


# How a sentence is made: `_compose` makes it each time; a `Composer` makes each distinct one once.
Once = Callable[[tuple[Any, ...], Callable[[], str]], str]


def _compose(_key: tuple[Any, ...], make: Callable[[], str]) -> str:
    return make()


def subject(alert: Told, *, now: datetime | None = None, once: Once = _compose) -> str:
    """The alert's subject in the active language (the stored English one for an alert without facts).

    Distances ("in 3 d") are counted from `now`: the moment it is read, or raised for its record.
    """
    facts = alert.facts if isinstance(alert.facts, dict) else {}
    if not facts:
        return alert.subject
    if alert.kind == "digest":
        return gettext("Your next %(days)s days (%(day)s)") % {
            "days": facts.get("days", 7),
            "day": facts.get("day", ""),
        }
    if alert.kind == "system":
        return _system_subject(facts)
    # What _what reads, and nothing else: the same key, the same sentence.
    key = ("what", alert.kind, _zone(alert), now, facts.get("code"), facts.get("due_at"), facts.get("status"))
    what = once(key, lambda: _what(alert, facts, now))
    return f"{alert.case.reference}: {what}" if alert.case is not None else what


def body(alert: Told, *, now: datetime | None = None, once: Once = _compose) -> str:
    """The alert's body in the active language (the stored English one for an alert without facts)."""
    facts = alert.facts if isinstance(alert.facts, dict) else {}
    if not facts:
        return alert.body
    if alert.kind == "digest":
        return "\n".join(_digest_line(item, now) for item in facts.get("items", []))
    if alert.kind == "system":
        return _system_body(facts)
    return "\n".join(_case_lines(facts, _zone(alert), now, once))


class Composer:
    """`subject` and `body` for many alerts read in one language at one moment (a batch of imported
    cases): each distinct sentence or line is composed once and then reused, not composed per alert.
    A line is keyed by everything it reads; only keys of texts, instants and None are kept (1, True
    and 1.0 are equal keys but not the same words), anything else is composed each time."""

    def __init__(self, now: datetime) -> None:
        self.now = now
        self._made: dict[tuple[Any, ...], str] = {}

    def _once(self, key: tuple[Any, ...], make: Callable[[], str]) -> str:
        if not all(_plain(part) for part in key):
            return make()
        made = self._made.get(key)
        if made is None:
            made = self._made[key] = make()
        return made

    def subject(self, alert: Told) -> str:
        return subject(alert, now=self.now, once=self._once)

    def body(self, alert: Told) -> str:
        return body(alert, now=self.now, once=self._once)


def _plain(part: object) -> bool:
    if type(part) is tuple:
        return all(isinstance(item, str) for item in part)
    return part is None or isinstance(part, str | datetime)


def _frozen(value: object) -> object:
    return tuple(value) if isinstance(value, list) else value


def _case_lines(facts: dict[str, Any], zone: str, now: datetime | None, once: Once = _compose) -> list[str]:
    """What happened and on what basis: event keys, rule and legal texts, never a name."""
    lines = []
    cause = str(facts.get("cause", ""))
    if facts.get("cause_event"):
        said = gettext(CAUSE_LABELS[cause]) if cause in CAUSE_LABELS else cause.replace("_", " ")
        lines.append(gettext("Caused by event %(event)s (%(cause)s).") % {"event": facts["cause_event"], "cause": said})
    if facts.get("was_due"):
        lines.append(gettext("Was due %(when)s.") % {"when": _moment(facts["was_due"], zone, now)})
    if facts.get("rule"):
        rule, rule_basis = facts["rule"], facts.get("rule_basis", "")
        lines.append(
            once(("rule", rule, rule_basis), lambda: f"{law.label(str(rule))}: {law.basis_text(str(rule_basis))}")
        )
    if facts.get("events"):
        lines.append(gettext("Events: %(events)s.") % {"events": ", ".join(map(str, facts["events"]))})
    if facts.get("basis"):
        basis = facts["basis"]
        lines.append(
            once(("basis", basis), lambda: gettext("Basis: %(basis)s") % {"basis": law.basis_text(str(basis))})
        )
    if facts.get("notify"):
        lines.append(once(("notify", _frozen(facts["notify"])), lambda: _notify_line(facts["notify"])))
    if facts.get("flags"):
        lines.append(once(("flags", _frozen(facts["flags"])), lambda: _flags_line(facts["flags"])))
    return lines


def _notify_line(notify: list[Any]) -> str:
    whom = "; ".join(gettext(NOTIFY_LABELS[n]) if n in NOTIFY_LABELS else str(n).replace("_", " ") for n in notify)
    return gettext("Notify: %(whom)s.") % {"whom": whom}


def _flags_line(flags: list[Any]) -> str:
    listed = "; ".join(f"{law.label(str(f))} ({law.explanation(str(f))})" for f in flags)
    return gettext("To check: %(flags)s") % {"flags": listed}


def _digest_line(item: dict[str, Any], now: datetime | None) -> str:
    zone = str(item.get("zone") or settings.REFUGE_DIGEST_TIMEZONE)
    ref = item.get("case", "")
    if item.get("type") == "removal":
        protection = protection_words(item.get("protected"), item.get("protected_by"), zone, now=now)
        removal = pgettext("digest", "REMOVAL")
        what = gettext("Removal — %(protection)s") % {"protection": protection}
        return f"- {removal} {_human(item.get('at'), zone, now)} {ref}: {what}"
    if item.get("type") == "conflict":
        severity = str(item.get("severity", ""))
        said = Severity(severity).label if severity in Severity.values else severity
        return f"- {str(said).upper()} {ref}: {law.label(str(item.get('code', '')))}"
    return f"- {_human(item.get('at'), zone, now)} {ref}: {law.label(str(item.get('code', '')))}"


def _system_subject(facts: dict[str, Any]) -> str:
    if facts.get("system") == UNSEAL_FAILED:
        return gettext("Failed attempt to unseal the vault (%(count)s so far)") % {"count": facts.get("count", 0)}
    if facts.get("system") == CALENDAR_UNCONFIRMED:
        return gettext("Deadlines counted on a calendar not yet decreed: %(years)s") % {
            "years": ", ".join(map(str, facts.get("years", [])))
        }
    return ""


def _system_body(facts: dict[str, Any]) -> str:
    if facts.get("system") == UNSEAL_FAILED:
        return gettext(
            "Someone offered a wrong passphrase or share to unseal Refuge's vault. If it was not one "
            "of you, treat the server as under attack: see the audit log (vault entries)."
        )
    if facts.get("system") == CALENDAR_UNCONFIRMED:
        return gettext(
            "Open deadlines in %(cases)s case(s) are counted across %(years)s, for which this server's "
            "public-holiday data (%(version)s) holds no government decree on days off yet. They carry "
            "CALENDAR_UNCONFIRMED and show a safe date first: file by it. Once the decree is published, "
            "have the %(package)s package upgraded to a release that carries it (refuge calendars shows the data), "
            "then run refuge recompute --all."
        ) % {
            "cases": facts.get("cases", 0),
            "years": ", ".join(map(str, facts.get("years", []))),
            "version": facts.get("version", ""),
            "package": "holidays",  # the Python package's name
        }
    return ""

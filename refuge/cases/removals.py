"""Removals as the pages, the feeds and the digest show them: when, where to, and whether the
engine reads the client as protected.

Each removal comes from the case's last check report (``report["removals"]``, written by
refuge.rules): its status, whether it is protected, by what, and what to file now. Nothing here
decides whether a removal is live or a measure is in force (DESIGN: only refuge.rules does). A
report made before the engine wrote ``removals`` gives none; then the removals are read from the
timeline's own removal events, their status from the events that cancel or record them, and their
protection is left unknown (``protected is None``): the page says so rather than guess.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import get_language, gettext, gettext_lazy

from refuge.cases.derived import CaseCheck
from refuge.cases.law import deadline_label
from refuge.cases.models import Event
from refuge.lib import countries, humantime

if TYPE_CHECKING:
    from collections.abc import Iterable

    from django.db.models import QuerySet

    from refuge.cases.models import Case

ALARMS = (timedelta(hours=72), timedelta(hours=24), timedelta(hours=6))  # before a removal, in feeds
SCHEDULED = "scheduled"
REMOVAL_EVENTS = ("removal_scheduled", "removal_cancelled", "removal_executed")


@dataclass(frozen=True)
class Removal:
    case: Case
    event: str
    removal_at: datetime
    destination: str | None
    status: str  # scheduled | cancelled | executed | replaced
    protected: bool | None  # None: the report does not say
    protected_by: dict[str, Any] | None = None
    file_now: tuple[str, ...] = field(default_factory=tuple)

    @property
    def destination_name(self) -> str:
        return countries.name(self.destination, get_language() or "en") if self.destination else gettext("any country")

    @property
    def live(self) -> bool:
        return self.status == SCHEDULED

    def when(self) -> str:
        """'Tue 8 Dec, 06:00 MSK' on the case's clock."""
        return humantime.moment(self.removal_at, self.case.timezone, now=timezone.now())

    def countdown(self, now: datetime) -> str:
        return humantime.relative(self.removal_at, now, past=gettext("{} ago"))

    def protection(self) -> str:
        """What the engine says of this removal's protection, in words."""
        if self.protected is None:
            return gettext("protection not assessed by the engine")
        if not self.protected:
            return gettext("not protected")
        by = self.protected_by or {}
        forum = by.get("forum")
        words = gettext("protected")
        if forum:
            words += " " + gettext("by %(forum)s's interim measure") % {"forum": _forum_label(str(forum))}
        until = by.get("until")
        if until:
            ends = datetime.fromisoformat(str(until))
            moment = humantime.moment(ends, self.case.timezone, now=timezone.now())
            words += " " + gettext("until %(moment)s") % {"moment": moment}
        return words

    def file_now_labels(self) -> list[str]:
        return [deadline_label(kind) for kind in self.file_now]


FORUM_NAMES = {
    "echr": gettext_lazy("the ECtHR"),
    "un_cat": gettext_lazy("the UN CAT"),
    "un_hrc": gettext_lazy("the UN Human Rights Committee"),
}


def _forum_label(forum: str) -> str:
    return str(FORUM_NAMES.get(forum, forum.replace("_", " ")))


def _from_report(case: Case, report: dict[str, Any]) -> list[Removal]:
    out = []
    for item in report.get("removals", []):
        try:
            at = datetime.fromisoformat(str(item["removal_at"]))
        except (KeyError, ValueError):
            continue
        out.append(
            Removal(
                case=case,
                event=str(item.get("event", "")),
                removal_at=at,
                destination=item.get("destination"),
                status=str(item.get("status", SCHEDULED)),
                protected=bool(item["protected"]) if "protected" in item else None,
                protected_by=item.get("protected_by"),
                file_now=tuple(item.get("file_now") or ()),
            )
        )
    return out


def _from_events(case: Case, events: Iterable[Event]) -> list[Removal]:
    """Before the engine reported removals: the timeline's removal events, protection unknown."""
    events = list(events)
    ended: dict[str, str] = {}
    for e in events:
        if e.type in ("removal_cancelled", "removal_executed"):
            ended[str(e.attributes.get("removal_event"))] = e.type.removeprefix("removal_")
    out = []
    for e in events:
        if e.type != "removal_scheduled" or not e.attributes.get("removal_at"):
            continue
        try:
            at = datetime.fromisoformat(str(e.attributes["removal_at"]))
        except ValueError:
            continue
        out.append(
            Removal(
                case=case,
                event=e.key,
                removal_at=at,
                destination=e.attributes.get("destination"),
                status=ended.get(e.key, SCHEDULED),
                protected=None,
            )
        )
    return out


def removals_of(case: Case, report: dict[str, Any] | None, events: Iterable[Event] | None = None) -> list[Removal]:
    """A case's removals, soonest first."""
    if report is not None and "removals" in report:
        found = _from_report(case, report)
    else:
        found = _from_events(case, events if events is not None else case.events.all())
    return sorted(found, key=lambda r: r.removal_at)


def next_removal(removals: Iterable[Removal], now: datetime) -> Removal | None:
    """The first scheduled removal still ahead."""
    return next((r for r in removals if r.live and r.removal_at >= now), None)


def upcoming(cases: QuerySet[Case], now: datetime, *, within: timedelta | None = None) -> list[Removal]:
    """The next removal of each of these cases that has one ahead (within ``within``), soonest first.

    Only cases with a removal event are read (one indexed query on the event type), then their
    reports: a bounded read even for an organisation-wide list.
    """
    # Removals whose date is more than a day gone are history: their ISO strings sort before this
    # bound whatever their offset (offsets are at most 14 hours): the database drops them before any
    # report is read.
    recent = (now - timedelta(days=1)).isoformat()
    with_removals = Event.objects.filter(
        case__in=cases, type="removal_scheduled", attributes__removal_at__gte=recent
    ).values("case_id")
    removal_events = Event.objects.filter(type__in=REMOVAL_EVENTS)  # for reports without `removals`
    checks = (
        CaseCheck.objects.filter(case_id__in=with_removals)
        .select_related("case")
        .prefetch_related(Prefetch("case__events", queryset=removal_events))
    )
    found = []
    for check in checks:
        removal = next_removal(removals_of(check.case, check.report), now)
        if removal is not None and (within is None or removal.removal_at <= now + within):
            found.append(removal)
    return sorted(found, key=lambda r: r.removal_at)

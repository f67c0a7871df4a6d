"""Removals as the pages, the feeds and the digest show them: when, where to, and whether the
engine reads the client as protected.

Each removal comes from the case's last check report (``report["removals"]``, written by
refuge.rules): its status, whether it is protected, by what, and what to file now. The report is
the only source: `reported_removals` is the one reader of it, for the countdowns here and for the
protection panel (refuge.cases.protection). Nothing here decides whether a removal is live or a
measure is in force (DESIGN: only refuge.rules does); where the report does not say whether a
removal is protected (``protected is None``), the page says so rather than guess.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.db.models.fields.json import KeyTransform
from django.utils import timezone
from django.utils.translation import get_language, gettext, gettext_lazy

from refuge.cases.derived import CaseCheck
from refuge.cases.law import deadline_label
from refuge.cases.models import Event
from refuge.lib import countries, humantime

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

    from django.db.models import QuerySet

    from refuge.cases.models import Case


def protection_words(
    protected: bool | None, by: Mapping[str, Any] | None, zone: str, *, now: datetime | None = None
) -> str:
    """A removal's protection in the reader's language, from the report's words (and kept in the digest's alerts)."""
    if protected is None:
        return gettext("protection not assessed by the engine")
    if not protected:
        return gettext("not protected")
    by = by or {}
    forum = by.get("forum")
    words = gettext("protected")
    if forum:
        words += " " + gettext("by %(forum)s's interim measure") % {"forum": _forum_label(str(forum))}
    until = by.get("until")
    if until:
        ends = datetime.fromisoformat(str(until))
        moment = humantime.moment(ends, zone, now=now or timezone.now())
        words += " " + gettext("until %(moment)s") % {"moment": moment}
    return words


ALARMS = (timedelta(hours=72), timedelta(hours=24), timedelta(hours=6))  # before a removal, in feeds
SCHEDULED = "scheduled"


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
        return protection_words(self.protected, self.protected_by, self.case.timezone)

    def file_now_labels(self) -> list[str]:
        return [deadline_label(kind) for kind in self.file_now]


FORUM_NAMES = {
    "echr": gettext_lazy("the ECtHR"),
    "un_cat": gettext_lazy("the UN CAT"),
    "un_hrc": gettext_lazy("the UN Human Rights Committee"),
}


def _forum_label(forum: str) -> str:
    return str(FORUM_NAMES.get(forum, forum.replace("_", " ")))


@dataclass(frozen=True)
class Reported:
    """One removal as the engine's report states it (an item of refuge.check/1 `removals`)."""

    event: str
    removal_at: datetime
    destination: str | None
    status: str  # scheduled | cancelled | executed | replaced
    protected: bool | None  # None: the report does not say
    protected_by: dict[str, Any] | None
    file_now: tuple[str, ...]


def instant(value: Any) -> datetime | None:
    """An ISO 8601 instant of the report, or None when it is missing or not one."""
    if not isinstance(value, str) or not value:
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None


def reported_removals(report: Mapping[str, Any] | None) -> list[Reported]:
    """The removals of a check report, as written (items without a readable date are left out)."""
    out = []
    for item in (report or {}).get("removals", []):
        at = instant(item.get("removal_at"))
        if at is None:
            continue
        by = item.get("protected_by")
        out.append(
            Reported(
                event=str(item.get("event", "")),
                removal_at=at,
                destination=item.get("destination"),
                status=str(item.get("status", SCHEDULED)),
                protected=bool(item["protected"]) if "protected" in item else None,
                protected_by=by if isinstance(by, dict) else None,
                file_now=tuple(str(kind) for kind in item.get("file_now") or ()),
            )
        )
    return out


def removals_of(case: Case, report: Mapping[str, Any] | None) -> list[Removal]:
    """A case's removals, soonest first."""
    found = [
        Removal(
            case=case,
            event=r.event,
            removal_at=r.removal_at,
            destination=r.destination,
            status=r.status,
            protected=r.protected,
            protected_by=r.protected_by,
            file_now=r.file_now,
        )
        for r in reported_removals(report)
    ]
    return sorted(found, key=lambda r: r.removal_at)


def next_removal(removals: Iterable[Removal], now: datetime) -> Removal | None:
    """The first scheduled removal still ahead."""
    return next((r for r in removals if r.live and r.removal_at >= now), None)


def upcoming(
    cases: QuerySet[Case] | Iterable[int], now: datetime, *, within: timedelta | None = None
) -> list[Removal]:
    """The next removal of each of these cases (or cases of these ids: a list, refuge.lib.ids.Ids)
    that has one ahead (within ``within``), soonest first.

    Only cases with a removal event are read (one indexed query on the event type), then their
    reports: a bounded read even for an organisation-wide list.
    """
    # Removals whose date is more than a day gone are history: their ISO strings sort before this
    # bound whatever their offset (offsets are at most 14 hours): the database drops them before any
    # report is read.
    recent = (now - timedelta(days=1)).isoformat()
    with_removals = Event.objects.filter(
        case_id__in=cases, type="removal_scheduled", attributes__removal_at__gte=recent
    ).values("case_id")
    # Of each report only its removals, taken out by the database: the rest of a report (~3 KB of
    # JSON a case) is not decoded nor made into a model's fields for each of a list's cases.
    checks = (
        CaseCheck.objects.filter(case_id__in=with_removals)
        .select_related("case")
        .only("id", "case")
        .annotate(removals=KeyTransform("removals", "report"))
    )
    found = []
    for check in checks:
        removal = next_removal(removals_of(check.case, {"removals": check.removals or []}), now)
        if removal is not None and (within is None or removal.removal_at <= now + within):
            found.append(removal)
    return sorted(found, key=lambda r: r.removal_at)

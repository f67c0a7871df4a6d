"""The `authority_not_notified` conflict: a measure is in force and someone who could remove him has not heard.

Once an interim measure is granted, the lawyer must notify every authority that could carry out
the removal and keep proof of it (DESIGN.md, step 3). The engine cannot see the notification log
(it is not part of the case file), so this is a conflict provider (refuge.hooks.CASE_CONFLICTS, subscribed in
refuge/wiring/subscribers.py), called in every recomputation of a case.

Readings (chosen here, to be confirmed by a lawyer):

- **Executing authority in the case**: an entry of the organisation's authority directory whose
  kind is court, bailiffs, migration service, detention centre or border service, and that the
  case names: the authority of one of its proceedings; the `authority` of a `decision_issued`
  event, or the `place` of a `detention_started` event, when it is a directory entry's exact name
  (letter case and surrounding spaces aside: matched when the event or the entry is saved, with
  the vault open, and kept as the event's `authority` link, so this check reads no text and runs
  while sealed); or an authority the case's notification log has already reached (whoever
  was told of one measure must be told of the next). International bodies, prosecutors and
  asylum authorities are not executing authorities.
- **Measure in force**: as the engine reads it (refuge.rules.timeline): granted, not lifted,
  `until` (if any) not passed, and by a forum that covers the act.
- **Notified**: the log holds a sending to that authority at or after the grant's instant.

The conflict (severity high) is raised for a measure when 24 hours have passed since its grant and
at least one executing authority is not notified; it names the measure's event, and lists in
`notify` the roles of the authorities still waiting. Before the 24 hours are up, the provider asks
to be asked again at grant + 24 h (`recheck_at`), so the conflict appears with no event added.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.db.models import Q

from refuge.cases.models import Authority, AuthorityKind, Event
from refuge.cases.recompute import case_timeline
from refuge.filings.kinds import UPDATE_KINDS
from refuge.filings.models import Sending
from refuge.hooks import ProvidedConflicts

if TYPE_CHECKING:
    from refuge.cases.models import Case

KIND = "authority_not_notified"
SEVERITY = "high"
RULE = "filings.authority_not_notified"
WINDOW = timedelta(hours=24)
BASIS = (
    "An interim measure binds every authority that could carry out the removal; each must be told of it "
    "at once, with proof kept (removal despite a measure violates ECHR art. 34: Mamatkulov and Askarov v "
    "Turkey [GC] 2005; CAT art. 22, rule 114; OP-ICCPR art. 1). Reading: notified within 24 hours of the grant."
)
EXECUTING_KINDS = (
    AuthorityKind.COURT,
    AuthorityKind.BAILIFFS,
    AuthorityKind.MIGRATION,
    AuthorityKind.DETENTION_CENTRE,
    AuthorityKind.BORDER,
)
# The conflict's `notify` roles (refuge.cases.law.NOTIFY_LABELS) for each kind of authority.
ROLE_OF_KIND = {
    AuthorityKind.COURT: "court",
    AuthorityKind.BAILIFFS: "executing_authority",
    AuthorityKind.MIGRATION: "executing_authority",
    AuthorityKind.DETENTION_CENTRE: "detention_centre",
    AuthorityKind.BORDER: "border_service",
}


@dataclass(frozen=True)
class MeasureInForce:
    event: Event
    granted_at: datetime
    ends_at: datetime | None  # None: until further notice

    @property
    def due(self) -> datetime:
        """When every executing authority should have been notified."""
        return self.granted_at + WINDOW


def measures_in_force(case: Case, now: datetime, events: Sequence[Event] | None = None) -> list[MeasureInForce]:
    """The case's interim measures in force at `now`, read by the engine's timeline.

    `events`: all the case's events as the caller has just read them (a page), else they are read here."""
    in_force = case_timeline(case, events).measures_in_force(now.timestamp(), any_destination=True)
    if not in_force:
        return []
    wanted = {m.id for m in in_force}
    found_events = case.events.filter(key__in=wanted) if events is None else [e for e in events if e.key in wanted]
    events_by_key = {e.key: e for e in found_events}
    found = []
    for m in in_force:
        grant = events_by_key[m.id]
        ends_at = None if m.end == float("inf") else datetime.fromtimestamp(m.end, tz=UTC)
        found.append(MeasureInForce(event=grant, granted_at=grant.at, ends_at=ends_at))
    return found


@dataclass(frozen=True)
class Read:
    """What a page has already read of a case: all its events, proceedings and sendings (no query needed)."""

    events: Sequence[Event]
    proceedings: Sequence[Any]
    sendings: Sequence[Sending]


def executing_authorities(case: Case, read: Read | None = None) -> list[Authority]:
    """The directory's authorities that could carry out this case's removal (see the module's readings)."""
    if read is not None:
        ids = {e.authority_id for e in read.events} | {p.authority_id for p in read.proceedings}
        ids |= {s.authority_id for s in read.sendings}
        ids.discard(None)
        if not ids:
            return []
        found = Authority.objects.filter(organisation_id=case.organisation_id, kind__in=EXECUTING_KINDS, pk__in=ids)
        return list(found.order_by("name"))
    named = Q(pk__in=case.events.filter(authority__isnull=False).values("authority_id"))
    linked = Q(pk__in=case.proceedings.filter(authority__isnull=False).values("authority_id")) | Q(
        pk__in=Sending.objects.filter(case=case, authority__isnull=False).values("authority_id")
    )
    return list(
        Authority.objects.filter(organisation_id=case.organisation_id, kind__in=EXECUTING_KINDS)
        .filter(linked | named)
        .order_by("name")
    )


def notified_since(case: Case, since: datetime) -> set[int]:
    """Ids of the authorities the log reached at or after `since`."""
    return set(
        Sending.objects.filter(case=case, authority__isnull=False, sent_at__gte=since).values_list(
            "authority_id", flat=True
        )
    )


@dataclass(frozen=True)
class Waiting:
    """One measure in force and the executing authorities not yet notified of it."""

    measure: MeasureInForce
    authorities: list[Authority]


def waiting_notifications(
    case: Case, now: datetime, events: Sequence[Event] | None = None, *, read: Read | None = None
) -> list[Waiting]:
    """For each measure in force, who is still to be notified (overdue or not).

    `read`: the case's events, proceedings and sendings as a page has just read them (then `events` is
    ignored and the authorities are found with one query, the notifications with none)."""
    measures = measures_in_force(case, now, read.events if read is not None else events)
    if not measures:
        return []
    authorities = executing_authorities(case, read)
    out = []
    for measure in measures:
        if read is not None:
            since = measure.granted_at
            done = {s.authority_id for s in read.sendings if s.authority_id is not None and s.sent_at >= since}
        else:
            done = notified_since(case, measure.granted_at)
        out.append(Waiting(measure, [a for a in authorities if a.pk not in done]))
    return out


def authority_not_notified(case: Case, report: dict[str, Any], now: datetime) -> ProvidedConflicts:
    """The conflict provider registered in the filings app's ready()."""
    conflicts: list[dict[str, Any]] = []
    recheck: list[datetime] = []
    for waiting in waiting_notifications(case, now):
        if not waiting.authorities:
            continue
        measure = waiting.measure
        if measure.ends_at is not None:
            recheck.append(measure.ends_at)  # the conflict ends with the measure
        if now < measure.due:
            recheck.append(measure.due)
            continue
        roles = sorted({ROLE_OF_KIND[AuthorityKind(a.kind)] for a in waiting.authorities})
        conflicts.append(
            {
                "kind": KIND,
                "severity": SEVERITY,
                "rule": RULE,
                "events": [measure.event.key],
                "basis": BASIS,
                "flags": [],
                "notify": roles,
            }
        )
    return ProvidedConflicts(conflicts=conflicts, recheck_at=min(recheck) if recheck else None)


# -- removal_update_not_sent -----------------------------------------------------------------------
#
# LAW.md: any change to the date or time of removal must be sent to the forum at once. Reading: a
# pending removal that `replaces` another, where a request for interim measures went to a forum
# before the new date became known (the forum holds the case, and the old date or none), and no
# update letter for that forum has been sent since the new date became known.

UPDATE_KIND = "removal_update_not_sent"
UPDATE_SEVERITY = "high"
UPDATE_RULE = "filings.removal_update_not_sent"
UPDATE_BASIS = (
    "A request for interim measures spoke of a removal date that has changed: the forum must be told the new "
    "date at once (ECtHR Practice Direction on interim measures; CAT rule 114, HRC rule 94)."
)


@dataclass(frozen=True)
class UpdateDue:
    forum: str
    request: Event  # the (first) interim_measure_requested to the forum before the new date was known
    replaced: Event  # the removal_scheduled it spoke of
    removal: Event  # the removal_scheduled now pending, which replaces it


def updates_due(case: Case, events: Sequence[Event] | None = None) -> list[UpdateDue]:
    """The forums to tell of a rescheduled removal (the engine says which removal is pending).

    `events`: all the case's events as the caller has just read them (a page), else they are read here."""
    pending = {r.id for r in case_timeline(case, events).pending_removals()}
    events = (
        sorted(events, key=lambda e: (e.at, e.id)) if events is not None else list(case.events.order_by("at", "id"))
    )
    by_key = {e.key: e for e in events}
    out: list[UpdateDue] = []
    for removal in (e for e in events if e.key in pending and e.attributes.get("replaces")):
        replaced = by_key.get(str(removal.attributes["replaces"]))
        if replaced is None:
            continue
        sent = case.sendings.filter(filing__kind__in=UPDATE_KINDS, sent_at__gte=removal.at)
        told = {s.filing.forum for s in sent.select_related("filing") if s.filing is not None}  # always: filtered by it
        seen: set[str] = set()
        for request in events:
            forum = str(request.attributes.get("forum") or "")
            if request.type != "interim_measure_requested" or request.at >= removal.at:
                continue
            if forum and forum not in told and forum not in seen:
                seen.add(forum)
                out.append(UpdateDue(forum=forum, request=request, replaced=replaced, removal=removal))
    return out


def removal_update_not_sent(case: Case, report: dict[str, Any], now: datetime) -> ProvidedConflicts:
    """The conflict provider: one conflict per forum still to be told of the new date."""
    conflicts = [
        {
            "kind": UPDATE_KIND,
            "severity": UPDATE_SEVERITY,
            "rule": UPDATE_RULE,
            "events": [due.removal.key, due.request.key],
            "basis": UPDATE_BASIS,
            "flags": [],
            "notify": [],
        }
        for due in updates_due(case)
    ]
    return ProvidedConflicts(conflicts=conflicts, recheck_at=None)

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

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.db.models import Q

from refuge.cases.models import Authority, AuthorityKind, Event, NewEvent
from refuge.cases.recompute import case_timeline
from refuge.filings.kinds import UPDATE_KINDS
from refuge.filings.models import Sending
from refuge.hooks import ProvidedConflicts

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from refuge.cases.models import Case
    from refuge.rules import Timeline

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
    event: Event | NewEvent
    granted_at: datetime
    ends_at: datetime | None  # None: until further notice

    @property
    def due(self) -> datetime:
        """When every executing authority should have been notified."""
        return self.granted_at + WINDOW


def measures_in_force(case: Case, now: datetime) -> list[MeasureInForce]:
    """The case's interim measures in force at `now`, read by the engine's timeline."""
    in_force = case_timeline(case).measures_in_force(now.timestamp(), any_destination=True)
    if not in_force:
        return []
    events = {e.key: e for e in case.events.filter(key__in=[m.id for m in in_force])}
    found = []
    for m in in_force:
        grant = events[m.id]
        ends_at = None if m.end == float("inf") else datetime.fromtimestamp(m.end, tz=UTC)
        found.append(MeasureInForce(event=grant, granted_at=grant.at, ends_at=ends_at))
    return found


def executing_authorities(case: Case) -> list[Authority]:
    """The directory's authorities that could carry out this case's removal (see the module's readings)."""
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


def waiting_notifications(case: Case, now: datetime) -> list[Waiting]:
    """For each measure in force, who is still to be notified (overdue or not)."""
    measures = measures_in_force(case, now)
    if not measures:
        return []
    authorities = executing_authorities(case)
    out = []
    for measure in measures:
        done = notified_since(case, measure.granted_at)
        out.append(Waiting(measure, [a for a in authorities if a.pk not in done]))
    return out


def authority_not_notified(case: Case, report: dict[str, Any], now: datetime) -> ProvidedConflicts:
    """The conflict provider registered in the filings app's ready()."""
    return _not_notified(waiting_notifications(case, now), now)


def new_case_not_notified(
    case: Case, timeline: Timeline, new_events: list[NewEvent], now: datetime
) -> ProvidedConflicts:
    """`authority_not_notified` for a case just imported, from memory (hooks.NEW_CASE_CONFLICTS).

    A new case has no proceedings and no notification log: its executing authorities are those its
    events name (the `authority` links set as its events were built), and none has been notified."""
    in_force = timeline.measures_in_force(now.timestamp(), any_destination=True)
    if not in_force:
        return ProvidedConflicts(conflicts=[], recheck_at=None)
    events = {e.key: e for e in new_events}  # the rows just stored, as values: no query
    named = {e.authority_id: e.authority for e in events.values() if e.authority_id is not None}
    authorities = sorted(
        (a for a in named.values() if a is not None and a.kind in EXECUTING_KINDS), key=lambda a: a.name
    )
    waiting = []
    for m in in_force:
        grant = events[m.id]
        ends_at = None if m.end == float("inf") else datetime.fromtimestamp(m.end, tz=UTC)
        waiting.append(Waiting(MeasureInForce(event=grant, granted_at=grant.at, ends_at=ends_at), authorities))
    return _not_notified(waiting, now)


def _not_notified(waiting_list: list[Waiting], now: datetime) -> ProvidedConflicts:
    conflicts: list[dict[str, Any]] = []
    recheck: list[datetime] = []
    for waiting in waiting_list:
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
    request: Event | NewEvent  # the (first) interim_measure_requested to the forum before the new date was known
    replaced: Event | NewEvent  # the removal_scheduled it spoke of
    removal: Event | NewEvent  # the removal_scheduled now pending, which replaces it


def updates_due(case: Case) -> list[UpdateDue]:
    """The forums to tell of a rescheduled removal (the engine says which removal is pending)."""

    def told(removal: Event) -> set[str]:
        sent = case.sendings.filter(filing__kind__in=UPDATE_KINDS, sent_at__gte=removal.at)
        return {s.filing.forum for s in sent.select_related("filing") if s.filing is not None}  # always: filtered by it

    return _updates_due(case_timeline(case), list(case.events.order_by("at", "id")), told)


def _updates_due(
    timeline: Timeline, events: Sequence[Event | NewEvent], told_of: Callable[[Any], set[str]]
) -> list[UpdateDue]:
    pending = {r.id for r in timeline.pending_removals()}
    by_key = {e.key: e for e in events}
    out: list[UpdateDue] = []
    for removal in (e for e in events if e.key in pending and e.attributes.get("replaces")):
        replaced = by_key.get(str(removal.attributes["replaces"]))
        if replaced is None:
            continue
        told = told_of(removal)
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
    return _update_conflicts(updates_due(case))


def new_case_update_not_sent(
    case: Case, timeline: Timeline, new_events: list[NewEvent], now: datetime
) -> ProvidedConflicts:
    """`removal_update_not_sent` for a case just imported, from memory (hooks.NEW_CASE_CONFLICTS): its
    events are the rows just stored (in `case.events.all()`'s order) and it has sent nothing yet."""
    return _update_conflicts(_updates_due(timeline, new_events, lambda _removal: set()))


def _update_conflicts(due: list[UpdateDue]) -> ProvidedConflicts:
    conflicts = [
        {
            "kind": UPDATE_KIND,
            "severity": UPDATE_SEVERITY,
            "rule": UPDATE_RULE,
            "events": [d.removal.key, d.request.key],
            "basis": UPDATE_BASIS,
            "flags": [],
            "notify": [],
        }
        for d in due
    ]
    return ProvidedConflicts(conflicts=conflicts, recheck_at=None)

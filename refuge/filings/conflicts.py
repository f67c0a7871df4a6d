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

from django.db.models import Prefetch, prefetch_related_objects

from refuge.cases.casefiles import case_events, event_authorities, proceeding_authorities
from refuge.cases.models import Authority, AuthorityKind, Case, Event, NewEvent
from refuge.cases.recompute import case_timeline
from refuge.filings.kinds import UPDATE_KINDS
from refuge.filings.models import Sending
from refuge.hooks import ProvidedConflicts

if TYPE_CHECKING:
    from collections.abc import Callable

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


def measures_in_force(case: Case, now: datetime, events: Sequence[Event] | None = None) -> list[MeasureInForce]:
    """The case's interim measures in force at `now`, read by the engine's timeline.

    `events`: all the case's events as the caller has just read them (a page), else they are read here."""
    in_force = case_timeline(case, events).measures_in_force(now.timestamp(), any_destination=True)
    if not in_force:
        return []
    wanted = {m.id for m in in_force}
    source = case_events(case, keys=wanted) if events is None else events  # a batch's events are read already
    events_by_key = {e.key: e for e in source if e.key in wanted}
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

    def sent(self) -> list[tuple[int, datetime]]:
        """The sendings to an authority of the directory, as `sendings_of` gives them."""
        return [(s.authority_id, s.sent_at) for s in self.sendings if s.authority_id is not None]


def executing_authorities(
    case: Case, sent: list[tuple[int, datetime]] | None = None, read: Read | None = None
) -> list[Authority]:
    """The directory's authorities that could carry out this case's removal (see the module's readings).

    The events and proceedings are read from the case (a batch has them read already), or from `read`
    (a page has read them); `sent` is the case's log as `sendings_of` gives it, when the caller has read it."""
    if read is not None:
        sent = read.sent() if sent is None else sent
        ids = {e.authority_id for e in read.events if e.authority_id is not None}
        ids.update(p.authority_id for p in read.proceedings if p.authority_id is not None)
    else:
        sent = sendings_of(case) if sent is None else sent
        ids = event_authorities(case)
        ids.update(proceeding_authorities(case))
    ids.update(authority for authority, _at in sent)
    if not ids:
        return []
    directory = getattr(case.organisation, _EXECUTING, None) if Case.organisation.is_cached(case) else None
    if directory is not None:  # read for the whole batch (prefetch_notifications)
        return [a for a in directory if a.pk in ids]
    return list(
        Authority.objects.filter(
            organisation_id=case.organisation_id, kind__in=EXECUTING_KINDS, pk__in=sorted(ids)
        ).order_by("name")
    )


def sendings_of(case: Case) -> list[tuple[int, datetime]]:
    """(authority id, sent at) of each sending of the case's log to an authority of the directory."""
    found = getattr(case, _SENT, None)
    if found is not None:  # read for the whole batch (prefetch_notifications)
        return [(s.authority_id, s.sent_at) for s in found]
    return list(Sending.objects.filter(case=case, authority__isnull=False).values_list("authority_id", "sent_at"))


def notified_since(case: Case, since: datetime, sent: list[tuple[int, datetime]] | None = None) -> set[int]:
    """Ids of the authorities the log reached at or after `since`."""
    sent = sendings_of(case) if sent is None else sent
    return {authority for authority, at in sent if at >= since}


_SENT = "_notification_log"  # a batch's case: its sendings to authorities
_EXECUTING = "_executing_authorities"  # a batch's organisation: its executing authorities, by name


def prefetch_notifications(cases: list[Case]) -> None:
    """The hook before a batch is evaluated (hooks.CASES_EVALUATING): the cases' sendings to authorities
    and their organisations' executing authorities, two queries for the batch instead of two a case."""
    sent = Sending.objects.filter(authority__isnull=False).only("id", "case_id", "authority_id", "sent_at")
    prefetch_related_objects(cases, Prefetch("sendings", queryset=sent, to_attr=_SENT))
    executing = Authority.objects.filter(kind__in=EXECUTING_KINDS).order_by("name")
    organisations = [case.organisation for case in cases]
    prefetch_related_objects(organisations, Prefetch("authorities", queryset=executing, to_attr=_EXECUTING))


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
    sent = read.sent() if read is not None else sendings_of(case)
    authorities = executing_authorities(case, sent, read)
    out = []
    for measure in measures:
        done = notified_since(case, measure.granted_at, sent)
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
    "date at once (ECtHR Practice Direction on interim measures; CAT rule 114, HRC rule 94 (number unverified))."
)

# The rules and bases these providers give their conflicts, shown in the reader's language as the packs'
# are (law.label and law.basis_text: the packs' labels, refuge/locale/<lang>/{labels,bases}.yaml; tested).
RULES = (RULE, UPDATE_RULE)
BASES = (BASIS, UPDATE_BASIS)


@dataclass(frozen=True)
class UpdateDue:
    forum: str
    request: Event | NewEvent  # the (first) interim_measure_requested to the forum before the new date was known
    replaced: Event | NewEvent  # the removal_scheduled it spoke of
    removal: Event | NewEvent  # the removal_scheduled now pending, which replaces it


def updates_due(case: Case, events: Sequence[Event] | None = None) -> list[UpdateDue]:
    """The forums to tell of a rescheduled removal (the engine says which removal is pending).

    `events`: all the case's events as the caller has just read them (a page); else only the events
    this reading needs are read (`case_events`: in their order (at, id); a batch's rows are made into
    instances only for these)."""

    def told(removal: Event) -> set[str]:
        sent = case.sendings.filter(filing__kind__in=UPDATE_KINDS, sent_at__gte=removal.at)
        return {s.filing.forum for s in sent.select_related("filing") if s.filing is not None}  # always: filtered by it

    line = case_timeline(case, events)
    if events is not None:
        ordered: list[Event] = sorted(events, key=lambda e: (e.at, e.id))
        return _updates_due(line, ordered, told)
    pending = {r.id for r in line.pending_removals()}
    if not pending:
        return []
    removals = [e for e in case_events(case, keys=pending) if e.attributes.get("replaces")]
    if not removals:
        return []
    replaced_keys = {str(e.attributes["replaces"]) for e in removals}
    return _updates_due(
        line, case_events(case, keys=pending | replaced_keys, types={"interim_measure_requested"}), told
    )


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

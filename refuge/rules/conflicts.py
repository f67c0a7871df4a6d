"""Conflicts over the whole timeline (LAW.md, "Conflicts in every jurisdiction").

Each detector is code; its severity, basis, flags and the authorities to notify come from the
packs. Instants are compared as POSIX timestamps, never as local dates of different zones.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from refuge.rules.deadlines import Deadline, Finality
from refuge.rules.facts import Event, Facts
from refuge.rules.model import ConflictRule, severity_rank
from refuge.rules.report import ConflictReport
from refuge.rules.timeline import Removal, Timeline, Window
from refuge.rules.timeutil import ONE_DAY, iso, start_of_day

INF = float("inf")
_REMOVAL_DECISIONS = frozenset({"expulsion", "deportation", "readmission", "extradition"})


@dataclass(slots=True)  # not frozen: a frozen dataclass's __init__ is several times slower
class Found:
    events: tuple[Event, ...]
    flags: tuple[str, ...] = ()
    since: str | None = None  # the instant the conflict began, when it is a state (release_due …)


@dataclass(frozen=True, slots=True)
class ConflictInput:
    """What the detectors read: the facts and timeline, and what the engine's earlier steps found."""

    facts: Facts
    today: date
    timeline: Timeline
    live_removals: tuple[Removal, ...]  # the removals going ahead
    finality: tuple[Finality, ...]
    by_kind: Mapping[str, tuple[Deadline, ...]]  # the deadlines, per kind
    processing: Mapping[str, datetime]  # ECtHR request id -> the Registry's processing instant
    # when an asylum application or appeal is pending (or asylum granted), per asylum kind; read
    # by the timeline with the deadlines found (empty when no detector here asks for them)
    asylum_windows: tuple[Window, ...]
    rules: Mapping[str, ConflictRule]  # the host state's conflicts, by kind


Detector = Callable[[ConflictInput, ConflictRule], Iterator[Found]]


# ---------------------------------------------------------------------------------------------
# Detectors


def removal_during_interim_measure(ev: ConflictInput, rule: ConflictRule) -> Iterator[Found]:
    for removal in ev.live_removals:
        for m in ev.timeline.measures:
            if not (m.in_force(removal.ts) and m.covers(removal.destination)):
                continue
            yield Found((removal.event, m.event), ev.timeline.measure_flags(m, removal))


def removal_before_final(ev: ConflictInput, rule: ConflictRule) -> Iterator[Found]:
    if not ev.finality:
        return
    by_decision = {f.decision.id: f for f in ev.finality}
    removal_decisions = ev.facts.of("decision_issued")
    for removal in ev.live_removals:
        basis = [d for d in removal_decisions if d.ts <= removal.ts and d.attrs.get("decision") in _REMOVAL_DECISIONS]
        if not basis:
            continue
        fin = by_decision.get(basis[-1].id)
        if fin is None:
            continue  # the latest removal decision is not one whose finality a pack describes
        if fin.final_ts is None or removal.ts < fin.final_ts:
            yield Found((removal.event, fin.decision))


def removal_during_asylum(ev: ConflictInput, rule: ConflictRule) -> Iterator[Found]:
    windows = ev.asylum_windows
    if not windows:
        return
    for removal in ev.live_removals:
        covering: list[Event] = []
        for w in windows:
            if w.start <= removal.ts < w.end and all(w.event is not c for c in covering):
                covering.append(w.event)
        if covering:
            yield Found((removal.event, *covering))


def _primary(language: str) -> str:
    return language.split("-", 1)[0].split("_", 1)[0].lower()


def document_signed_without_interpreter(ev: ConflictInput, rule: ConflictRule) -> Iterator[Found]:
    known = {_primary(lang) for lang in ev.facts.languages}
    for doc in ev.facts.of("document_signed"):
        if doc.attrs.get("interpreter") is True:
            continue
        language = doc.attrs.get("language")
        if language is not None and _primary(language) in known:
            continue
        yield Found((doc,))


def consular_contact_while_protected(ev: ConflictInput, rule: ConflictRule) -> Iterator[Found]:
    facts = ev.facts
    contacts = facts.of("consular_contact", "travel_document_issued")
    if not contacts:
        return
    windows = ev.asylum_windows
    origin = {facts.nationality} if facts.nationality else set()
    origin |= {m.destination for m in ev.timeline.measures if m.destination}
    origin |= {r.destination for r in ev.timeline.removals if r.destination}
    for contact in contacts:
        country = contact.attrs.get("country")
        relevant = contact.type == "travel_document_issued" or not facts.nationality or country in origin
        if not relevant:
            continue
        protector = next((m.event for m in ev.timeline.measures if m.in_force(contact.ts)), None)
        if protector is None:
            protector = next((w.event for w in windows if w.start <= contact.ts < w.end), None)
        if protector is not None:
            yield Found((contact, protector))


def interim_measure_expiring(ev: ConflictInput, rule: ConflictRule) -> Iterator[Found]:
    limited = [m for m in ev.timeline.measures if m.until is not None and not m.lifted and m.valid]
    if not limited:
        return
    first = start_of_day(ev.today, ev.facts.zone).timestamp()
    last = start_of_day(ev.today + timedelta(days=rule.window_days + 1), ev.facts.zone).timestamp()
    for m in limited:
        if first <= m.end < last and m.start <= m.end:
            yield Found((m.event,))


def forum_unavailable(ev: ConflictInput, rule: ConflictRule) -> Iterator[Found]:
    """Requests and applications before a forum that does not cover the act; grants it could not make.

    A grant is named when the forum covered neither the act it concerns nor the host state on
    the grant's own date (it protects nothing: :meth:`Timeline.forum_covers`).
    """
    forum = rule.forum or "echr"
    timeline = ev.timeline
    for e in ev.facts.of("interim_measure_requested", "interim_measure_granted", "application_lodged"):
        if e.attrs.get("forum") != forum:
            continue
        if e.type == "interim_measure_granted":
            if not timeline.forum_covers(e):
                yield Found((e,))
            continue
        act: date | None = None
        if e.type == "interim_measure_requested":
            act = timeline.concerned_act(e)
        else:
            finals = [f for f in ev.facts.of("final_domestic_decision") if f.ts <= e.ts]
            if finals:
                act = finals[-1].day
            else:
                latest = timeline.latest_act()
                act = timeline.act_date(latest) if latest is not None else e.day
        if not timeline.forum_status(forum, act).available:
            yield Found((e,))


def after_deadline(ev: ConflictInput, rule: ConflictRule) -> Iterator[Found]:
    """release_due, protection_ended: a deadline passed and nothing has cured it since."""
    for d in ev.by_kind.get(rule.after_deadline or "", ()):
        if d.status != "missed":
            continue
        cured = any(e.ts > d.trigger.ts for t in sorted(rule.cured_by) for e in ev.facts.of(t))
        if cured:
            continue
        since = d.due_date + ONE_DAY
        zone = d.due_at.tzinfo
        assert zone is not None  # noqa: S101 - due instants are always aware
        yield Found((d.trigger,), since=iso(start_of_day(since, zone)))


def r39_late(ev: ConflictInput, rule: ConflictRule) -> Iterator[Found]:
    """An ECtHR request for a removal that the Registry deals with after the cut-off.

    Only requests that concern the removal (LAW.md's conditions 1–3) count; none is named when
    a measure is in force or a request reached the Registry in time.
    """
    timeline = ev.timeline
    for d in ev.by_kind.get("r39_cutoff", ()):
        removal = timeline.removal(d.trigger.id)
        if removal is None or not removal.happens:
            continue
        forums = ("echr",)
        if timeline.protection(removal) is not None:
            continue
        cutoff = d.due_ts
        late: list[Event] = []
        in_time = False
        for request in timeline.requests:
            if not timeline.request_meets(request, removal, forums=forums, due_ts=INF, late=False):
                continue
            at = ev.processing.get(request.id)
            processed = at.timestamp() if at is not None else request.ts
            if processed > cutoff:
                late.append(request.event)
            else:
                in_time = True
        if not in_time:
            for e in late:
                yield Found((e, removal.event))


def protection_lapsed(ev: ConflictInput, rule: ConflictRule) -> Iterator[Found]:
    """A removal after the lifting, refusal or end of a measure that covered it, and not met anew."""
    timeline = ev.timeline
    deadlines: dict[str, list[Deadline]] = {}
    for kind in ("r39_cutoff", "un_interim_request"):
        for d in ev.by_kind.get(kind, ()):
            deadlines.setdefault(d.trigger.id, []).append(d)
    for removal in ev.live_removals:
        ended = timeline.lapsed(removal)
        if not ended:
            continue
        own = deadlines.get(removal.id, ())
        if any(d.status == "met" for d in own) or timeline.protection(removal) is not None:
            continue
        measure = max(ended, key=lambda m: (m.end, m.event.index))
        cause = measure.lifted_by
        if cause is None:  # ended by its ``until``: name a refusal (of a prolongation) since the grant
            refusals = [
                e
                for e in ev.facts.of("interim_measure_refused")
                if e.attrs.get("forum") == measure.forum and measure.start < e.ts <= removal.ts
            ]
            cause = refusals[-1] if refusals else measure.event
        yield Found((removal.event, cause))


# (communication, earlier procedure, flags): each pair that may bar the later communication
_OVERLAPS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("un_cat", "echr", ()),
    ("un_hrc", "echr", ("HRC_AFTER_ECHR_REVIEW",)),
    ("un_cat", "un_hrc", ()),
    ("un_hrc", "un_cat", ()),
)


def forum_overlap(ev: ConflictInput, rule: ConflictRule) -> Iterator[Found]:
    """CAT or HRC after the ECtHR; CAT and HRC on the same matter (CAT art. 22(5)(a); OP-ICCPR 5(2)(a)).

    The ECtHR counts once an application is lodged with it; a UN committee once a request or a
    communication is sent to it. The later communication is named first, then the earlier one.
    """
    communications = ev.facts.of("interim_measure_requested", "application_lodged")
    if not communications:
        return
    present = {e.attrs.get("forum") for e in communications}
    if "un_cat" not in present and "un_hrc" not in present:
        return
    for forum, other, flags in _OVERLAPS:
        if forum not in present or other not in present:
            continue
        if other == "echr":
            earlier = [a for a in ev.facts.of("application_lodged") if a.attrs.get("forum") == other]
        else:
            earlier = [a for a in communications if a.attrs.get("forum") == other]
        if not earlier:
            continue
        for e in communications:
            if e.attrs.get("forum") != forum:
                continue
            before = next((a for a in earlier if (a.ts, a.index) < (e.ts, e.index)), None)
            if before is not None:
                yield Found((e, before), flags)


DETECTORS: dict[str, Detector] = {
    "removal_during_interim_measure": removal_during_interim_measure,
    "removal_before_final": removal_before_final,
    "removal_during_asylum": removal_during_asylum,
    "document_signed_without_interpreter": document_signed_without_interpreter,
    "consular_contact_while_protected": consular_contact_while_protected,
    "interim_measure_expiring": interim_measure_expiring,
    "forum_unavailable": forum_unavailable,
    "release_due": after_deadline,
    "protection_ended": after_deadline,
    "r39_late": r39_late,
    "forum_overlap": forum_overlap,
    "protection_lapsed": protection_lapsed,
}


def find_conflicts(ev: ConflictInput) -> list[ConflictReport]:
    keyed: list[tuple[tuple[int, float, int, str], ConflictReport]] = []
    for kind, rule in ev.rules.items():
        rank = severity_rank(rule.severity)
        for found in DETECTORS[kind](ev, rule):
            first = found.events[0]
            item = ConflictReport(
                kind=kind,
                severity=rule.severity,
                events=tuple(e.id for e in found.events),
                rule=rule.id,
                basis=rule.basis,
                verified=rule.verified,
                flags=(*rule.flags, *found.flags),
                notify=rule.notify,
                since=found.since,
            )
            keyed.append(((rank, first.ts, first.index, kind), item))
    keyed.sort(key=lambda pair: pair[0])
    return [item for _, item in keyed]

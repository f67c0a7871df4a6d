"""What one case contributes to outcome statistics, read from the engine's view of its timeline.

Pure (no Django, no clock). The statistics app stores these counts per case and adds them up;
it never reads events again. Removals, their status and whether a measure protected them come
from :class:`~refuge.rules.timeline.Timeline`; measures, requests and their forums likewise;
detentions from its reading of detentions; deadlines met and missed from the engine's report.
Asylum applications are followed per kind in the order the engine's asylum windows use (an
application, then its grant or refusal, then any appeal); the windows say when a procedure
protects, not what became of each application, so the outcome is read here from the same events.

    counts = case_counts(facts, timeline, report)   # [Count(table, row, day, forum), ...]

No identity, no case reference and no event id is in a Count: only a table, a row, a date
(the period it falls in) and a forum where the row is a forum's.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

from refuge.rules.facts import Event, Facts
from refuge.rules.report import CheckReport
from refuge.rules.timeline import Timeline

ASYLUM_KINDS = ("refugee_status", "temporary_asylum")
_REMOVAL_DECISIONS = frozenset({"expulsion", "deportation", "readmission", "extradition"})
_FILINGS = ("appeal_lodged", "interim_measure_requested", "application_lodged", "asylum_applied")

# Lengths are counted in buckets, never published as single values (a length is a person's).
DETENTION_BUCKETS = ((2, "days_0_2"), (30, "days_3_30"), (90, "days_31_90"), (None, "days_over_90"))
FILING_BUCKETS = ((0, "same_day"), (3, "days_1_3"), (10, "days_4_10"), (None, "days_over_10"))


@dataclass(frozen=True, slots=True)
class Count:
    """One unit counted in one row of one table, in the period of ``day``."""

    table: str
    row: str
    day: date


def _bucket(days: int, buckets: tuple[tuple[int | None, str], ...]) -> str:
    for limit, name in buckets:
        if limit is None or days <= limit:
            return name
    raise AssertionError("the last bucket has no limit")  # pragma: no cover


def asylum_counts(facts: Facts) -> Iterator[Count]:
    """Each application per kind: applied, then granted, refused or pending; appealed if so.

    An application's outcome is the first grant or refusal of its kind after it and before the
    next application of that kind; an appeal is an appeal lodged against that refusal, or a
    rejected appeal received for that kind. Counted in the period of the application.
    """
    appeals = {a.attrs.get("decision_event") for a in facts.of("appeal_lodged")}
    for kind in ASYLUM_KINDS:
        stream = [
            e
            for e in facts.of(
                "asylum_applied", "asylum_granted", "asylum_refusal_received", "asylum_appeal_rejected_received"
            )
            if e.attrs.get("kind") == kind
        ]
        current: Event | None = None
        outcome = "pending"
        appealed = False
        for e in [*stream, None]:
            if e is None or e.type == "asylum_applied":
                if current is not None:
                    yield Count("asylum", f"{kind}.applied", current.day)
                    yield Count("asylum", f"{kind}.{outcome}", current.day)
                    if appealed:
                        yield Count("asylum", f"{kind}.appealed", current.day)
                current, outcome, appealed = e, "pending", False
            elif current is None:
                continue
            elif e.type == "asylum_granted" and outcome == "pending":
                outcome = "granted"
            elif e.type == "asylum_granted" and outcome == "refused":
                outcome = "granted"  # granted on appeal
            elif e.type == "asylum_refusal_received" and outcome == "pending":
                outcome = "refused"
                appealed = appealed or e.id in appeals
            elif e.type == "asylum_appeal_rejected_received" and outcome == "refused":
                appealed = True  # an appeal against this refusal, rejected


def measure_counts(timeline: Timeline) -> Iterator[Count]:
    """Interim measures per forum: requested, granted, refused, lifted (at each event's date)."""
    for request in timeline.requests:
        yield Count("measures", f"{request.forum}.requested", request.event.day)
    for measure in timeline.measures:
        if not measure.valid:  # the forum did not cover the act: recorded, protects nothing
            continue
        yield Count("measures", f"{measure.forum}.granted", measure.event.day)
        if measure.lifted_by is not None:
            yield Count("measures", f"{measure.forum}.lifted", measure.lifted_by.day)
    for e in timeline.facts.of("interim_measure_refused"):
        yield Count("measures", f"{e.attrs.get('forum')}.refused", e.day)


def removal_counts(timeline: Timeline) -> Iterator[Count]:
    """Removals carried out, and of them those carried out while a measure was in force for them."""
    for removal in timeline.removals:
        if removal.status == "cancelled":
            yield Count("removals", "cancelled", removal.act_date)
        if removal.status != "executed":
            continue
        yield Count("removals", "executed", removal.act_date)
        if timeline.protection(removal) is not None:
            yield Count("removals", "executed_during_measure", removal.act_date)


def detention_counts(timeline: Timeline) -> Iterator[Count]:
    """Each detention the timeline reads, by the bucket of its length (start to release), or ongoing."""
    for d in timeline.detentions():
        yield Count("detentions", "detained", d.started.day)
        if d.ended_by is None:
            yield Count("detentions", "ongoing", d.started.day)
        else:
            yield Count("detentions", _bucket((d.ended_by.day - d.started.day).days, DETENTION_BUCKETS), d.started.day)


def deadline_counts(report: CheckReport) -> Iterator[Count]:
    """Deadlines met and missed (open and cancelled ones are not outcomes yet), at their due date."""
    for d in report.deadlines:
        if d.status in ("met", "missed"):
            yield Count("deadlines", d.status, d.due_date)


def first_filing_counts(facts: Facts) -> Iterator[Count]:
    """Days from each removal order to the first filing after it (appeal, request, application)."""
    filings = facts.of(*_FILINGS)
    for order in facts.of("decision_issued"):
        if order.attrs.get("decision") not in _REMOVAL_DECISIONS:
            continue
        yield Count("first_filing", "orders", order.day)
        first = next((f for f in filings if f.ts >= order.ts), None)
        if first is None:
            yield Count("first_filing", "no_filing", order.day)
        else:
            yield Count("first_filing", _bucket((first.day - order.day).days, FILING_BUCKETS), order.day)


def case_counts(facts: Facts, timeline: Timeline, report: CheckReport) -> list[Count]:
    """Everything one case adds to the statistics."""
    return [
        *asylum_counts(facts),
        *measure_counts(timeline),
        *removal_counts(timeline),
        *detention_counts(timeline),
        *deadline_counts(report),
        *first_filing_counts(facts),
    ]

"""The demo's fictional history of asylum applications, laid down from compact data (history.json).

Each cohort gives, per year, how many applied and how many were granted, refused and refused then
appealed in vain. Each application becomes an asylum application on a client's timeline (and its
grant or refusal, and the appeal); a temporary-asylum application joins the case of an earlier
refugee-status applicant of the same nationality whose procedure had ended, as happens in life.
So the statistics page shows the shape of the story's ten years. No names: these clients exist
only as counts.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.db import transaction

from refuge.audit import actions as audit
from refuge.audit.events import EventType
from refuge.casefile.validate import load_casefile
from refuge.cases.actions import parse_at
from refuge.cases.models import Case, CaseStatus, Event, Person
from refuge.cases.recompute import packs
from refuge.stats.actions import refresh_case_stats

if TYPE_CHECKING:
    from refuge.accounts.models import Organisation, User

DATA = Path(__file__).with_name("history.json")


def _applications(
    cohort: dict[str, Any], first: int, today: date
) -> Iterator[tuple[date, list[tuple[str, date, dict[str, Any]]]]]:
    """(date applied, [(event type, date, attributes)]) for each application of a cohort."""
    kind = cohort["kind"]
    for offset, (applied, granted, refused, appealed) in enumerate(cohort["years"]):
        year = first + offset
        for i in range(applied):
            day = min(date(year, 1, 10) + timedelta(days=(i * 350) // applied), today)
            events: list[tuple[str, date, dict[str, Any]]] = [("asylum_applied", day, {"kind": kind})]
            decided = min(day + timedelta(days=90), today)
            if i < granted:
                until = {"until": (decided + timedelta(days=365)).isoformat()} if kind == "temporary_asylum" else {}
                events.append(("asylum_granted", decided, {"kind": kind, **until}))
            elif i < granted + refused:
                events.append(("asylum_refusal_received", decided, {"kind": kind}))
                if i - granted < appealed:
                    rejected = min(decided + timedelta(days=120), today)
                    events.append(("asylum_appeal_rejected_received", rejected, {"kind": kind}))
            yield day, events


def history_cases(data: dict[str, Any] | None = None, *, today: date) -> Iterator[dict[str, Any]]:
    """Case files (refuge.case/1, no identity) of the history; nothing dated after ``today``."""
    data = data if data is not None else json.loads(DATA.read_text(encoding="utf-8"))
    first = int(data["first_year"])
    people: list[tuple[str, list[tuple[str, date, dict[str, Any]]]]] = []  # (nationality, events)
    for cohort in data["cohorts"]:
        nationality = cohort["nationality"]
        free = [p for p in people if p[0] == nationality]  # earlier applicants, in order
        for day, events in _applications(cohort, first, today):
            match = next((p for p in free if p[1][-1][1] < day), None)
            if match is not None:
                free.remove(match)
                match[1].extend(events)
            else:
                people.append((nationality, events))
    for serial, (nationality, events) in enumerate(people, 1):
        yield {
            "format": "refuge.case/1",
            "reference": f"HIST-{events[0][1].year}-{serial:04d}",
            "host_state": data["host_state"],
            "timezone": data["timezone"],
            "person": {"nationality": nationality, "stateless": False, "languages": []},
            "events": [
                {"id": f"e{i}", "type": t, "at": day.isoformat(), **attrs}
                for i, (t, day, attrs) in enumerate(events, 1)
            ],
        }


def lay_history(*, organisation: Organisation, user: User | None, today: date, existing: set[str]) -> int:
    """Lay the history down as closed cases, quietly: no alerts for deadlines ten years gone.

    Each case is validated as a case file and stored with its events; its counts come from the
    engine as any case's do (refresh_case_stats). Its deadlines and conflicts are not stored
    until something recomputes it (`refuge recompute --all`): these are archives, not live work.
    Returns how many cases were laid.
    """
    laid = 0
    for casefile in history_cases(today=today):
        if casefile["reference"] in existing:
            continue
        doc = load_casefile(casefile)
        with transaction.atomic():
            case = Case.objects.create(
                organisation=organisation,
                reference=doc["reference"],
                host_state=doc["host_state"],
                timezone=doc["timezone"],
                status=CaseStatus.CLOSED,
                created_by=user,
            )
            Person.objects.create(case=case, nationality=doc["person"]["nationality"], stateless=False, languages=[])
            rows = []
            for item in doc["events"]:
                instant, offset, date_only = parse_at(item["at"], case.tzinfo)
                attributes = {k: v for k, v in item.items() if k not in ("id", "type", "at")}
                rows.append(
                    Event(
                        case=case,
                        key=item["id"],
                        type=item["type"],
                        at=instant,
                        utc_offset_minutes=offset,
                        date_only=date_only,
                        attributes=attributes,
                        author=user,
                        source="demo history",
                    )
                )
            Event.objects.bulk_create(rows)
            refresh_case_stats(case=case, casefile=doc, today=today, packs=packs())
            audit.record(
                type=EventType.CASE_CREATED, actor=user, target=case, data={"via": "demo", "events": len(rows)}
            )
        laid += 1
    return laid

"""Properties that must hold for any date: working days, rolling, offsets, ordering."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from refuge.casefile.validate import check_report, load_casefile
from refuge.rules import check, load_packs
from refuge.rules.timeutil import add_months

PACKS = load_packs()
CALENDARS = PACKS.select("RU").calendars
RU = CALENDARS["ru"]
DAYS = st.dates(min_value=date(2019, 1, 1), max_value=date(2027, 12, 31))


@given(day=DAYS, count=st.integers(1, 20), name=st.sampled_from(sorted(CALENDARS)))
def test_counting_working_days_lands_on_a_working_day(day: date, count: int, name: str) -> None:
    cal = CALENDARS[name]
    after = cal.add_working_days(day, count)
    assert cal.is_working(after)
    assert after > day
    assert sum(cal.is_working(day + timedelta(days=i)) for i in range(1, (after - day).days + 1)) == count
    before = cal.subtract_working_days(day, count)
    assert cal.is_working(before)
    assert before < day
    assert sum(cal.is_working(before + timedelta(days=i)) for i in range((day - before).days)) == count


@given(day=DAYS, name=st.sampled_from(sorted(CALENDARS)))
def test_rolling_never_moves_a_date_backwards(day: date, name: str) -> None:
    cal = CALENDARS[name]
    rolled = cal.roll_forward(day)
    assert rolled >= day
    assert cal.is_working(rolled)
    assert not any(cal.is_working(day + timedelta(days=i)) for i in range((rolled - day).days))
    back = cal.roll_back(day)
    assert back <= day
    assert cal.is_working(back)


def _appeal(receipt: date) -> dict[str, Any]:
    data = {
        "format": "refuge.case/1",
        "host_state": "RU",
        "events": [
            {"id": "d", "type": "decision_issued", "at": receipt.isoformat(), "decision": "expulsion"},
            {"id": "r", "type": "decision_received", "at": receipt.isoformat(), "decision_event": "d"},
            {"id": "a", "type": "asylum_refusal_received", "at": receipt.isoformat(), "kind": "refugee_status"},
        ],
    }
    return check(data, today=receipt, packs=PACKS)


@given(receipt=st.dates(min_value=date(2024, 10, 29), max_value=date(2027, 12, 31)))
def test_new_cao_rule_always_ends_on_a_working_day_not_before_day_10(receipt: date) -> None:
    report = _appeal(receipt)
    (appeal,) = [d for d in report["deadlines"] if d["kind"] == "appeal"]
    due = date.fromisoformat(appeal["due_date"])
    assert RU.is_working(due)
    assert due >= receipt + timedelta(days=10)
    alternatives = {a["code"]: date.fromisoformat(a["due_date"]) for a in appeal["alternatives"]}
    assert RU.is_working(alternatives["RU_4_8_3_1_TEXT"])
    assert alternatives["RU_4_8_3_1_TEXT"] >= due
    safe = date.fromisoformat(appeal["safe_due_date"])
    assert RU.is_working(safe)
    assert safe <= min(due, *alternatives.values())
    (final,) = [m for m in report["milestones"] if m["kind"] == "decision_final"]
    assert date.fromisoformat(final["date"]) == due + timedelta(days=1)


@given(receipt=st.dates(min_value=date(2019, 1, 1), max_value=date(2024, 10, 18)))
def test_old_cao_rule_is_exactly_ten_calendar_days(receipt: date) -> None:
    (appeal,) = [d for d in _appeal(receipt)["deadlines"] if d["kind"] == "appeal"]
    assert appeal["due_date"] == (receipt + timedelta(days=10)).isoformat()
    assert appeal["alternatives"] == []


@given(receipt=DAYS)
def test_asylum_appeal_rolls_forward_from_the_month(receipt: date) -> None:
    (appeal,) = [d for d in _appeal(receipt)["deadlines"] if d["kind"] == "asylum_appeal"]
    month = add_months(receipt, 1)
    due = date.fromisoformat(appeal["due_date"])
    assert due >= month
    assert RU.is_working(due)
    assert appeal["alternatives"][0]["due_date"] == month.isoformat()


# -- the same instants written with different offsets ---------------------------------------------------

# hypothesis takes naive bounds; timezones= makes every generated value aware
INSTANTS = st.datetimes(
    min_value=datetime(2021, 6, 1),  # noqa: DTZ001 - a naive bound, see above
    max_value=datetime(2027, 6, 1),  # noqa: DTZ001 - a naive bound, see above
    timezones=st.just(UTC),
)
OFFSETS = st.sampled_from([-12 * 60, -5 * 60, -150, 0, 60, 120, 180, 330, 345, 600, 14 * 60])


def _write(instant: datetime, minutes: int) -> str:
    return instant.astimezone(timezone(timedelta(minutes=minutes))).isoformat()


@st.composite
def timelines(draw: st.DrawFn) -> tuple[list[dict[str, Any]], list[datetime]]:
    t = sorted(draw(st.lists(INSTANTS, min_size=12, max_size=12)))
    destination = draw(st.sampled_from(["KP", "UZ", None]))
    events: list[dict[str, Any]] = [
        {"id": "e1", "type": "detention_started", "basis": "deportation"},
        {"id": "e2", "type": "decision_issued", "decision": "expulsion", "detention": "foreigners_centre"},
        {"id": "e3", "type": "decision_received", "decision_event": "e2"},
        {"id": "e4", "type": "detention_ordered", "term_until": (t[3] + timedelta(days=60)).date().isoformat()},
        {"id": "e5", "type": "asylum_applied", "kind": "refugee_status"},
        {"id": "e6", "type": "interim_measure_requested", "forum": draw(st.sampled_from(["echr", "un_cat"]))},
        {"id": "e7", "type": "interim_measure_granted", "forum": "un_hrc", "destination": destination},
        {"id": "e8", "type": "removal_scheduled", "destination": "KP"},
        {"id": "e9", "type": "appeal_lodged", "decision_event": "e2"},
        {"id": "e10", "type": "final_domestic_decision"},
        {"id": "e11", "type": "consular_contact", "country": "KP"},
        {"id": "e12", "type": "document_signed", "language": "ru", "interpreter": False},
    ]
    instants = [
        *t,
        t[7] + timedelta(hours=draw(st.integers(1, 24 * 60))),  # the removal, after it was scheduled
        t[6] + timedelta(days=draw(st.integers(1, 30))),  # the measure's end, after its grant
    ]
    return events, instants


@settings(max_examples=60, deadline=None)
@given(
    timeline=timelines(),
    offsets=st.lists(OFFSETS, min_size=14, max_size=14),
    host=st.sampled_from([("RU", "Europe/Moscow"), ("TR", "Europe/Istanbul"), ("RU", "Asia/Yekaterinburg")]),
    today=st.dates(min_value=date(2021, 6, 1), max_value=date(2028, 1, 1)),
)
def test_the_same_instants_with_other_offsets_give_the_same_report(
    timeline: tuple[list[dict[str, Any]], list[datetime]], offsets: list[int], host: tuple[str, str], today: date
) -> None:
    events, instants = timeline

    def render(minutes: list[int]) -> dict[str, Any]:
        written = [dict(e, at=_write(instants[i], minutes[i])) for i, e in enumerate(events)]
        written[7]["removal_at"] = _write(instants[12], minutes[12])
        written[6]["until"] = _write(instants[13], minutes[13])
        return load_casefile(
            {"format": "refuge.case/1", "host_state": host[0], "timezone": host[1], "reference": "P", "events": written}
        )

    utc = check(render([0] * 14), today=today, packs=PACKS)
    assert check(render(offsets), today=today, packs=PACKS) == utc
    assert check_report(utc) == []
    dues = [datetime.fromisoformat(d["due_at"]) for d in utc["deadlines"]]
    assert dues == sorted(dues)

"""Every change to a case's events re-derives its deadlines and conflicts, with a history."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from refuge.cases import actions
from refuge.cases.derived import Conflict, Deadline, DerivedChange
from refuge.cases.recompute import packs
from refuge.rules.packs import PACKS_DIR

pytestmark = pytest.mark.django_db


def _appeal(case):
    return Deadline.objects.get(case=case, kind="appeal")


def test_creating_a_case_stores_its_deadlines(case) -> None:
    appeal = _appeal(case)
    assert appeal.due_date.isoformat() == "2026-03-13"
    assert appeal.trigger == "e3"
    assert appeal.rule == "ru.cao.appeal"
    assert appeal.basis
    assert case.last_check.report["format"] == "refuge.check/1"
    added = DerivedChange.objects.get(case=case, key=appeal.key)
    assert (added.change, added.cause) == ("added", "import")


def test_moving_the_receipt_moves_the_appeal_and_says_why(case, alice) -> None:
    received = case.events.get(key="e3")
    actions.update_event(
        event=received,
        user=alice,
        at="2026-03-05T10:00:00+03:00",
        attributes=received.attributes,
        source="court stamp",
        note="",
    )
    appeal = _appeal(case)
    assert appeal.due_date.isoformat() == "2026-03-16"  # 15 March is a Sunday: rolled to Monday
    moved = DerivedChange.objects.get(case=case, key=appeal.key, change="moved")
    assert moved.before["due_date"] == "2026-03-13"
    assert moved.after["due_date"] == "2026-03-16"
    assert (moved.cause, moved.cause_event, moved.actor) == ("event_changed", "e3", alice)


def test_lodging_the_appeal_meets_the_deadline(case, alice) -> None:
    actions.record_event(
        case=case, user=alice, type="appeal_lodged", at="2026-03-10T12:00:00+03:00", attributes={"decision_event": "e2"}
    )
    appeal = _appeal(case)
    assert (appeal.status, appeal.met_by) == ("met", "e4")
    change = DerivedChange.objects.get(case=case, key=appeal.key, change="status")
    assert change.cause_event == "e4"


def test_a_removal_under_an_interim_measure_raises_a_critical_conflict(case, alice) -> None:
    actions.record_event(
        case=case,
        user=alice,
        type="interim_measure_granted",
        at="2026-03-05T10:00:00+01:00",
        attributes={"forum": "un_hrc", "until": None, "destination": "KP"},
    )
    removal = actions.record_event(
        case=case,
        user=alice,
        type="removal_scheduled",
        at="2026-03-06T10:00:00+03:00",
        attributes={"removal_at": "2026-03-20T06:00:00+03:00", "destination": "KP"},
    )
    conflict = Conflict.objects.get(case=case, kind="removal_during_interim_measure")
    assert conflict.severity == "critical"
    assert conflict.events[0] == removal.key

    actions.delete_event(event=removal, user=alice)
    assert not Conflict.objects.filter(case=case, kind="removal_during_interim_measure").exists()
    gone = DerivedChange.objects.get(case=case, kind="removal_during_interim_measure", change="removed")
    assert (gone.cause, gone.cause_event) == ("event_deleted", removal.key)


def test_recompute_lists_the_cases_a_pack_change_moved(case, tmp_path: Path, settings) -> None:
    # An amended Russian pack (same pack name replaces the shipped one): appeal period 12 days.
    text = (PACKS_DIR / "ru.yaml").read_text(encoding="utf-8")
    amended = text.replace(
        "computation: {unit: calendar_days, count: 10, start: next_day, roll: next_working_day, calendar: ru}",
        "computation: {unit: calendar_days, count: 12, start: next_day, roll: next_working_day, calendar: ru}",
    )
    assert amended != text
    (tmp_path / "ru.yaml").write_text(amended, encoding="utf-8")
    settings.REFUGE_RULE_PACKS_DIR = str(tmp_path)
    packs.cache_clear()
    try:
        out = StringIO()
        call_command("recompute", "--all", stdout=out, stderr=StringIO())
    finally:
        settings.REFUGE_RULE_PACKS_DIR = ""
        packs.cache_clear()
    assert case.reference in out.getvalue()
    assert _appeal(case).due_date.isoformat() == "2026-03-16"  # 15 March, a Sunday, rolled

    out = StringIO()
    call_command("recompute", "--all", stdout=out, stderr=StringIO())  # back on the shipped pack
    assert case.reference in out.getvalue()
    out = StringIO()
    call_command("recompute", "--all", stdout=out, stderr=StringIO())  # nothing moved this time
    assert out.getvalue() == ""


def test_check_case_reports_a_stored_case(case) -> None:
    out = StringIO()
    call_command("check_case", "--case", str(case.code), "--today", "2026-03-04", "--format", "json", stdout=out)
    assert '"kind": "appeal"' in out.getvalue()
    assert "Testov" not in out.getvalue()


def test_recompute_case_stores_what_the_engine_says_of_the_case_read_afresh(case, alice) -> None:
    """recompute_case reads the events once, as rows, and parses them once (the conflict providers and
    the statistics reuse that run): the report and counts are those of the case file read afresh."""
    import json
    from datetime import timedelta

    from django.utils import timezone

    from refuge.cases.casefiles import casefile_for
    from refuge.cases.derived import CaseCheck
    from refuge.cases.models import Case
    from refuge.cases.recompute import _add_provided_conflicts, case_today, recompute_case
    from refuge.rules import check
    from refuge.stats.actions import refresh_case_stats
    from refuge.stats.models import StatCount

    now = timezone.now()
    actions.record_event(
        case=case,
        user=alice,
        type="interim_measure_granted",
        at=(now - timedelta(days=3)).isoformat(timespec="seconds"),
        attributes={"forum": "un_hrc", "until": None, "destination": "KP"},
    )
    actions.record_event(
        case=case,
        user=alice,
        type="removal_scheduled",
        at=(now - timedelta(days=2)).isoformat(timespec="seconds"),
        attributes={"removal_at": (now + timedelta(days=5)).isoformat(timespec="seconds"), "destination": "KP"},
    )
    stored = Case.objects.get(pk=case.pk)
    recompute_case(case=stored, cause="event_added", now=now)
    assert not [name for name in vars(stored) if name.startswith("_refuge_")]  # nothing of the run stays
    fresh = Case.objects.get(pk=case.pk)
    expected = check(casefile_for(fresh, identity=False), today=case_today(fresh, now), packs=packs())
    _add_provided_conflicts(fresh, expected, now)
    report = CaseCheck.objects.get(case=case).report
    assert report == json.loads(json.dumps(expected))
    assert {c["kind"] for c in report["conflicts"]} >= {"removal_during_interim_measure"}
    counts = sorted(StatCount.objects.filter(case=case).values_list("table", "row", "year", "quarter"))
    assert counts
    today = case_today(fresh, now)
    n = refresh_case_stats(case=fresh, casefile=casefile_for(fresh, identity=False), today=today, packs=packs())
    assert n == len(counts)
    assert sorted(StatCount.objects.filter(case=case).values_list("table", "row", "year", "quarter")) == counts


def test_the_alerts_are_handed_the_deadline_rows_as_stored(case, alice) -> None:
    """After `recompute_case` the alerts (hooks.CASE_RECOMPUTED) take its `Recomputed.deadlines` rather
    than reading the rows back: those are the stored rows, field for field, whatever was added, moved,
    closed or removed."""
    from refuge import hooks

    def fields(row: Deadline) -> dict:
        return {f.attname: getattr(row, f.attname) for f in Deadline._meta.concrete_fields}

    seen: list[set[str]] = []

    def compare(result) -> None:
        assert result.deadlines is not None
        stored = {row.pk: fields(row) for row in Deadline.objects.filter(case=result.case)}
        assert {row.pk: fields(row) for row in result.deadlines} == stored
        seen.append({c.change for c in result.changes if c.item == "deadline"})

    hooks.CASE_RECOMPUTED.connect(compare)
    try:
        lodged = actions.record_event(
            case=case,
            user=alice,
            type="appeal_lodged",
            at="2026-03-10T12:00:00+03:00",
            attributes={"decision_event": "e2"},
        )
        actions.delete_event(event=lodged, user=alice)
        received = case.events.get(key="e3")
        moved = "2026-03-05T10:00:00+03:00"
        actions.update_event(event=received, user=alice, at=moved, attributes=received.attributes, source="", note="")
        attributes = dict(received.attributes)
        actions.delete_event(event=case.events.get(key="e3"), user=alice)
        again = "2026-03-04T10:00:00+03:00"
        actions.record_event(case=case, user=alice, type=received.type, at=again, attributes=attributes)
    finally:
        hooks.CASE_RECOMPUTED.disconnect(compare)
    assert {"status", "moved", "removed", "added"} <= set().union(*seen), seen


def test_a_batch_reads_the_events_as_the_orm_converts_them(case) -> None:
    """`read_event_rows` reads the attributes (and on SQLite the instants) as their stored text and
    converts them itself: its rows are those of Django's own conversions, value for value."""
    from datetime import UTC, datetime

    from refuge.cases.casefiles import forget_event_rows, read_event_rows
    from refuge.cases.models import EVENT_ROW, Case, Event

    first = case.events.order_by("at", "id").first()
    Event.objects.filter(pk=first.pk).update(at=datetime(2026, 3, 1, 23, 59, 58, 123456, tzinfo=UTC))
    stored = Case.objects.get(pk=case.pk)
    read_event_rows([stored])
    rows = stored._refuge_event_rows
    forget_event_rows(stored)
    plain = list(Event.objects.filter(case=case).order_by("at", "id").values_list(*EVENT_ROW))
    assert len(rows) == len(plain) == 3
    for row, expected in zip(rows, plain, strict=True):
        assert row == expected
        assert [type(v) for v in row] == [type(v) for v in expected]
        assert row[EVENT_ROW.index("at")].utcoffset() == expected[EVENT_ROW.index("at")].utcoffset()


def test_a_batch_reads_the_authorities_of_the_proceedings_as_their_instances_name_them(
    case, django_assert_num_queries
) -> None:
    """`read_proceeding_authorities` reads ids, not instances: `proceeding_authorities` answers alike."""
    from refuge.cases.casefiles import forget_event_rows, proceeding_authorities, read_proceeding_authorities
    from refuge.cases.models import Authority, AuthorityKind, Case, Forum, Proceeding

    kinds, forums = list(AuthorityKind), list(Forum)
    court = Authority.objects.create(organisation=case.organisation, name="Court (fictional)", kind=kinds[0])
    other = Authority.objects.create(organisation=case.organisation, name="Office (fictional)", kind=kinds[-1])
    for authority in (court, other, court, None):
        Proceeding.objects.create(case=case, forum=forums[0], authority=authority)
    plain = proceeding_authorities(Case.objects.get(pk=case.pk))
    assert plain == {court.pk, other.pk}
    batch = [Case.objects.get(pk=case.pk)]
    read_proceeding_authorities(batch)
    with django_assert_num_queries(0):
        assert proceeding_authorities(batch[0]) == plain
    forget_event_rows(batch[0])
    assert not [name for name in vars(batch[0]) if name.startswith("_refuge_")]

"""The engine and the filings read one timeline: the same case files give LAW.md's answer on both paths.

Each case file of tests/rules/cases is imported into a case, then read by the engine (``check``
on the file) and by the filings (``CaseFacts`` and the `authority_not_notified` provider's
measures in force) on the same day.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from refuge.rules import check

pytestmark = pytest.mark.django_db

CASES = Path(__file__).parents[1] / "rules" / "cases"


def _both(name: str, org: Any, alice: Any, today: str) -> tuple[dict[str, Any], Any]:
    from refuge.cases.actions import import_casefile
    from refuge.filings.facts import CaseFacts

    data = json.loads((CASES / f"{name}.case.json").read_text())
    engine = check(data, today=date.fromisoformat(today))
    case = import_casefile(data=data, organisation=org, user=alice)
    return engine, CaseFacts.of(case, today=date.fromisoformat(today))


def test_an_executed_removal_is_no_longer_pending_on_both_paths(org, alice):
    engine, facts = _both("executed-removal-is-not-pending", org, alice, "2026-06-11")
    (removal,) = engine["removals"]
    assert (removal["status"], removal["file_now"]) == ("executed", [])
    assert facts.removal is None
    assert facts.timeline.pending_removals() == []


def test_a_measure_past_its_until_is_not_in_force_on_both_paths(org, alice):
    from refuge.filings.conflicts import measures_in_force

    engine, facts = _both("measure-past-its-until-is-not-in-force", org, alice, "2026-06-11")
    (removal,) = engine["removals"]
    assert removal["protected"] is False
    assert [c["kind"] for c in engine["conflicts"] if c["kind"] == "removal_during_interim_measure"] == []
    assert facts.measure is None
    assert measures_in_force(facts.case, datetime(2026, 6, 11, tzinfo=UTC)) == []
    # before its until, both read it in force
    assert [m.event.key for m in measures_in_force(facts.case, datetime(2026, 6, 1, tzinfo=UTC))] == ["e2"]


def test_a_request_sent_before_a_lifting_meets_nothing_on_both_paths(org, alice):
    engine, facts = _both("un-request-before-lifting-meets-nothing", org, alice, "2026-07-02")
    deadline = next(d for d in engine["deadlines"] if d["trigger"] == "e6")
    assert (deadline["status"], deadline["met_by"]) == ("open", None)
    assert facts.measure is None  # lifted on 15 June
    assert facts.removal is not None and facts.removal.event == "e6"
    assert facts.removal_status is not None
    assert (facts.removal_status["protected"], facts.removal_status["file_now"]) == (False, ["un_interim_request"])
    removal = facts.timeline.removal("e6")
    assert removal is not None
    due_ts = deadline_ts(deadline)
    assert facts.timeline.meeting(removal, forums=("un_cat", "un_hrc"), due_ts=due_ts, late=False) is None


def test_a_rescheduled_removal_is_replaced_on_both_paths(org, alice):
    engine, facts = _both("un-grant-for-uzbekistan-leaves-kazakhstan-unprotected", org, alice, "2026-03-11")
    assert [(r["event"], r["status"]) for r in engine["removals"]] == [("e1", "replaced"), ("e4", "scheduled")]
    assert facts.removal is not None
    assert (facts.removal.event, facts.removal.destination) == ("e4", "KZ")
    assert facts.measure is not None and facts.measure.destination == "UZ"  # in force, for Uzbekistan only
    assert facts.removal_status is not None and facts.removal_status["protected"] is False


def test_an_echr_measure_for_a_russian_act_of_2026_is_none_on_both_paths(org, alice):
    engine, facts = _both("echr-measure-for-a-russian-act-of-2026-protects-nothing", org, alice, "2026-04-04")
    assert engine["removals"][0]["protected"] is False
    assert facts.measure is None


def deadline_ts(deadline: dict[str, Any]) -> float:
    return datetime.fromisoformat(deadline["due_at"]).timestamp()

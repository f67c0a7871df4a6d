"""The shared examples (/work/shared/examples): each expected field must match the report."""

from __future__ import annotations

import json
import os
from datetime import date
from pathlib import Path

import pytest

from refuge.casefile.validate import load_casefile
from refuge.rules import check
from tests.rules.support import assert_subset

EXAMPLES = Path(os.environ.get("REFUGE_EXAMPLES_DIR", "/work/shared/examples"))
CASES = sorted(EXAMPLES.glob("*.case.json")) if EXAMPLES.is_dir() else []

pytestmark = pytest.mark.skipif(not CASES, reason=f"{EXAMPLES} is missing")


@pytest.mark.parametrize("path", CASES, ids=[p.name.removesuffix(".case.json") for p in CASES])
def test_example_report_has_every_expected_field(path: Path) -> None:
    expected = json.loads(path.with_name(path.name.replace(".case.json", ".expected.json")).read_text())
    expected.pop("why", None)
    case = load_casefile(json.loads(path.read_text()))
    report = check(case, today=date.fromisoformat(expected["today"]))
    assert_subset(expected, report)


def test_subset_matching_can_fail() -> None:
    report = {
        "deadlines": [{"kind": "appeal", "trigger": "e2", "due_date": "2023-05-13"}],
        "conflicts": [{"kind": "x"}],
    }
    with pytest.raises(AssertionError):
        assert_subset({"deadlines": [{"kind": "appeal", "trigger": "e2", "due_date": "2023-05-12"}]}, report)
    with pytest.raises(AssertionError):
        assert_subset({"conflicts": []}, report)
    with pytest.raises(AssertionError):
        assert_subset({"deadlines": [{"kind": "appeal", "trigger": "e9"}]}, report)


def test_casefile_md_example_report() -> None:
    case = load_casefile(
        {
            "format": "refuge.case/1",
            "reference": "SPB-2026-014",
            "host_state": "RU",
            "timezone": "Europe/Moscow",
            "person": {"nationality": "KP", "stateless": False, "languages": ["ko"]},
            "events": [
                {"id": "e1", "type": "detention_started", "at": "2026-03-02T09:00:00+03:00", "basis": "administrative"},
                {
                    "id": "e2",
                    "type": "decision_issued",
                    "at": "2026-03-03T15:00:00+03:00",
                    "decision": "expulsion",
                    "detention": "foreigners_centre",
                    "authority": "Kolpino District Court",
                },
                {"id": "e3", "type": "decision_received", "at": "2026-03-03T16:00:00+03:00", "decision_event": "e2"},
            ],
        }
    )
    expected = {
        "format": "refuge.check/1",
        "reference": "SPB-2026-014",
        "today": "2026-03-04",
        "forums": [
            {
                "forum": "echr",
                "available": False,
                "basis": "ECHR art. 58; Resolution of 22 Mar 2022",
                "suggest": ["un_cat", "un_hrc"],
            }
        ],
        "deadlines": [
            {
                "kind": "appeal",
                "rule": "ru.cao.appeal",
                "trigger": "e3",
                "due_date": "2026-03-13",
                "due_at": "2026-03-13T23:59:59+03:00",
                "timezone": "Europe/Moscow",
                "status": "open",
                "met_by": None,
                "severity": "high",
                "verified": True,
                "alternatives": [
                    {"code": "RU_4_8_3_1_TEXT", "due_date": "2026-03-18", "due_at": "2026-03-18T23:59:59+03:00"}
                ],
                "safe_due_date": "2026-03-13",
                "reminders": [],
            }
        ],
        "milestones": [{"kind": "decision_final", "event": "e2", "date": "2026-03-14", "status": "expected"}],
        "conflicts": [],
    }
    report = check(case, today=date(2026, 3, 4))
    assert_subset(expected, report)
    assert [d["kind"] for d in report["deadlines"]] == ["appeal", "enforcement_lapse"]

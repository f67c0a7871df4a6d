"""The shared examples (/work/shared/examples): each expected field must match the report."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from refuge.casefile.validate import load_casefile
from refuge.rules import check
from tests.rules.support import assert_subset

EXAMPLES = Path("/work/shared/examples")
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

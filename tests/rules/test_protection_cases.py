"""LAW.md, "When a removal is protected": each point as a case file with its expected report.

tests/rules/cases/NAME.case.json is checked on the day its NAME.expected.json names; every
field there must be in the report (lists of objects matched on their identity, an empty list
must be empty). One file goes through the ``refuge check`` command as well.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from refuge.casefile.validate import check_report, read_casefile
from refuge.rules import check, evaluate
from refuge.rules.command import main
from tests.rules.support import assert_subset

CASES_DIR = Path(__file__).parent / "cases"
CASES = sorted(CASES_DIR.glob("*.case.json"))


def _expected(path: Path) -> dict:
    expected = json.loads(path.with_name(path.name.replace(".case.json", ".expected.json")).read_text())
    expected.pop("why")
    return expected


def test_there_is_a_case_file_for_each_point_of_the_section() -> None:
    assert len(CASES) >= 15


@pytest.mark.parametrize("path", CASES, ids=[p.name.removesuffix(".case.json") for p in CASES])
def test_protection_case_gives_what_law_md_says(path: Path) -> None:
    expected = _expected(path)
    case = read_casefile(path)
    report = check(case, today=date.fromisoformat(expected["today"]))
    assert_subset(expected, report)
    assert check_report(report) == []
    assert evaluate(case, expected["today"]).to_dict() == report


def test_refuge_check_prints_the_removals(capsys: pytest.CaptureFixture[str]) -> None:
    path = CASES_DIR / "late-notice-is-open-until-the-removal.case.json"
    status = main([str(path), "--today", "2026-12-05", "--format", "json"])
    assert status in (0, 1)
    report = json.loads(capsys.readouterr().out)
    (removal,) = report["removals"]
    assert (removal["protected"], removal["file_now"]) == (False, ["un_interim_request"])
    assert report["deadlines"][0]["status"] == "open"

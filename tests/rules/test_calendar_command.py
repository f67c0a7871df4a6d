"""`refuge calendars`: each pack calendar, its holidays data and the last year with decree data."""

from __future__ import annotations

import json

import pytest

from refuge.cli import main
from refuge.rules.calendars import HOLIDAYS_VERSION, last_decreed_year


def calendars(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    assert main(["calendars", *args]) == 0
    return capsys.readouterr().out


def test_it_prints_the_last_confirmed_year_of_each_calendar(capsys: pytest.CaptureFixture[str]) -> None:
    out = calendars(capsys, "--today", "2026-06-01")
    rows = {line.split()[2]: line.split() for line in out.splitlines() if line.startswith("  ") and "pack" not in line}
    assert rows["RU"][-1] == str(last_decreed_year("RU")) and int(rows["RU"][-1]) >= 2027
    assert rows["FR-Alsace"][-3:] == ["none", "(no", "decrees)"]
    assert rows["CH-Geneva"][-3:] == ["none", "(no", "decrees)"]
    assert f"holidays {HOLIDAYS_VERSION}" in out
    assert "Warning" not in out


def test_the_last_decreed_year_is_the_last_in_the_package_table() -> None:
    assert last_decreed_year("RU") is not None and last_decreed_year("RU") >= 2027  # the floor carries 2027
    assert last_decreed_year("FR") is None and last_decreed_year("CH") is None


@pytest.mark.parametrize(
    ("month_day", "years_on", "warned"), [("09-30", 0, False), ("10-01", 0, True), ("03-01", 1, True)]
)
def test_it_warns_from_the_last_quarter_of_the_last_decreed_year(
    capsys: pytest.CaptureFixture[str], month_day: str, years_on: int, warned: bool
) -> None:
    last = last_decreed_year("RU")
    assert last is not None
    out = calendars(capsys, "--today", f"{last + years_on}-{month_day}")
    assert ("Warning: ru (RU)" in out) is warned
    if warned:
        assert str(last + 1) in out and "CALENDAR_UNCONFIRMED" in out


def test_json_output_lists_every_pack_calendar(capsys: pytest.CaptureFixture[str]) -> None:
    data = json.loads(calendars(capsys, "--format", "json", "--today", "2026-06-01"))
    found = {r["region"]: (r["pack"], r["source"], r["last_decreed_year"]) for r in data["calendars"]}
    assert found == {
        "RU": ("ru", "RU", last_decreed_year("RU")),
        "FR-Alsace": ("echr", "FR-6AE +12-24 +12-31", None),
        "CH-Geneva": ("un", "CH-GE", None),
    }
    assert data["holidays"] == HOLIDAYS_VERSION and data["warnings"] == []


def test_the_warning_reads_in_the_operators_language_and_the_json_stays_english(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    last = last_decreed_year("RU")
    assert last is not None
    monkeypatch.setenv("REFUGE_LANGUAGE", "ru")
    out = calendars(capsys, "--today", f"{last}-11-01")
    assert f"Предупреждение: ru (RU): известные постановления о переносе выходных дней заканчиваются {last}" in out
    assert "Warning" not in out and "decree" not in out
    data = json.loads(calendars(capsys, "--format", "json", "--today", f"{last}-11-01"))
    assert data["warnings"] == [
        f"ru (RU): the decrees known end with {last} and today is in its last quarter: when the decree for "
        f"{last + 1} is published, upgrade holidays to a release that carries it; until then deadlines reaching "
        f"into {last + 1} are flagged CALENDAR_UNCONFIRMED"
    ]

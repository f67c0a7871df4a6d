"""Rule packs: the shipped packs, a second host state as a file, and errors naming file, rule, field."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from refuge.rules import PackError, check, load_packs
from refuge.rules.packs import PACKS_DIR, load_pack
from tests.rules.support import case, find, one

TEST_PACKS = Path(__file__).parent / "packs"


def test_shipped_packs_load_and_every_rule_cites_its_basis() -> None:
    packs = load_packs()
    assert {p.name for p in packs.packs} == {"common", "echr", "ru", "un"}
    for pack in packs.packs:
        for rule in (*pack.rules, *pack.milestones, *pack.conflicts):
            assert rule.basis.strip(), rule.id
            assert re.fullmatch(r"[a-z]+(\.[a-z0-9_]+)+", rule.id)


@pytest.mark.parametrize(
    ("rule_id", "verified"),
    [
        ("ru.cao.appeal", True),
        ("ru.cao.enforcement_lapse", True),
        ("ru.cao.stateless_detention_review", True),
        ("ru.detention.court_order", False),  # LAW.md: (unverified)
        ("ru.detention.term", False),  # LAW.md: (unverified)
        ("ru.refugees.preliminary", True),
        ("ru.refugees.appeal", True),
        ("ru.refugees.leave", False),  # statutory basis unverified
        ("ru.refugees.temporary_asylum_renewal", True),
        ("echr.r39.cutoff", True),
        ("echr.application", True),
        ("un.interim_request", True),
    ],
)
def test_unverified_rules_of_law_md_are_marked(rule_id: str, verified: bool) -> None:
    rules = [r for p in load_packs().packs for r in p.rules if r.id == rule_id]
    assert rules
    assert {r.verified for r in rules} == {verified}


def test_both_versions_of_the_echr_time_limit_cite_the_postmark_rule() -> None:
    # LAW.md, application time-limit, basis: "art. 35(1); Protocol 15; Rules of Court, rule
    # 47(6)(a); Practice Direction on the institution of proceedings §3" — for the four months too.
    rules = (r for p in load_packs().packs for r in p.rules if r.id == "echr.application")
    versions = sorted(rules, key=lambda r: r.version)
    assert [r.version for r in versions] == [1, 2]
    for rule in versions:
        assert "art. 35(1)" in rule.basis
        assert "rule 47(6)(a)" in rule.basis
        assert "Practice Direction on the institution of proceedings §3" in rule.basis
    assert "Protocol 15" in versions[1].basis


def test_a_basis_citing_hrc_rule_94_says_the_number_is_unverified() -> None:
    # LAW.md, UN treaty bodies: "HRC rule 94 (unverified number)".
    packs = load_packs().packs
    bases = [r.basis for p in packs for r in (*p.rules, *p.milestones, *p.conflicts)]
    citing = [b for b in bases if "rule 94" in b]
    assert len(citing) >= 3  # the UN target, the measure ignored, protection lapsed
    assert all("rule 94 (number unverified)" in b for b in citing), citing


def test_a_label_citing_hrc_rule_94_says_the_number_is_unverified() -> None:
    labels = load_packs().labels
    citing = {code: w.explanation for code, w in labels.items() if re.search(r"rule 94\b", w.explanation)}
    assert set(citing) >= {"un_hrc", "un.interim_request", "common.conflict.removal_during_interim_measure"}
    assert all(re.search(r"rule 94,? \(?number unverified", text) for text in citing.values()), citing


def test_finality_detail_is_marked_unverified() -> None:
    (ms,) = [m for p in load_packs().packs for m in p.milestones if m.id == "ru.cao.finality"]
    assert ms.verified is False


def test_rule_versions_carry_validity_dates() -> None:
    rules = sorted((r for p in load_packs().packs for r in p.rules if r.id == "ru.cao.appeal"), key=lambda r: r.version)
    assert [(r.version, str(r.valid_from), str(r.valid_until)) for r in rules] == [
        (1, "None", "2024-10-28"),
        (2, "2024-10-29", "None"),
    ]


# -- a second host state is a YAML file --------------------------------------------------------------


def test_a_new_host_state_needs_only_a_pack_file() -> None:
    packs = load_packs(dirs=[TEST_PACKS])
    data = case(
        {"type": "decision_issued", "at": "2026-03-06", "decision": "expulsion"},
        {"type": "decision_received", "at": "2026-03-06T18:00:00+05:00", "decision_event": "e1"},
        host="KZ",
    )
    report = check(data, today="2026-03-10", packs=packs)
    # day 15 is Saturday 21 March, Nauryz; the holidays run to the 25th: rolled to Thursday 26 March
    d = one(report, "deadlines", kind="appeal")
    assert (d["due_date"], d["due_at"], d["timezone"]) == ("2026-03-26", "2026-03-26T23:59:59+05:00", "Asia/Almaty")
    assert (d["rule"], d["verified"], d["reminders"]) == ("kz.expulsion.appeal", False, ["2026-03-23"])
    assert report["timezone"] == "Asia/Almaty"  # the pack's default zone
    without = check(data, today="2026-03-10")
    assert find(without["deadlines"], kind="appeal") == []


# -- errors name the file, the rule and the field ------------------------------------------------------


def broken_pack(tmp_path: Path, edit: str, replacement: str, name: str = "ru.yaml") -> Path:
    text = (PACKS_DIR / name).read_text(encoding="utf-8")
    assert edit in text
    directory = tmp_path / "packs"
    directory.mkdir()
    path = directory / name
    path.write_text(text.replace(edit, replacement, 1), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("edit", "replacement", "rule", "field"),
    [
        (
            "computation: {unit: calendar_days, count: 10, start: next_day, roll: none, calendar: ru}",
            "computation: {unit: fortnights, count: 10, start: next_day, roll: none, calendar: ru}",
            "ru.cao.appeal",
            "computation.unit",
        ),
        ("calendar: ru}\n    met_by", "calendar: moon}\n    met_by", "ru.cao.appeal", "computation.calendar"),
        (
            "    severity: high\n    verified: true\n    basis: >-\n      CAO art. 30.3(1) (text",
            "    severity: high\n    basis: >-\n      CAO art. 30.3(1) (text",
            "ru.cao.appeal",
            "verified",
        ),
        ("event: [decision_received]", "event: [decision_recieved]", "ru.cao.appeal", "trigger.event"),
        (
            "where: {basis: [deportation, readmission]}",
            "where: {grounds: [deportation]}",
            "ru.detention.court_order",
            "trigger.where",
        ),
        ('    valid_from: "2024-10-29"', '    valid_from: "2024-10-20"', "ru.cao.appeal", "valid_from"),
        (
            "  - id: ru.cao.enforcement_lapse\n    version: 1",
            "  - id: ru.cao.enforcement_lapse\n    version: 1\n    colour: red",
            "ru.cao.enforcement_lapse",
            "colour",
        ),
    ],
)
def test_invalid_pack_error_names_file_rule_and_field(
    tmp_path: Path, edit: str, replacement: str, rule: str, field: str
) -> None:
    path = broken_pack(tmp_path, edit, replacement)
    with pytest.raises(PackError) as info:
        load_packs(dirs=[path.parent])
    error = info.value
    assert (error.file, error.rule, error.field) == (str(path), rule, field)
    assert str(path) in str(error) and rule in str(error) and field in str(error)


def test_pack_level_errors_name_the_field(tmp_path: Path) -> None:
    path = broken_pack(tmp_path, "holidays: {country: RU}", "holidays: {country: RU, subdiv: XX}")
    with pytest.raises(PackError) as info:
        load_pack(path)
    assert (info.value.rule, info.value.field) == (None, "calendars.ru.holidays")
    path.write_text("format: refuge.pack/1\npack: [unclosed\n", encoding="utf-8")
    with pytest.raises(PackError, match="invalid YAML"):
        load_pack(path)


def test_two_packs_for_one_host_state_are_an_error(tmp_path: Path) -> None:
    shutil.copy(PACKS_DIR / "ru.yaml", tmp_path / "ru2.yaml")
    text = (tmp_path / "ru2.yaml").read_text(encoding="utf-8").replace("pack: ru\n", "pack: ru_copy\n")
    (tmp_path / "ru2.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(PackError, match="host state RU already has pack 'ru'"):
        load_packs(dirs=[tmp_path])


def test_a_pack_with_the_same_name_replaces_the_shipped_one(tmp_path: Path) -> None:
    data = yaml.safe_load((PACKS_DIR / "ru.yaml").read_text(encoding="utf-8"))
    data["version"] = 99
    (tmp_path / "ru.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    packs = load_packs(dirs=[tmp_path])
    assert {p.name: p.version for p in packs.packs}["ru"] == 99


def test_importing_the_engine_pulls_in_no_django() -> None:
    code = (
        "import sys, refuge.rules, refuge.rules.command, refuge.casefile.validate\n"
        "from datetime import date\n"
        "refuge.rules.check({'format': 'refuge.case/1', 'host_state': 'RU', 'events': []}, date(2026, 1, 1))\n"
        "bad = sorted(m for m in sys.modules if m == 'django' or m.startswith('django.'))\n"
        "print(bad)\n"
        "sys.exit(1 if bad else 0)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)  # noqa: S603 - our own interpreter
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip() == "[]"


def test_a_host_state_without_a_pack_gets_its_main_zone_and_holidays() -> None:
    data = {
        "format": "refuge.case/1",
        "host_state": "DE",
        "events": [
            {"id": "f", "type": "final_domestic_decision", "at": "2025-12-24"},
            {"id": "r", "type": "removal_scheduled", "at": "2026-01-02", "removal_at": "2026-01-07T06:00:00+01:00"},
        ],
    }
    report = check(data, today="2026-01-02")
    assert report["timezone"] == "Europe/Berlin"
    d = one(report, "deadlines", kind="echr_application")
    # 24 April 2026 is a Friday; the safe date uses Germany's calendar
    assert (d["due_date"], d["safe_due_date"]) == ("2026-04-24", "2026-04-24")
    cutoff = one(report, "deadlines", kind="r39_cutoff")
    # 6 Jan: Tuesday, a Registry working day; removal at 06:00 Strasbourg: clamped to 08:00
    assert cutoff["due_at"] == "2026-01-06T08:00:00+01:00"
    # the safe date: Germany's calendar (6 Jan is not a federal holiday)
    assert cutoff["safe_due_date"] == "2026-01-06"


def test_a_forum_state_party_that_names_no_country_stops_the_load(tmp_path: Path) -> None:
    path = broken_pack(tmp_path, "    - {state: AL}", "    - {state: XX}", name="echr.yaml")
    with pytest.raises(PackError, match="'XX' is not an ISO 3166-1 country code") as info:
        load_packs(dirs=[path.parent])
    assert info.value.field == "availability.parties[0].state"

"""Case-file validation: every problem names its JSON path, never a personal value."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from refuge.casefile.validate import (
    CaseFileError,
    _describe,
    case_validator,
    check_report,
    load_casefile,
    read_casefile,
    schema_problems,
)
from refuge.casefile.vocab import COMMON_ATTRS, EVENT_TYPES, REQUIRED
from refuge.rules import check

SCHEMA = Path(__file__).parents[2] / "refuge" / "casefile" / "schema" / "case-1.schema.json"

GOOD: dict[str, Any] = {
    "format": "refuge.case/1",
    "reference": "SPB-2026-014",
    "host_state": "RU",
    "timezone": "Europe/Moscow",
    "person": {
        "nationality": "KP",
        "stateless": False,
        "languages": ["ko"],
        "names": [{"value": "Ри Сон Гюн", "script": "Cyrl"}, {"value": "Ri Song Gyun", "script": "Latn"}],
        "birth_date": "1971-03-02",
    },
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


def problems(data: Any) -> list[tuple[str, str]]:
    with pytest.raises(CaseFileError) as info:
        load_casefile(data)
    return [(p.path, p.message) for p in info.value.problems]


def paths(data: Any) -> list[str]:
    return [p for p, _ in problems(data)]


def with_event(event: dict[str, Any], index: int | None = None) -> dict[str, Any]:
    data = copy.deepcopy(GOOD)
    if index is None:
        data["events"].append(event)
    else:
        data["events"][index] = event
    return data


def test_casefile_md_example_is_valid() -> None:
    assert load_casefile(copy.deepcopy(GOOD)) == GOOD


def test_unknown_event_type_names_its_path() -> None:
    assert problems(with_event({"id": "e4", "type": "teleported", "at": "2026-03-04"})) == [
        ("$.events[3].type", "unknown event type 'teleported'")
    ]


def test_unknown_attribute_names_its_path() -> None:
    data = with_event({"id": "e4", "type": "released", "at": "2026-03-04", "reason": "x"})
    assert problems(data) == [("$.events[3].reason", "unknown attribute for released events")]


def test_attribute_of_another_type_is_unknown() -> None:
    data = with_event({"id": "e4", "type": "released", "at": "2026-03-04", "basis": "deportation"})
    assert paths(data) == ["$.events[3].basis"]


@pytest.mark.parametrize(
    ("at", "message"),
    [
        ("04.03.2026", "must be a date-time with an offset or a bare date (YYYY-MM-DD)"),
        ("2026-03-04T10:00:00", "must be a date-time with an offset or a bare date (YYYY-MM-DD)"),  # no offset
        ("2026-02-30", "is not a real date or date-time"),
        ("2026-02-29T10:00:00+03:00", "is not a real date or date-time"),
    ],
)
def test_bad_dates_name_the_path(at: str, message: str) -> None:
    assert problems(with_event({"id": "e4", "type": "released", "at": at})) == [("$.events[3].at", message)]


def test_attribute_dates_and_date_times_are_checked() -> None:
    data = with_event({"id": "e4", "type": "detention_ordered", "at": "2026-03-04", "term_until": "2026-13-01"})
    assert paths(data) == ["$.events[3].term_until"]
    data = with_event({"id": "e4", "type": "removal_scheduled", "at": "2026-03-04", "removal_at": "2026-03-10"})
    assert problems(data) == [
        ("$.events[3].removal_at", "must be a date-time with an offset (YYYY-MM-DDThh:mm:ss+hh:mm)")
    ]


def test_dangling_reference_names_the_path() -> None:
    data = with_event({"id": "e4", "type": "appeal_lodged", "at": "2026-03-05", "decision_event": "e9"})
    assert problems(data) == [("$.events[3].decision_event", "refers to no event in this case")]


def test_reference_to_an_event_of_the_wrong_type() -> None:
    data = with_event({"id": "e4", "type": "decision_received", "at": "2026-03-05", "decision_event": "e1"})
    assert problems(data) == [
        ("$.events[3].decision_event", "must refer to a decision_issued event, not detention_started")
    ]
    data = with_event({"id": "e4", "type": "removal_cancelled", "at": "2026-03-05", "removal_event": "e2"})
    assert paths(data) == ["$.events[3].removal_event"]


def test_appeal_may_refer_to_an_asylum_refusal() -> None:
    data = with_event({"id": "e4", "type": "asylum_refusal_received", "at": "2026-03-05", "kind": "refugee_status"})
    data["events"].append({"id": "e5", "type": "appeal_lodged", "at": "2026-03-06", "decision_event": "e4"})
    load_casefile(data)


def test_duplicate_id_names_the_second_use() -> None:
    data = with_event({"id": "e2", "type": "released", "at": "2026-03-05"})
    assert problems(data) == [("$.events[3].id", "duplicate event id (first used at $.events[1].id)")]


def test_missing_required_attribute() -> None:
    data = with_event({"id": "e4", "type": "detention_started", "at": "2026-03-05"})
    assert problems(data) == [("$.events[3].basis", "is required")]


@pytest.mark.parametrize(
    ("field", "value", "path"),
    [
        ("host_state", "Russia", "$.host_state"),
        ("host_state", "ru", "$.host_state"),
        ("timezone", "Europe/Moskva", "$.timezone"),
        ("timezone", "../../etc/passwd", "$.timezone"),
        ("format", "refuge.case/2", "$.format"),
        ("colour", "red", "$.colour"),
    ],
)
def test_top_level_problems(field: str, value: str, path: str) -> None:
    data = copy.deepcopy(GOOD)
    data[field] = value
    assert paths(data) == [path]


def test_enum_values_and_iso_codes_are_enforced() -> None:
    data = with_event({"id": "e4", "type": "decision_issued", "at": "2026-03-05", "decision": "banishment"})
    assert problems(data) == [
        (
            "$.events[3].decision",
            "must be one of: expulsion, deportation, readmission, extradition, refugee_refusal, "
            "temporary_asylum_refusal",
        )
    ]
    data = with_event({"id": "e4", "type": "consular_contact", "at": "2026-03-05", "country": "PRK"})
    assert paths(data) == ["$.events[3].country"]
    data = with_event(
        {"id": "e4", "type": "interim_measure_granted", "at": "2026-03-05", "forum": "un_cat", "destination": "kp"}
    )
    assert paths(data) == ["$.events[3].destination"]


def test_nullable_attributes_accept_null() -> None:
    data = with_event(
        {
            "id": "e4",
            "type": "interim_measure_granted",
            "at": "2026-03-05",
            "forum": "echr",
            "until": None,
            "destination": None,
        }
    )
    load_casefile(data)


def test_personal_values_never_appear_in_messages() -> None:
    data = copy.deepcopy(GOOD)
    data["person"]["names"][0]["value"] = 12345
    data["person"]["names"][1]["script"] = "Ri Song Gyun secret"
    data["person"]["birth_date"] = "1971-02-30"
    data["person"]["nationality"] = "North Korea"
    data["person"]["languages"] = ["Korean (Ri Song Gyun)"]
    with pytest.raises(CaseFileError) as info:
        load_casefile(data)
    error = info.value
    text = str(error)
    for secret in ("12345", "Ri Song", "1971", "North Korea", "Korean"):
        assert secret not in text
    assert [p.path for p in error.problems] == [
        "$.person.birth_date",
        "$.person.languages[0]",
        "$.person.names[0].value",
        "$.person.names[1].script",
        "$.person.nationality",
    ]


def test_str_lists_every_problem_one_per_line() -> None:
    data = copy.deepcopy(GOOD)
    data["host_state"] = "Russia"
    data["events"][0]["at"] = "yesterday"
    data["events"].append({"id": "e1", "type": "nope", "at": "2026-03-05"})
    with pytest.raises(CaseFileError) as info:
        load_casefile(data)
    lines = str(info.value).splitlines()
    assert lines == [
        "$.events[0].at: must be a date-time with an offset or a bare date (YYYY-MM-DD)",
        "$.events[3].id: duplicate event id (first used at $.events[0].id)",
        "$.events[3].type: unknown event type 'nope'",
        "$.host_state: must be an ISO 3166-1 alpha-2 code (two capital letters)",
    ]


@pytest.mark.parametrize("data", [[], "case", None, 3])
def test_not_an_object(data: Any) -> None:
    assert problems(data) == [("$", "must be a JSON object")]


def test_read_casefile_reports_unreadable_files_and_bad_json(tmp_path: Path) -> None:
    with pytest.raises(CaseFileError) as info:
        read_casefile(tmp_path / "missing.json")
    assert info.value.problems[0].path == "$"
    assert "cannot read" in str(info.value)
    bad = tmp_path / "bad.json"
    bad.write_text('{"format": "refuge.case/1",\n "events": [}', encoding="utf-8")
    with pytest.raises(CaseFileError, match=r"^\$: invalid JSON at line 2 column"):
        read_casefile(bad)
    good = tmp_path / "good.json"
    good.write_text(json.dumps(GOOD), encoding="utf-8")
    assert read_casefile(good) == GOOD


def test_case_schema_matches_the_vocabulary() -> None:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    types = schema["$defs"]["events"]
    assert set(types) == set(EVENT_TYPES)
    for name, attrs in EVENT_TYPES.items():
        assert set(types[name]["properties"]) == {"id", "type", "at", *COMMON_ATTRS, *attrs}, name
        assert types[name]["required"] == list(REQUIRED.get(name, ())), name
        assert types[name]["additionalProperties"] is False


def test_reports_conform_to_the_check_schema() -> None:
    data = copy.deepcopy(GOOD)
    data["events"] += [
        {"id": "e4", "type": "interim_measure_requested", "at": "2026-03-05T10:00:00+01:00", "forum": "echr"},
        {"id": "e5", "type": "removal_scheduled", "at": "2026-03-05", "removal_at": "2026-03-12T06:00:00+03:00"},
        {"id": "e6", "type": "detention_ordered", "at": "2026-03-04", "term_until": "2026-03-06"},
    ]
    report = check(load_casefile(data), today="2026-03-10")
    assert check_report(report) == []
    assert report["deadlines"] and report["milestones"] and report["conflicts"]
    broken = copy.deepcopy(report)
    broken["deadlines"][0]["status"] = "late"
    assert [p.path for p in check_report(broken)] == ["$.deadlines[0].status"]


@pytest.mark.parametrize(
    "event",
    [
        {"id": "e4", "type": "released", "at": "2026-03-04", "reason": "x"},
        {"id": "e4", "type": "detention_started", "at": "2026-03-05"},
        {"id": "e4", "type": "teleported", "at": "2026-03-04"},
        {"id": "e4", "type": "removal_scheduled", "at": "soon", "removal_at": "2026-03-10", "destination": "kp"},
        {"id": "e4", "type": "interim_measure_granted", "at": "2026-03-05", "forum": "ecthr", "until": 5},
        {"type": "document_signed", "at": "2026-03-05", "language": "Korean", "interpreter": "no"},
        "not an event",
    ],
)
def test_the_fast_validation_agrees_with_the_published_schema(event: Any) -> None:
    data = with_event(event)
    published = sorted({str(p) for e in case_validator().iter_errors(data) for p in _describe(e)})
    assert published
    assert sorted({str(p) for p in schema_problems(data)}) == published


def test_rescheduling_extension_destination_source_and_note_are_accepted() -> None:
    data = copy.deepcopy(GOOD)
    data["events"] += [
        {
            "id": "e4",
            "type": "removal_scheduled",
            "at": "2026-03-04",
            "removal_at": "2026-03-20T06:00:00+03:00",
            "destination": "KP",
            "source": "Bailiffs' call",
            "note": "Free text.",
        },
        {"id": "e5", "type": "interim_measure_requested", "at": "2026-03-05", "forum": "un_cat", "destination": None},
        {
            "id": "e6",
            "type": "interim_measure_granted",
            "at": "2026-03-06",
            "forum": "un_cat",
            "until": "2026-04-06T00:00:00+02:00",
            "destination": "KP",
        },
        {
            "id": "e7",
            "type": "interim_measure_requested",
            "at": "2026-03-30",
            "forum": "un_cat",
            "extends": "e6",
            "destination": "KP",
        },
        {
            "id": "e8",
            "type": "removal_scheduled",
            "at": "2026-03-08",
            "removal_at": "2026-03-25T06:00:00+03:00",
            "destination": "KP",
            "replaces": "e4",
        },
    ]
    load_casefile(data)


def test_replaces_names_a_removal_and_extends_a_grant() -> None:
    data = with_event(
        {
            "id": "e4",
            "type": "removal_scheduled",
            "at": "2026-03-04",
            "removal_at": "2026-03-20T06:00:00+03:00",
            "replaces": "e2",
        }
    )
    assert problems(data) == [("$.events[3].replaces", "must refer to a removal_scheduled event, not decision_issued")]
    data = with_event(
        {"id": "e4", "type": "interim_measure_requested", "at": "2026-03-04", "forum": "echr", "extends": "e1"}
    )
    assert paths(data) == ["$.events[3].extends"]
    data = with_event(
        {"id": "e4", "type": "interim_measure_requested", "at": "2026-03-04", "forum": "echr", "destination": "Korea"}
    )
    assert paths(data) == ["$.events[3].destination"]

"""Helpers for the engine's tests: building case files and matching reports by subset."""

from __future__ import annotations

from datetime import date
from typing import Any

from refuge.rules import check

IDENTITY = ("kind", "trigger", "event", "events", "forum", "code")


def case(*events: dict[str, Any], host: str = "RU", tz: str | None = None, **person: Any) -> dict[str, Any]:
    """A refuge.case/1 dict; events are given without ids (e1, e2, … in order) unless they carry one."""
    numbered = []
    for i, e in enumerate(events, start=1):
        item = {"id": f"e{i}", **e}
        numbered.append(item)
    data: dict[str, Any] = {
        "format": "refuge.case/1",
        "reference": "T-1",
        "host_state": host,
        "person": {"nationality": "KP", "stateless": False, "languages": ["ko"], **person},
        "events": numbered,
    }
    if tz is not None:
        data["timezone"] = tz
    return data


def run(data: dict[str, Any], today: str) -> dict[str, Any]:
    return check(data, today=date.fromisoformat(today))


def find(items: list[dict[str, Any]], **keys: Any) -> list[dict[str, Any]]:
    return [i for i in items if all(i.get(k) == v for k, v in keys.items())]


def one(report: dict[str, Any], section: str, **keys: Any) -> dict[str, Any]:
    found = find(report[section], **keys)
    assert len(found) == 1, f"expected one {section} item {keys}, found {len(found)}: {report[section]}"
    return found[0]


def _identity(item: dict[str, Any]) -> tuple[Any, ...]:
    return tuple((k, repr(item.get(k))) for k in IDENTITY if k in item)


def assert_subset(expected: Any, actual: Any, path: str = "$") -> None:
    """Every expected field is in the actual report with the same value.

    Lists of objects are matched item by item on their identity (kind with trigger, event or
    events; forum; code); an expected empty list must be empty; other lists must be equal.
    """
    if isinstance(expected, dict):
        assert isinstance(actual, dict), f"{path}: expected an object, got {actual!r}"
        for key, value in expected.items():
            assert key in actual, f"{path}.{key}: missing"
            assert_subset(value, actual[key], f"{path}.{key}")
    elif isinstance(expected, list) and expected and all(isinstance(i, dict) for i in expected):
        assert isinstance(actual, list), f"{path}: expected a list, got {actual!r}"
        for n, item in enumerate(expected):
            wanted = {k: item[k] for k in IDENTITY if k in item}
            candidates = [a for a in actual if all(a.get(k) == v for k, v in wanted.items())]
            assert candidates, f"{path}[{n}]: no item with {wanted} in {[_identity(a) for a in actual]}"
            errors = []
            for candidate in candidates:
                try:
                    assert_subset(item, candidate, f"{path}[{n}]")
                except AssertionError as exc:
                    errors.append(str(exc))
                else:
                    break
            else:
                raise AssertionError("; ".join(errors))
    else:
        assert actual == expected, f"{path}: expected {expected!r}, got {actual!r}"

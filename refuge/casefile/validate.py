"""Validation of ``refuge.case/1`` files: the JSON schema, then what a schema cannot say.

``load_casefile(data)`` checks a parsed JSON object; ``read_casefile(path)`` also reads and
parses the file. Both raise :class:`CaseFileError` listing every problem with its JSON path.
Messages name the path and what is wrong, never a personal value (names, birth date …).

Before the schema, hostile input is refused with a path too (README, "Case files: limits"):
a file larger than MAX_BYTES; JSON nested deeper than MAX_DEPTH; NaN or Infinity; a key given
twice in one object; a lone surrogate (\\ud800) in any string; more than MAX_EVENTS events; a
reference or an event id outside CODE_CHARACTERS; a date or instant outside the years
MIN_YEAR..MAX_YEAR (year 9999 with an offset cannot even be converted to UTC).
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import cache
from pathlib import Path
from typing import Any, Final
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

import jsonschema

from refuge.casefile.vocab import EVENT_TYPES
from refuge.lib.countries import is_country

MAX_BYTES: Final = 5 * 1024 * 1024  # a case file; a case of MAX_EVENTS events with notes is far smaller
MAX_DEPTH: Final = 20  # the schema nests 6 deep at most
MAX_EVENTS: Final = 2_000  # events per case, also for events added one by one (refuge.cases.actions)
MIN_YEAR: Final = 1900
MAX_YEAR: Final = 2200
# References and event ids: ASCII letters, digits, '.', '_' and '-', starting with a letter or digit.
# No space, no control character (a CR/LF in a reference broke every alert e-mail of its case).
CODE_CHARACTERS: Final = "A-Z a-z 0-9 . _ - (starting with a letter or a digit)"
REFERENCE_RE: Final = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,39}")
EVENT_ID_RE: Final = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")

SCHEMA_DIR: Final = Path(__file__).parent / "schema"
CASE_SCHEMA: Final = SCHEMA_DIR / "case-1.schema.json"
CHECK_SCHEMA: Final = SCHEMA_DIR / "check-1.schema.json"

# Which event types an ``event`` attribute may point to.
REFERENCE_TYPES: Final[dict[tuple[str, str], frozenset[str]]] = {
    ("decision_received", "decision_event"): frozenset({"decision_issued"}),
    ("appeal_lodged", "decision_event"): frozenset({"decision_issued", "asylum_refusal_received"}),
    ("appeal_decided", "decision_event"): frozenset({"decision_issued", "asylum_refusal_received"}),
    ("final_domestic_decision", "decision_event"): frozenset({"decision_issued", "appeal_decided"}),
    ("removal_cancelled", "removal_event"): frozenset({"removal_scheduled"}),
    ("removal_executed", "removal_event"): frozenset({"removal_scheduled"}),
    ("removal_scheduled", "replaces"): frozenset({"removal_scheduled"}),
    ("interim_measure_requested", "extends"): frozenset({"interim_measure_granted"}),
}

_PATTERN_MESSAGES: Final = {
    "date": "must be a date (YYYY-MM-DD)",
    "date-time": "must be a date-time with an offset (YYYY-MM-DDThh:mm:ss+hh:mm)",
    "at": "must be a date-time with an offset or a bare date (YYYY-MM-DD)",
    "country": "must be an ISO 3166-1 alpha-2 code (two capital letters)",
    "language": "must be a language code (ISO 639, e.g. ru, uz, ko)",
}
UNKNOWN_COUNTRY: Final = "is not a country: use an ISO 3166-1 alpha-2 code (e.g. KP, RU)"


@dataclass(frozen=True, slots=True)
class Problem:
    path: str  # a JSON path: $.events[2].at
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


class CaseFileError(ValueError):
    """The case file is invalid; ``problems`` lists each problem with its JSON path."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


@cache
def case_validator() -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(json.loads(CASE_SCHEMA.read_text(encoding="utf-8")))


@cache
def _split_validators() -> tuple[jsonschema.Draft202012Validator, dict[str, jsonschema.Draft202012Validator]]:
    """The case schema cut in two for speed, with the same verdicts and paths.

    The published schema picks each event's attributes with 26 ``if``/``then`` branches, which
    jsonschema evaluates for every event. Here the document is checked without them and each
    event is then checked against its own type's subschema only.
    """
    schema = json.loads(CASE_SCHEMA.read_text(encoding="utf-8"))
    defs = schema["$defs"]
    outer = dict(schema)
    outer["$defs"] = dict(defs)
    outer["$defs"]["event"] = {k: v for k, v in defs["event"].items() if k != "allOf"}
    per_type = {
        name: jsonschema.Draft202012Validator({"$defs": defs, "$ref": f"#/$defs/events/{name}"})
        for name in defs["events"]
    }
    return jsonschema.Draft202012Validator(outer), per_type


def _guard_problems(data: dict[str, Any]) -> list[Problem]:
    """What makes the schema's work pointless or unsafe: too many events, bad codes, bad strings, bad numbers."""
    problems: list[Problem] = []
    events = data.get("events")
    if isinstance(events, list) and len(events) > MAX_EVENTS:
        problems.append(Problem("$.events", f"has {len(events)} events; a case holds at most {MAX_EVENTS}"))
    reference = data.get("reference")
    if isinstance(reference, str) and not REFERENCE_RE.fullmatch(reference):
        problems.append(Problem("$.reference", f"must be 1 to 40 characters of {CODE_CHARACTERS}"))
    if isinstance(events, list) and len(events) <= MAX_EVENTS:
        for i, event in enumerate(events):
            eid = event.get("id") if isinstance(event, dict) else None
            if isinstance(eid, str) and not EVENT_ID_RE.fullmatch(eid):
                problems.append(Problem(f"$.events[{i}].id", f"must be 1 to 64 characters of {CODE_CHARACTERS}"))
    problems.extend(_walk_values(data))
    return problems


class _Duplicates(dict):  # type: ignore[type-arg]  # a JSON object that remembers its repeated keys
    repeated: list[str]


class _BadNumber:
    """NaN, Infinity or -Infinity where JSON allows none (Python's parser accepts them)."""


def _object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    obj = _Duplicates(pairs)
    if len(obj) != len(pairs):
        seen: set[str] = set()
        obj.repeated = [k for k, _ in pairs if k in seen or seen.add(k)]  # type: ignore[func-returns-value]
    return obj


def _has_surrogate(text: str) -> bool:
    return any("\ud800" <= ch <= "\udfff" for ch in text)


def _walk_values(data: object) -> list[Problem]:
    """Depth, repeated keys, NaN and lone surrogates anywhere in the document (iteratively: no recursion)."""
    problems: list[Problem] = []
    stack: list[tuple[object, tuple[object, ...]]] = [(data, ())]
    while stack:
        value, parts = stack.pop()
        if len(parts) > MAX_DEPTH:
            problems.append(Problem(json_path(parts[:MAX_DEPTH]), f"is nested deeper than {MAX_DEPTH} levels"))
            continue
        if isinstance(value, _BadNumber) or (isinstance(value, float) and not math.isfinite(value)):
            problems.append(Problem(json_path(parts), "must be a number (NaN and Infinity are not JSON)"))
        elif isinstance(value, str):
            if _has_surrogate(value):
                problems.append(Problem(json_path(parts), "contains a lone surrogate: not Unicode text"))
        elif isinstance(value, dict):
            repeated = getattr(value, "repeated", ())
            problems.extend(Problem(json_path([*parts, k]), "is given twice in the same object") for k in repeated)
            for key, item in value.items():
                if isinstance(key, str) and _has_surrogate(key):
                    problems.append(Problem(json_path(parts), "has a key with a lone surrogate: not Unicode text"))
                    continue
                stack.append((item, (*parts, key)))
        elif isinstance(value, list):
            stack.extend((item, (*parts, i)) for i, item in enumerate(value))
    return problems


def schema_problems(data: dict[str, Any]) -> list[Problem]:
    """Problems of ``data`` against ``case-1.schema.json`` (via the faster split validators)."""
    outer, per_type = _split_validators()
    problems: list[Problem] = []
    for error in outer.iter_errors(data):
        problems.extend(_describe(error))
    events = data.get("events")
    if isinstance(events, list):
        for i, event in enumerate(events):
            etype = event.get("type") if isinstance(event, dict) else None
            validator = per_type.get(etype) if isinstance(etype, str) else None
            if validator is not None:
                for error in validator.iter_errors(event):
                    problems.extend(_describe(error, ("events", i)))
    return problems


@cache
def check_validator() -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(json.loads(CHECK_SCHEMA.read_text(encoding="utf-8")))


@cache
def _zones() -> frozenset[str]:
    return frozenset(available_timezones())


def json_path(parts: Iterable[object]) -> str:
    path = "$"
    for part in parts:
        if isinstance(part, int):
            path += f"[{part}]"
        elif re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", str(part)):
            path += f".{part}"
        else:
            path += f"[{json.dumps(str(part))}]"
    return path


def _kind_of_pattern(schema: dict[str, Any]) -> str | None:
    if "format" in schema:
        return str(schema["format"])
    pattern = str(schema.get("pattern", ""))
    if pattern == r"^[A-Z]{2}$":
        return "country"
    if pattern.startswith("^[a-z]{2,3}"):
        return "language"
    if "(T" in pattern:
        return "at"
    return None


def _describe(  # noqa: PLR0911 - one return per schema keyword
    error: jsonschema.ValidationError, prefix: tuple[object, ...] = ()
) -> list[Problem]:
    """Turn one schema error into problems without quoting the offending value."""
    parts = [*prefix, *error.absolute_path]
    path = json_path(parts)
    validator = error.validator
    instance = error.instance
    in_event = len(parts) >= 2 and parts[0] == "events"
    if validator == "required":
        present = instance if isinstance(instance, dict) else {}
        return [
            Problem(json_path([*parts, name]), "is required")
            for name in error.validator_value
            if name not in present
        ]
    if validator == "additionalProperties" and isinstance(instance, dict):
        allowed = set(error.schema.get("properties", {}))
        what = f"unknown attribute for {instance.get('type')} events" if in_event else "unknown field"
        return [Problem(json_path([*parts, name]), what) for name in sorted(instance) if name not in allowed]
    if validator == "enum":
        if in_event and parts[-1] == "type" and len(parts) == 3:
            shown = instance if isinstance(instance, str) and len(instance) <= 60 else "?"
            return [Problem(path, f"unknown event type {shown!r}")]
        return [Problem(path, "must be one of: " + ", ".join(str(v) for v in error.validator_value))]
    if validator == "const":
        return [Problem(path, f"must be {json.dumps(error.validator_value)}")]
    if validator == "pattern":
        kind = _kind_of_pattern(error.schema)
        return [Problem(path, _PATTERN_MESSAGES.get(kind or "", "has the wrong form"))]
    if validator == "type":
        expected = error.validator_value
        names = expected if isinstance(expected, list) else [expected]
        return [Problem(path, "must be " + " or ".join(_article(n) for n in names))]
    if validator == "anyOf":
        # nullable values: report the non-null branch's complaint
        for sub in sorted(error.context or (), key=lambda e: len(list(e.absolute_path)), reverse=True):
            if sub.validator != "type":
                return _describe(sub, prefix)
        return [Problem(path, "has the wrong type")]
    if validator in ("minLength", "maxLength", "minItems", "maxItems"):
        return [Problem(path, f"violates {validator} {error.validator_value}")]
    return [Problem(path, f"is invalid ({validator})")]


def _article(name: str) -> str:
    return {"object": "an object", "array": "an array", "null": "null", "integer": "an integer"}.get(name, f"a {name}")


def _sort_key(problem: Problem) -> tuple[tuple[int, int, str], ...]:
    key = []
    for token in re.findall(r"\[(\d+)\]|\.([A-Za-z_][A-Za-z0-9_]*)|\[(\"[^\"]*\")\]", problem.path):
        number, name, quoted = token
        key.append((0, int(number), "") if number else (1, 0, name or quoted))
    return tuple(key)


def _parse_date(value: object) -> bool:
    try:
        parsed = date.fromisoformat(str(value))
    except ValueError:
        return False
    return MIN_YEAR <= parsed.year <= MAX_YEAR


def _parse_instant(value: object) -> bool:
    text = str(value)
    try:
        if len(text) == 10:
            return _parse_date(text)
        parsed = datetime.fromisoformat(text)
        if parsed.tzinfo is None:
            return False
        in_utc = parsed.astimezone(UTC)  # year 9999 with a negative offset overflows here
    except (ValueError, OverflowError):
        return False
    return MIN_YEAR <= parsed.year <= MAX_YEAR and MIN_YEAR <= in_utc.year <= MAX_YEAR


def _semantic(data: dict[str, Any], known: set[str]) -> list[Problem]:
    """Checks a schema cannot express. ``known`` holds paths that already have a problem."""
    problems = _check_zone(data.get("timezone"))
    problems.extend(_check_country("$.host_state", data.get("host_state"), known))
    person = data.get("person")
    if isinstance(person, dict):
        problems.extend(_check_country("$.person.nationality", person.get("nationality"), known))
    if isinstance(person, dict) and isinstance(person.get("birth_date"), str):
        path = "$.person.birth_date"
        if path not in known and not _parse_date(person["birth_date"]):
            problems.append(Problem(path, "is not a real calendar date"))
    events = data.get("events")
    if isinstance(events, list):
        types, duplicates = _check_ids(events)
        problems.extend(duplicates)
        for i, event in enumerate(events):
            if isinstance(event, dict):
                problems.extend(_check_event(i, event, types, known))
    return problems


def _check_zone(zone: object) -> list[Problem]:
    if not isinstance(zone, str):
        return []
    try:
        ZoneInfo(zone)
        valid = zone in _zones() or not _zones()
    except (ZoneInfoNotFoundError, ValueError):
        valid = False
    return [] if valid else [Problem("$.timezone", "is not a known IANA time zone")]


def _check_country(path: str, value: object, known: set[str]) -> list[Problem]:
    """A well-formed code that names no country (XX, ZZ): the schema's pattern cannot tell."""
    if not isinstance(value, str) or path in known or is_country(value):
        return []
    return [Problem(path, UNKNOWN_COUNTRY)]


def _check_ids(events: list[Any]) -> tuple[dict[str, str], list[Problem]]:
    first_seen: dict[str, int] = {}
    types: dict[str, str] = {}
    problems = []
    for i, event in enumerate(events):
        if not isinstance(event, dict) or not isinstance(event.get("id"), str):
            continue
        eid = event["id"]
        if eid in first_seen:
            message = f"duplicate event id (first used at $.events[{first_seen[eid]}].id)"
            problems.append(Problem(f"$.events[{i}].id", message))
        else:
            first_seen[eid] = i
            types[eid] = str(event.get("type"))
    return types, problems


def _check_event(i: int, event: dict[str, Any], types: dict[str, str], known: set[str]) -> list[Problem]:
    problems = []
    etype = event.get("type")
    attrs = EVENT_TYPES.get(etype, {}) if isinstance(etype, str) else {}
    at_path = f"$.events[{i}].at"
    if isinstance(event.get("at"), str) and at_path not in known and not _parse_instant(event["at"]):
        problems.append(Problem(at_path, "is not a real date or date-time"))
    for name, kind in attrs.items():
        value = event.get(name)
        path = f"$.events[{i}].{name}"
        if not isinstance(value, str) or path in known:
            continue
        if kind == "date" and not _parse_date(value):
            problems.append(Problem(path, "is not a real calendar date"))
        elif kind.startswith("datetime") and not _parse_instant(value):
            problems.append(Problem(path, "is not a real date-time"))
        elif kind.startswith("country"):
            problems.extend(_check_country(path, value, known))
        elif kind == "event":
            problems.extend(_reference(str(etype), name, value, path=path, types=types, own=event.get("id")))
    return problems


def _reference(etype: str, name: str, value: str, *, path: str, types: dict[str, str], own: object) -> list[Problem]:
    if value not in types:
        return [Problem(path, "refers to no event in this case")]
    if value == own:
        return [Problem(path, "refers to the event itself")]
    allowed = REFERENCE_TYPES.get((etype, name))
    if allowed is not None and types[value] not in allowed:
        return [Problem(path, f"must refer to a {' or '.join(sorted(allowed))} event, not {types[value]}")]
    return []


def load_casefile(data: object) -> dict[str, Any]:
    """Validate a parsed JSON object as ``refuge.case/1``; return it, or raise CaseFileError."""
    if not isinstance(data, dict):
        raise CaseFileError([Problem("$", "must be a JSON object")])
    guards = _guard_problems(data)
    if guards:  # the schema is not run over hostile input (a million events, NaN, 10,000 levels)
        raise CaseFileError(sorted(dict.fromkeys(guards), key=_sort_key))
    problems: list[Problem] = []
    problems.extend(schema_problems(data))
    known = {p.path for p in problems}
    problems.extend(_semantic(data, known))
    if problems:
        unique = list(dict.fromkeys(problems))
        unique.sort(key=_sort_key)
        raise CaseFileError(unique)
    return data


def read_casefile(path: str | Path) -> dict[str, Any]:
    """Read, parse and validate a case file; unreadable files and bad JSON raise CaseFileError too."""
    return decode_casefile(read_bytes(path))


def read_bytes(path: str | Path) -> bytes:
    """A case file's bytes, or CaseFileError if it cannot be read or is larger than MAX_BYTES."""
    try:
        with Path(path).open("rb") as handle:
            raw = handle.read(MAX_BYTES + 1)
    except OSError as exc:
        raise CaseFileError([Problem("$", f"cannot read the file: {exc.strerror or exc}")]) from exc
    if len(raw) > MAX_BYTES:
        raise CaseFileError([Problem("$", f"the file is larger than {MAX_BYTES:,} bytes, the limit of a case file")])
    return raw


def decode_casefile(raw: bytes) -> dict[str, Any]:
    """Parse and validate a case file's bytes (see `read_casefile`)."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise CaseFileError([Problem("$", "the file is not UTF-8 text")]) from exc
    return load_casefile(parse_json(text))


def parse_json(text: str) -> object:
    """Parse a case file's text, keeping what the guards must see (repeated keys, NaN) for load_casefile."""
    try:
        return json.loads(text, object_pairs_hook=_object, parse_constant=lambda _name: _BadNumber())
    except json.JSONDecodeError as exc:
        raise CaseFileError([Problem("$", f"invalid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}")]) from exc
    except RecursionError:
        raise CaseFileError([Problem("$", f"is nested deeper than {MAX_DEPTH} levels")]) from None
    except ValueError as exc:  # an integer of more digits than Python converts (sys.int_info)
        raise CaseFileError([Problem("$", f"a number cannot be read: {str(exc)[:80]}")]) from None


def check_report(report: object) -> list[Problem]:
    """Problems of a report against ``check-1.schema.json`` (empty when it conforms)."""
    problems: list[Problem] = []
    for error in check_validator().iter_errors(report):
        problems.extend(_describe(error))
    return problems

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
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from functools import cache
from pathlib import Path
from typing import Any, Final
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

import fastjsonschema
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
    """One problem at a JSON path: the English ``message`` (the CLI's output, the API's), and for pages
    a stable ``code`` with its ``params`` that refuge.cases.problem_words renders in the reader's language.

    Params hold no personal value: field names, limits, codes of the vocabulary, paths.
    """

    path: str  # a JSON path: $.events[2].at
    message: str
    code: str = field(default="", kw_only=True, compare=False)
    params: Mapping[str, Any] = field(default_factory=dict, kw_only=True, compare=False, hash=False)

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


@cache
def _compiled_validators() -> tuple[Any, dict[str, Any]]:
    """`_split_validators` compiled to Python code once per process (fastjsonschema): a yes or no.

    The verdict only: a file they accept is valid for the schema; one they refuse goes through
    `_split_validators` again, which lists every problem with its path and words. Formats are not
    asserted, as jsonschema does not assert them; a `$ref` outside the schema is refused, never fetched.
    """
    schema = json.loads(CASE_SCHEMA.read_text(encoding="utf-8"))
    defs = schema["$defs"]
    outer = dict(schema)
    outer["$defs"] = dict(defs)
    outer["$defs"]["event"] = {k: v for k, v in defs["event"].items() if k != "allOf"}
    handlers = {"http": _no_fetch, "https": _no_fetch, "file": _no_fetch}
    per_type = {
        name: fastjsonschema.compile(
            {"$id": schema["$id"], "$defs": defs, "$ref": f"#/$defs/events/{name}"},
            handlers=handlers,
            use_formats=False,
        )
        for name in defs["events"]
    }
    return fastjsonschema.compile(outer, handlers=handlers, use_formats=False), per_type


def prepare() -> None:
    """Make what validating needs once (the compiled schema, the zones), e.g. before forking workers
    that would otherwise each make it again."""
    _compiled_validators()
    _zones()


def _no_fetch(uri: str) -> Any:
    raise ValueError(f"the case schema refers outside itself ({uri}): not fetched")


def _schema_valid(data: dict[str, Any]) -> bool:
    """The compiled validators' verdict: True when the document certainly conforms."""
    outer, per_type = _compiled_validators()
    try:
        outer(data)
        for event in data["events"]:
            per_type[event["type"]](event)
    except (fastjsonschema.JsonSchemaException, KeyError, TypeError):
        return False
    return True


def _guard_problems(data: dict[str, Any]) -> list[Problem]:
    """What makes the schema's work pointless or unsafe: too many events, bad codes, bad strings, bad numbers."""
    problems: list[Problem] = []
    events = data.get("events")
    if isinstance(events, list) and len(events) > MAX_EVENTS:
        message = f"has {len(events)} events; a case holds at most {MAX_EVENTS}"
        params = {"count": len(events), "limit": MAX_EVENTS}
        problems.append(Problem("$.events", message, code="too_many_events", params=params))
    reference = data.get("reference")
    if isinstance(reference, str) and not REFERENCE_RE.fullmatch(reference):
        message = f"must be 1 to 40 characters of {CODE_CHARACTERS}"
        problems.append(Problem("$.reference", message, code="code_characters", params={"limit": 40}))
    if isinstance(events, list) and len(events) <= MAX_EVENTS:
        for i, event in enumerate(events):
            eid = event.get("id") if isinstance(event, dict) else None
            if isinstance(eid, str) and not EVENT_ID_RE.fullmatch(eid):
                message = f"must be 1 to 64 characters of {CODE_CHARACTERS}"
                problems.append(Problem(f"$.events[{i}].id", message, code="code_characters", params={"limit": 64}))
    if not _looks_clean(data):  # only a document with something to report is walked with paths
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


_SURROGATE = re.compile("[\ud800-\udfff]")


def _has_surrogate(text: str) -> bool:
    return _SURROGATE.search(text) is not None


def _looks_clean(data: object) -> bool:
    """True when `_walk_values` would find nothing: the same walk without building a path per value,
    the strings searched for surrogates at once. False for anything it might report (or not expect)."""
    texts: list[str] = []
    stack: list[tuple[object, int]] = [(data, 0)]
    while stack:
        value, depth = stack.pop()
        items = _items(value, texts)
        if items is None or depth >= MAX_DEPTH:  # its items would be deeper than the limit, or at it
            return False
        for item in items:
            kind = type(item)
            if kind is str:
                texts.append(item)  # type: ignore[arg-type]  # its type is str
            elif kind in _CONTAINERS:
                stack.append((item, depth + 1))
            elif kind is float and not math.isfinite(item):  # type: ignore[arg-type]  # its type is float
                return False
            elif kind not in _SCALARS:
                return False  # _BadNumber (NaN), or what the JSON parser does not make
    try:
        return _SURROGATE.search("".join(texts)) is None
    except TypeError:  # a key that is not text (a document made in Python, not parsed): walk it with paths
        return False


_CONTAINERS = frozenset({dict, _Duplicates, list})
_SCALARS = frozenset({str, int, bool, float, type(None)})


def _items(value: object, texts: list[str]) -> Iterable[object] | None:
    """A container's items for `_looks_clean` (an object's keys go to `texts`); None when it is not one,
    or is an object with a repeated key."""
    if isinstance(value, dict):
        if getattr(value, "repeated", None):
            return None
        texts.extend(value)
        return value.values()
    return value if type(value) is list else None


def _walk_values(data: object) -> list[Problem]:
    """Depth, repeated keys, NaN and lone surrogates anywhere in the document (iteratively: no recursion)."""
    problems: list[Problem] = []
    stack: list[tuple[object, tuple[object, ...]]] = [(data, ())]
    while stack:
        value, parts = stack.pop()
        if len(parts) > MAX_DEPTH:
            message = f"is nested deeper than {MAX_DEPTH} levels"
            problems.append(
                Problem(json_path(parts[:MAX_DEPTH]), message, code="too_deep", params={"limit": MAX_DEPTH})
            )
            continue
        if isinstance(value, _BadNumber) or (isinstance(value, float) and not math.isfinite(value)):
            message = "must be a number (NaN and Infinity are not JSON)"
            problems.append(Problem(json_path(parts), message, code="not_a_number"))
        elif isinstance(value, str):
            if _has_surrogate(value):
                message = "contains a lone surrogate: not Unicode text"
                problems.append(Problem(json_path(parts), message, code="lone_surrogate"))
        elif isinstance(value, dict):
            repeated = getattr(value, "repeated", ())
            problems.extend(
                Problem(json_path([*parts, k]), "is given twice in the same object", code="repeated_key")
                for k in repeated
            )
            for key, item in value.items():
                if isinstance(key, str) and _has_surrogate(key):
                    message = "has a key with a lone surrogate: not Unicode text"
                    problems.append(Problem(json_path(parts), message, code="lone_surrogate_key"))
                    continue
                stack.append((item, (*parts, key)))
        elif isinstance(value, list):
            stack.extend((item, (*parts, i)) for i, item in enumerate(value))
    return problems


def schema_problems(data: dict[str, Any]) -> list[Problem]:
    """Problems of ``data`` against ``case-1.schema.json`` (via the faster split validators).

    A document the compiled validators accept has none; only one they refuse is checked again to
    name each problem."""
    if _schema_valid(data):
        return []
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


# A pattern's kind → its problem code (the page renders it; `message` stays the English above).
_PATTERN_CODES: Final = {
    "date": "date_form",
    "date-time": "datetime_form",
    "at": "instant_form",
    "country": "country_form",
    "language": "language_form",
}
# jsonschema's length and size keywords → (problem code, English wording)
_LIMITS: Final = {
    "minLength": ("min_length", "violates minLength {}"),
    "maxLength": ("max_length", "violates maxLength {}"),
    "minItems": ("min_items", "violates minItems {}"),
    "maxItems": ("max_items", "violates maxItems {}"),
    "minimum": ("minimum", "is invalid (minimum)"),
    "maximum": ("maximum", "is invalid (maximum)"),
    "exclusiveMinimum": ("exclusive_minimum", "is invalid (exclusiveMinimum)"),
    "exclusiveMaximum": ("exclusive_maximum", "is invalid (exclusiveMaximum)"),
    "minProperties": ("min_properties", "is invalid (minProperties)"),
    "maxProperties": ("max_properties", "is invalid (maxProperties)"),
}
_TYPE_NAMES: Final = ("object", "array", "string", "integer", "number", "boolean", "null")


def _describe(  # noqa: PLR0911 - one return per schema keyword
    error: jsonschema.ValidationError, prefix: tuple[object, ...] = ()
) -> list[Problem]:
    """Turn one schema error into problems without quoting the offending value.

    Each problem gets a code and parameters from the error's keyword and the schema's value (the rule),
    never from the instance, which may be a name or a note.
    """
    parts = [*prefix, *error.absolute_path]
    path = json_path(parts)
    validator = str(error.validator)
    instance = error.instance
    in_event = len(parts) >= 2 and parts[0] == "events"
    if validator == "required":
        present = instance if isinstance(instance, dict) else {}
        return [
            Problem(json_path([*parts, name]), "is required", code="required", params={"field": str(name)})
            for name in error.validator_value
            if name not in present
        ]
    if validator == "additionalProperties" and isinstance(instance, dict):
        allowed = set(error.schema.get("properties", {}))
        unknown = [name for name in sorted(instance) if name not in allowed]
        if in_event:
            etype = _vocabulary_word(instance.get("type"))
            what = f"unknown attribute for {instance.get('type')} events"
            return [
                Problem(json_path([*parts, n]), what, code="unknown_attribute", params={"event_type": etype})
                for n in unknown
            ]
        return [Problem(json_path([*parts, n]), "unknown field", code="unknown_field") for n in unknown]
    if validator == "enum":
        if in_event and parts[-1] == "type" and len(parts) == 3:
            shown = instance if isinstance(instance, str) and len(instance) <= 60 else "?"
            return [Problem(path, f"unknown event type {shown!r}", code="unknown_event_type", params={"value": shown})]
        allowed_values = ", ".join(str(v) for v in error.validator_value)
        return [Problem(path, "must be one of: " + allowed_values, code="enum", params={"allowed": allowed_values})]
    if validator == "const":
        expected = json.dumps(error.validator_value)
        return [Problem(path, f"must be {expected}", code="const", params={"expected": expected})]
    if validator in ("pattern", "format"):
        kind = _kind_of_pattern(error.schema) or ""
        code = _PATTERN_CODES.get(kind, "pattern")
        return [Problem(path, _PATTERN_MESSAGES.get(kind, "has the wrong form"), code=code)]
    if validator == "type":
        expected = error.validator_value
        names = [str(n) for n in (expected if isinstance(expected, list) else [expected])]
        message = "must be " + " or ".join(_article(n) for n in names)
        return [Problem(path, message, code="type", params={"types": tuple(n for n in names if n in _TYPE_NAMES)})]
    if validator == "anyOf":
        # nullable values: report the non-null branch's complaint
        for sub in sorted(error.context or (), key=lambda e: len(list(e.absolute_path)), reverse=True):
            if sub.validator != "type":
                return _describe(sub, prefix)
        return [Problem(path, "has the wrong type", code="wrong_type")]
    return [_other(error, path, validator)]


def _other(error: jsonschema.ValidationError, path: str, validator: str) -> Problem:
    """The keywords of sizes and limits, and any other: the rule, never the value."""
    if validator in _LIMITS:
        code, wording = _LIMITS[validator]
        return Problem(path, wording.format(error.validator_value), code=code, params={"limit": error.validator_value})
    if validator == "uniqueItems":
        return Problem(path, "is invalid (uniqueItems)", code="unique_items")
    if validator in ("oneOf", "not"):
        return Problem(path, f"is invalid ({validator})", code="no_form_matches")
    return Problem(path, f"is invalid ({validator})", code="invalid", params={"rule": validator})


def _vocabulary_word(value: object) -> str:
    """An event type as a page may name it: a code of the vocabulary, else nothing (never a free value)."""
    return value if isinstance(value, str) and value in EVENT_TYPES else ""


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
            problems.append(Problem(path, "is not a real calendar date", code="not_a_date"))
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
    return [] if valid else [Problem("$.timezone", "is not a known IANA time zone", code="unknown_zone")]


def _check_country(path: str, value: object, known: set[str]) -> list[Problem]:
    """A well-formed code that names no country (XX, ZZ): the schema's pattern cannot tell."""
    if not isinstance(value, str) or path in known or is_country(value):
        return []
    return [Problem(path, UNKNOWN_COUNTRY, code="unknown_country")]


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
            first = f"$.events[{first_seen[eid]}].id"
            problems.append(Problem(f"$.events[{i}].id", message, code="duplicate_id", params={"first": first}))
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
        problems.append(Problem(at_path, "is not a real date or date-time", code="not_an_instant"))
    for name, kind in attrs.items():
        value = event.get(name)
        path = f"$.events[{i}].{name}"
        if not isinstance(value, str) or path in known:
            continue
        if kind == "date" and not _parse_date(value):
            problems.append(Problem(path, "is not a real calendar date", code="not_a_date"))
        elif kind.startswith("datetime") and not _parse_instant(value):
            problems.append(Problem(path, "is not a real date-time", code="not_a_datetime"))
        elif kind.startswith("country"):
            problems.extend(_check_country(path, value, known))
        elif kind == "event":
            problems.extend(_reference(str(etype), name, value, path=path, types=types, own=event.get("id")))
    return problems


def _reference(etype: str, name: str, value: str, *, path: str, types: dict[str, str], own: object) -> list[Problem]:
    if value not in types:
        return [Problem(path, "refers to no event in this case", code="dangling_reference")]
    if value == own:
        return [Problem(path, "refers to the event itself", code="self_reference")]
    allowed = REFERENCE_TYPES.get((etype, name))
    if allowed is not None and types[value] not in allowed:
        message = f"must refer to a {' or '.join(sorted(allowed))} event, not {types[value]}"
        params = {"allowed": tuple(sorted(allowed)), "actual": _vocabulary_word(types[value])}
        return [Problem(path, message, code="wrong_reference", params=params)]
    return []


def load_casefile(data: object) -> dict[str, Any]:
    """Validate a parsed JSON object as ``refuge.case/1``; return it, or raise CaseFileError."""
    if not isinstance(data, dict):
        raise CaseFileError([Problem("$", "must be a JSON object", code="not_an_object")])
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
        raise CaseFileError([Problem("$", f"cannot read the file: {exc.strerror or exc}", code="unreadable")]) from exc
    if len(raw) > MAX_BYTES:
        message = f"the file is larger than {MAX_BYTES:,} bytes, the limit of a case file"
        raise CaseFileError([Problem("$", message, code="too_large", params={"limit": MAX_BYTES})])
    return raw


def decode_casefile(raw: bytes) -> dict[str, Any]:
    """Parse and validate a case file's bytes (see `read_casefile`)."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise CaseFileError([Problem("$", "the file is not UTF-8 text", code="not_utf8")]) from exc
    return load_casefile(parse_json(text))


def parse_json(text: str) -> object:
    """Parse a case file's text, keeping what the guards must see (repeated keys, NaN) for load_casefile."""
    try:
        return json.loads(text, object_pairs_hook=_object, parse_constant=lambda _name: _BadNumber())
    except json.JSONDecodeError as exc:
        message = f"invalid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}"
        params = {"line": exc.lineno, "column": exc.colno}
        raise CaseFileError([Problem("$", message, code="invalid_json", params=params)]) from exc
    except RecursionError:
        message = f"is nested deeper than {MAX_DEPTH} levels"
        raise CaseFileError([Problem("$", message, code="too_deep", params={"limit": MAX_DEPTH})]) from None
    except ValueError as exc:  # an integer of more digits than Python converts (sys.int_info)
        message = f"a number cannot be read: {str(exc)[:80]}"
        raise CaseFileError([Problem("$", message, code="unreadable_number")]) from None


def check_report(report: object) -> list[Problem]:
    """Problems of a report against ``check-1.schema.json`` (empty when it conforms)."""
    problems: list[Problem] = []
    for error in check_validator().iter_errors(report):
        problems.extend(_describe(error))
    return problems

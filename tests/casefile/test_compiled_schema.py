"""The compiled schema validators (the fast yes-or-no of `load_casefile`) agree with jsonschema's.

A file they accept must be one jsonschema accepts (else a bad file would be imported), and one they
refuse must be one it refuses (else a good file would be refused with no problem to name)."""

from __future__ import annotations

import copy
import json
import random
from typing import Any

from bench.engine import make_case
from refuge.casefile.validate import MAX_DEPTH, _looks_clean, _schema_valid, _split_validators, _walk_values, parse_json


def full_verdict(data: dict[str, Any]) -> bool:
    outer, per_type = _split_validators()
    if any(True for _ in outer.iter_errors(data)):
        return False
    for event in data.get("events", []):
        validator = per_type.get(event.get("type")) if isinstance(event, dict) else None
        if validator is not None and any(True for _ in validator.iter_errors(event)):
            return False
    return True


def mutations(data: dict[str, Any], rng: random.Random) -> list[dict[str, Any]]:
    """Variants of a valid case file, most of them invalid in one way."""
    out = []
    for _ in range(30):
        doc = copy.deepcopy(data)
        event = rng.choice(doc["events"])
        name = rng.choice(sorted(event))
        what = rng.randrange(9)
        if what == 0:
            del event[name]
        elif what == 1:
            event[name] = 7
        elif what == 2:
            event[name] = 1.0
        elif what == 3:
            event[name] = None
        elif what == 4:
            event["unknown_attribute"] = "x"
        elif what == 5:
            event[name] = True
        elif what == 6:
            event["at"] = rng.choice(["2024-13-01", "2024-01-01T10:00:00", "yesterday", "2024-01-01"])
        elif what == 7:
            doc[rng.choice(["host_state", "reference", "format", "timezone", "status"])] = rng.choice(
                ["", "zz", 3, "RU", "closed", "refuge.case/2"]
            )
        else:
            doc["person"] = rng.choice([{}, {"nationality": "uz"}, {"stateless": "yes"}, {"languages": ["ru", 5]}])
        out.append(doc)
    return out


def test_the_compiled_validators_agree_with_jsonschema(examples_dir):
    rng = random.Random(11)  # noqa: S311  # seeded fictional cases, not secrets
    samples = [json.loads(p.read_text(encoding="utf-8")) for p in sorted(examples_dir.glob("*.case.json"))]
    samples += [make_case(rng, n) for n in range(10)]
    seen = {True: 0, False: 0}
    for data in samples:
        assert _schema_valid(data) and full_verdict(data)
        for doc in mutations(data, rng):
            verdict = full_verdict(doc)
            assert _schema_valid(doc) == verdict, json.dumps(doc)[:400]
            seen[verdict] += 1
    assert seen[True] and seen[False] > 100, seen  # both verdicts were exercised


def hostile_variants(text: str, rng: random.Random) -> list[str]:
    """A valid case file's text with one thing the guards report put somewhere in it, and some
    near misses they must not report (nesting right at the limit, a valid surrogate pair)."""
    data = json.loads(text)
    out = []
    for _ in range(40):
        doc = copy.deepcopy(data)
        event = rng.choice(doc["events"])
        what = rng.randrange(8)
        if what == 0:
            event["note"] = "a" + "\ud800" * rng.randrange(1, 3) + "b"  # a lone surrogate in a value
        elif what == 1:
            event["\udfff"] = "x"  # in a key
        elif what == 2:
            event["weight"] = rng.choice([float("nan"), float("inf"), float("-inf")])
        elif what == 3:
            depth = rng.choice([MAX_DEPTH - 3, MAX_DEPTH - 2, MAX_DEPTH - 1, MAX_DEPTH, MAX_DEPTH + 3])
            nested: object = "deep"
            for _level in range(depth):
                nested = [nested] if rng.random() < 0.5 else {"k": nested}
            event["nested"] = nested  # the event is at depth 3: over the limit or right under it
        elif what == 4:
            event["note"] = "\ud83d\ude00 fine"  # a pair: not a problem once parsed as text
        elif what == 5:
            event["empty"] = [[], {}, [[]]]
        doc_text = json.dumps(doc, ensure_ascii=rng.random() < 0.5)
        if what == 6:  # a repeated key, which json.dumps cannot write
            doc_text = doc_text.replace('"reference":', '"reference": "X", "reference":', 1)
        elif what == 7:
            doc_text = doc_text.replace('"events":', '"nan": NaN, "events":', 1)
        out.append(doc_text)
    return out


def test_the_guards_quick_walk_passes_only_what_the_full_walk_passes(examples_dir):
    """`_looks_clean` lets a document skip the walk that names each problem: it must never pass one
    that walk would report (a hostile file would then reach the schema and the database)."""
    rng = random.Random(12)  # noqa: S311  # seeded fictional cases, not secrets
    texts = [p.read_text(encoding="utf-8") for p in sorted(examples_dir.glob("*.case.json"))]
    texts += [json.dumps(make_case(rng, n), ensure_ascii=False) for n in range(5)]
    seen = {True: 0, False: 0}
    for text in texts:
        assert _looks_clean(parse_json(text)) and not _walk_values(parse_json(text))
        for variant in hostile_variants(text, rng):
            data = parse_json(variant)
            clean = not _walk_values(data)
            if not clean:
                assert not _looks_clean(data), variant[:400]
            seen[clean] += 1
            if clean and "nested" not in variant:  # right under the limit the quick walk may defer to the full one
                assert _looks_clean(data), variant[:400]
    assert seen[True] > 30 and seen[False] > 100, seen
    assert not _looks_clean({1: "a key that is not text"}) and not _walk_values({1: "a key that is not text"})

"""The compiled schema validators (the fast yes-or-no of `load_casefile`) agree with jsonschema's.

A file they accept must be one jsonschema accepts (else a bad file would be imported), and one they
refuse must be one it refuses (else a good file would be refused with no problem to name)."""

from __future__ import annotations

import copy
import json
import random
from typing import Any

from bench.engine import make_case
from refuge.casefile.validate import _schema_valid, _split_validators


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

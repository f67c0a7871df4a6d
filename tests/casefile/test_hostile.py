"""A corpus of hostile case files: each is refused with exit status 2 and a JSON path, never a traceback.

The files are made here (the huge one would not belong in the repository); `refuge check` and
`refuge import` read them through the same reader (refuge.casefile.validate.read_casefile).
"""

from __future__ import annotations

import copy
import io
import json
from collections.abc import Callable
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from refuge.casefile.validate import MAX_BYTES, MAX_DEPTH, MAX_EVENTS, CaseFileError, read_casefile
from refuge.rules.command import main as check_main
from tests.casefile.test_validate import GOOD
from tests.cli.helpers import run_refuge


def _doc(**changes: object) -> bytes:
    doc = copy.deepcopy(GOOD)
    doc.update(changes)
    return json.dumps(doc, ensure_ascii=False).encode()


def _event_at(at: str) -> bytes:
    doc = copy.deepcopy(GOOD)
    doc["events"][0]["at"] = at
    return json.dumps(doc).encode()


def _splice(text: str) -> bytes:
    """GOOD with the text put in as raw JSON (things json.dumps would not write)."""
    return json.dumps(GOOD)[:-1].encode() + b', "extra": ' + text.encode() + b"}"


def _many_events() -> bytes:
    doc = copy.deepcopy(GOOD)
    doc["events"] = [
        {"id": f"e{i}", "type": "detention_started", "at": "2026-03-02T09:00:00+03:00", "basis": "administrative"}
        for i in range(MAX_EVENTS + 1)
    ]
    return json.dumps(doc).encode()


# name -> (bytes of the file, the JSON path the refusal must name)
CORPUS: dict[str, tuple[Callable[[], bytes], str]] = {
    "deep nesting": (lambda: b'{"reference": ' + b"[" * 200_000 + b"]" * 200_000 + b"}", "$"),
    "nesting past the limit": (lambda: _splice("[" * (MAX_DEPTH + 5) + "]" * (MAX_DEPTH + 5)), "$.extra"),
    "huge input": (lambda: _doc(reference="A" * (MAX_BYTES + 10)), "$"),
    "year 9999 with an offset": (lambda: _event_at("9999-12-31T23:00:00-05:00"), "$.events[0].at"),
    "year 1 with an offset": (lambda: _event_at("0001-01-01T00:30:00+01:00"), "$.events[0].at"),
    "year 9999 as a date": (lambda: _doc(person={**GOOD["person"], "birth_date": "9999-12-31"}), "$.person.birth_date"),
    "lone surrogate in a name": (
        lambda: json.dumps(GOOD).replace("Ri Song Gyun", "Ri \\ud800 Gyun").encode(),
        "$.person.names[1].value",
    ),
    "lone surrogate in a key": (lambda: _splice('{"\\udfff": 1}'), "$.extra"),
    "NaN": (lambda: _splice("NaN"), "$.extra"),
    "Infinity as a huge exponent": (lambda: _splice("1e400"), "$.extra"),
    "an integer of 5,000 digits": (lambda: _splice("9" * 5000), "$"),
    "duplicate keys": (lambda: json.dumps(GOOD)[:-1].encode() + b', "reference": "OTHER-1"}', "$.reference"),
    "events not a list": (lambda: _doc(events={"e1": 1}), "$.events"),
    "an event not an object": (lambda: _doc(events=[1, "x", None]), "$.events[0]"),
    "an event type that is a list": (
        lambda: _doc(events=[{"id": "e1", "type": ["x"], "at": "2026-01-01"}]),
        "$.events[0].type",
    ),
    "person a list": (lambda: _doc(person=[]), "$.person"),
    "reference a number": (lambda: _doc(reference=5), "$.reference"),
    "CR/LF in the reference": (lambda: _doc(reference="SPB-1\r\nBcc: x@example.org"), "$.reference"),
    "a space in an event id": (
        lambda: json.dumps(GOOD).replace('"e1"', '"e 1"').encode(),
        "$.events[0].id",
    ),
    "too many events": (_many_events, "$.events"),
    "not an object": (lambda: b"[]", "$"),
    "empty": (lambda: b"", "$"),
    "not UTF-8": (lambda: b"\xff\xfe{}", "$"),
}


@pytest.fixture
def corpus(tmp_path: Path) -> dict[str, tuple[Path, str]]:
    files = {}
    for n, (name, (make, path)) in enumerate(CORPUS.items()):
        file = tmp_path / f"hostile-{n:02d}.case.json"
        file.write_bytes(make())
        files[name] = (file, path)
    return files


@pytest.mark.parametrize("name", list(CORPUS))
def test_every_hostile_file_is_refused_with_its_path(corpus, name: str) -> None:
    file, path = corpus[name]
    with pytest.raises(CaseFileError) as refused:
        read_casefile(file)
    paths = [p.path for p in refused.value.problems]
    assert path in paths or any(p.startswith(path) for p in paths), (name, paths)


def test_refuge_check_exits_2_on_every_hostile_file(corpus, capsys) -> None:
    for name, (file, path) in corpus.items():
        assert check_main([str(file), "--today", "2026-03-10"]) == 2, name
        err = capsys.readouterr().err
        assert path in err and "Traceback" not in err, (name, err[:500])


@pytest.mark.django_db
def test_refuge_import_refuses_every_hostile_file_in_process(corpus, org) -> None:
    for name, (file, path) in corpus.items():
        with pytest.raises(CommandError) as refused:
            call_command("import_cases", str(file), organisation=org.name, stdout=io.StringIO(), stderr=io.StringIO())
        assert refused.value.returncode == 2, name
        assert path in str(refused.value), (name, str(refused.value)[:500])


def test_refuge_import_exits_2_with_no_traceback(corpus, tmp_path: Path) -> None:
    data = tmp_path / "data"
    assert run_refuge(data, "migrate", "-v", "0").returncode == 0
    done = run_refuge(
        data,
        "createuser",
        "x",
        "--organisation",
        "Hostile Test (fictional)",
        "--role",
        "admin",
        "--create-organisation",
        "--password-stdin",
        stdin="a long enough password 7\n",
    )
    assert done.returncode == 0, done.stderr
    files = [str(file) for file, _ in corpus.values()]
    done = run_refuge(data, "import", *files, "--organisation", "Hostile Test (fictional)")
    assert done.returncode == 2, done.stderr[-2000:]
    assert "Traceback" not in done.stderr
    assert f"{len(files)} of {len(files)} files are invalid" in done.stderr
    for file in files:
        assert file in done.stderr

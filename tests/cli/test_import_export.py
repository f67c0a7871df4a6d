"""`refuge import` and `refuge export`, in process.

The verbs run through call_command with refuge.cli's own verb-to-command map: refuge.cli.main ends
in Django's run_from_argv, which closes every database connection (and with it the test's
transaction on PostgreSQL). test_subprocess.py runs the real `refuge` command."""

from __future__ import annotations

import io
import json
import stat

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from refuge.cases.actions import import_casefile
from refuge.cases.models import Case, Deadline, Event, Person
from refuge.cli import ALIASES
from tests.cli.helpers import events_by_id


def counts() -> tuple[int, int, int, int]:
    return Case.objects.count(), Person.objects.count(), Event.objects.count(), Deadline.objects.count()


def refuge(verb: str, *args: str) -> tuple[str, str]:
    """Run `refuge VERB ARGS...` in process; its standard output and error."""
    out, err = io.StringIO(), io.StringIO()
    call_command(ALIASES.get(verb, verb), *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def export(code: str) -> dict:
    out = io.StringIO()
    call_command("export_case", code, stdout=out)
    return json.loads(out.getvalue())


def test_import_then_export_of_every_example_gives_back_the_same_data(examples_dir, org, alice):
    files = sorted(examples_dir.glob("*.case.json"))
    assert files, "no shared examples"
    out, err = refuge("import", *map(str, files), "--organisation", org.name, "--user", alice.username)
    assert f"Imported {len(files)} cases" in err
    lines = out.split("\n")
    codes = dict(line.split()[::-1] for line in lines if line.strip())  # reference -> code
    assert len(codes) == len(files)
    for path in files:
        original = json.loads(path.read_text(encoding="utf-8"))
        exported = export(codes[original["reference"]])
        assert events_by_id(exported) == events_by_id(original), path.name
        assert ("timezone" in exported) == ("timezone" in original), path.name


def test_export_then_import_is_lossless(case, other_org):
    first = export(str(case.code))
    again = import_casefile(data=first, organisation=other_org, user=None)
    assert export(str(again.code)) == first


def test_import_computes_the_deadlines(examples_dir, org):
    refuge("import", str(examples_dir / "01-ru-2023-sutki.case.json"), "--organisation", org.name)
    case = Case.objects.get(organisation=org, reference="EX-01")
    appeal = case.deadlines.get(kind="appeal")
    assert appeal.due_date.isoformat() == "2023-05-13"


def test_import_adds_the_user_to_the_team(examples_dir, org, alice):
    refuge(
        "import", str(examples_dir / "04-tr-echr-time-limit.case.json"), "--organisation", org.name, "--user", "alice"
    )
    case = Case.objects.get(organisation=org, reference="EX-04")
    assert list(case.team.all()) == [alice]
    assert case.created_by == alice


def test_a_broken_file_is_refused_whole_with_its_json_path(broken_file, org):
    before = counts()
    with pytest.raises(CommandError) as error:
        refuge("import", str(broken_file), "--organisation", org.name)
    assert error.value.returncode == 2
    err = str(error.value)
    assert str(broken_file) in err
    assert "$.events[1].at" in err
    assert counts() == before


def test_a_mixed_batch_imports_nothing(examples_dir, broken_file, org):
    good = sorted(examples_dir.glob("*.case.json"))
    before = counts()
    with pytest.raises(CommandError) as error:
        refuge("import", *map(str, good), str(broken_file), "--organisation", org.name)
    assert error.value.returncode == 2
    assert "nothing imported" in str(error.value)
    assert f"1 of {len(good) + 1} files is invalid" in str(error.value)
    assert counts() == before


def test_a_file_that_is_not_json_is_refused(tmp_path, org):
    path = tmp_path / "torn.case.json"
    path.write_text('{"format": "refuge.case/1", "refer', encoding="utf-8")
    with pytest.raises(CommandError) as error:
        refuge("import", str(path), "--organisation", org.name)
    assert error.value.returncode == 2
    assert str(path) in str(error.value)
    assert Case.objects.count() == 0


def test_a_reference_already_in_the_organisation_is_refused(case, tmp_path, org):
    doc = export(str(case.code))
    path = tmp_path / "again.case.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    before = counts()
    with pytest.raises(CommandError) as error:
        call_command("import_cases", str(path), organisation=org.name)
    assert error.value.returncode == 2
    assert "$.reference" in str(error.value)
    assert counts() == before


def test_the_same_reference_twice_in_a_batch_is_refused(examples_dir, tmp_path, org):
    source = examples_dir / "01-ru-2023-sutki.case.json"
    copy = tmp_path / "copy.case.json"
    copy.write_text(source.read_text(encoding="utf-8"), encoding="utf-8")
    with pytest.raises(CommandError) as error:
        call_command("import_cases", str(source), str(copy), organisation=org.name)
    assert error.value.returncode == 2
    assert "$.reference" in str(error.value)
    assert Case.objects.count() == 0


def test_import_refuses_an_unknown_organisation(examples_dir, db):
    with pytest.raises(CommandError, match="no organisation"):
        call_command("import_cases", str(examples_dir / "01-ru-2023-sutki.case.json"), organisation="Nowhere")


def test_import_refuses_an_analyst_as_the_user(examples_dir, org, ana):
    with pytest.raises(CommandError, match="analyst"):
        call_command(
            "import_cases", str(examples_dir / "01-ru-2023-sutki.case.json"), organisation=org.name, user="ana"
        )


def test_import_refuses_a_user_of_another_organisation(examples_dir, org, carol):
    with pytest.raises(CommandError, match="no user"):
        call_command(
            "import_cases", str(examples_dir / "01-ru-2023-sutki.case.json"), organisation=org.name, user="carol"
        )


def test_export_writes_a_file_only_its_owner_can_read(case, tmp_path):
    target = tmp_path / "out.case.json"
    call_command("export_case", str(case.code), output=str(target), stderr=io.StringIO())
    assert json.loads(target.read_text(encoding="utf-8"))["reference"] == case.reference
    assert stat.S_IMODE(target.stat().st_mode) == 0o600


def test_export_finds_a_case_by_its_reference(case):
    assert export(case.reference)["reference"] == case.reference


def test_export_keeps_names_in_their_scripts(case):
    out = io.StringIO()
    call_command("export_case", str(case.code), stdout=out)
    assert "Тестов Фиктив" in out.getvalue()


def test_export_of_an_unknown_code_fails(db):
    with pytest.raises(CommandError, match="no case"):
        call_command("export_case", "00000000-0000-0000-0000-000000000000")


def test_event_source_and_note_survive_import_and_export_and_the_note_is_encrypted(org, alice):
    data = {
        "format": "refuge.case/1",
        "reference": "SRC-NOTE-1",
        "host_state": "RU",
        "person": {"nationality": "UZ", "stateless": False, "languages": ["uz"]},
        "events": [
            {
                "id": "e1",
                "type": "removal_scheduled",
                "at": "2026-03-01T10:00:00+03:00",
                "removal_at": "2026-03-20T10:00:00+03:00",
                "destination": "UZ",
                "source": "Bailiffs' phone call",
                "note": "Flight booked, per the centre's duty officer (fictional).",
            },
            {
                "id": "e2",
                "type": "interim_measure_requested",
                "at": "2026-03-02",
                "forum": "un_cat",
                "destination": None,
            },
        ],
    }
    case = import_casefile(data=data, organisation=org, user=alice)
    stored = Event.objects.get(case=case, key="e1")
    assert stored.source == "Bailiffs' phone call"
    assert "note" not in stored.attributes and "source" not in stored.attributes
    raw = Event.objects.filter(pk=stored.pk).values_list("note", flat=True).get()
    assert b"duty officer" not in bytes(raw)  # encrypted at rest
    assert events_by_id(export(str(case.code))) == events_by_id(data)

"""`refuge demo` and the demo data builder, with today pinned."""

from __future__ import annotations

import io
import json
import shutil
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError

from refuge.accounts.models import Membership, Organisation, User
from refuge.audit.events import EventType
from refuge.audit.models import AuditEvent
from refuge.casefile.validate import CaseFileError, load_casefile
from refuge.cases.actions import export_casefile
from refuge.cases.models import Authority, Case, Conflict, Deadline, Event
from refuge.demo.dates import months_before, resolve_value
from refuge.demo.load import build_demo, demo_casefiles, reset_demo
from refuge.demo.manifest import DATA, read_manifest

TODAY = date(2026, 6, 3)  # a Wednesday
MANIFEST = read_manifest()


def run_demo(*args: str) -> str:
    out = io.StringIO()
    with time_machine.travel(datetime(2026, 6, 3, 9, 0, tzinfo=UTC), tick=False):
        call_command("demo", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def built(db):
    return build_demo(today=TODAY)


def demo_cases():
    return Case.objects.filter(organisation__is_demo=True)


def test_demo_loads_about_thirty_cases_once_and_prints_the_logins(db):
    out = run_demo()
    assert 25 <= demo_cases().exclude(reference__startswith="HIST-").count() <= 35
    assert "closed historical cases for the statistics page" in out
    assert "http://127.0.0.1:8000/accounts/login/" in out
    assert f"with the password {MANIFEST.password!r}" in out
    for user in MANIFEST.users:
        assert user.username in out
        assert User.objects.get(username=user.username).check_password(MANIFEST.password)
    roles = sorted(Membership.objects.filter(organisation__is_demo=True).values_list("role", flat=True))
    assert roles == ["admin", "analyst", "caseworker", "lawyer", "lawyer"]
    # Idempotent: a second run adds nothing and says so.
    before = (demo_cases().count(), Event.objects.count(), User.objects.count(), Authority.objects.count())
    out = run_demo()
    assert (demo_cases().count(), Event.objects.count(), User.objects.count(), Authority.objects.count()) == before
    assert "already there" in out


def test_reset_rebuilds_from_scratch(db):
    run_demo()
    first = set(demo_cases().values_list("code", flat=True))
    run_demo("--reset")
    again = set(demo_cases().values_list("code", flat=True))
    assert len(again) == len(first)
    assert not first & again


def test_demo_refuses_a_database_with_real_organisations(org):
    with pytest.raises(CommandError, match="other organisation"):
        run_demo()
    assert not demo_cases().exists()


def test_the_demo_cases_come_in_through_the_case_file_import(built):
    created = AuditEvent.objects.filter(organisation=built.organisation, type=EventType.CASE_CREATED)
    story = demo_cases().get(reference="DEMO-31")
    entry = created.get(target_code=str(story.code))
    assert entry.data["via"] == "import"  # import_casefile's entry, as `refuge import` writes it
    assert [e.data["via"] for e in created] == ["import"] * len(MANIFEST.cases)


def test_a_malformed_demo_case_file_refuses_the_demo_with_the_imports_error(db, tmp_path: Path):
    data = tmp_path / "demo"
    shutil.copytree(DATA, data)
    broken = data / "cases" / "DEMO-05.case.json"
    doc = json.loads(broken.read_text(encoding="utf-8"))
    doc["events"][0]["at"] = "@-5 25:99"  # no such hour: left as written, for the validation to judge
    broken.write_text(json.dumps(doc), encoding="utf-8")
    with pytest.raises(CaseFileError) as expected:
        load_casefile(doc)
    with pytest.raises(CommandError) as refused:
        run_demo("--data", str(data), "--no-history")
    message = str(refused.value)
    assert refused.value.returncode == 2
    assert "refused, nothing loaded: 1 of 31 demo case files is invalid" in message
    assert f"{broken}:\n  {expected.value.problems[0]}" in message
    assert str(expected.value.problems[0]).startswith("$.events[0].at: ")
    assert not Organisation.objects.exists() and not Case.objects.exists()


def test_a_renamed_demo_organisation_is_still_the_demo(built):
    Organisation.objects.filter(pk=built.organisation.pk).update(name="Our practice sandbox")
    again = build_demo(today=TODAY)
    assert again.organisation.pk == built.organisation.pk and not again.created
    assert Organisation.objects.count() == 1
    assert run_demo("--no-history").count("already there") == 1  # no "other organisation" refusal
    assert reset_demo() == len(MANIFEST.cases)
    assert not Organisation.objects.exists()


def test_the_story_case_raises_the_conflicts_it_should(built):
    case = demo_cases().get(reference="DEMO-01")
    kinds = set(case.conflicts.values_list("kind", flat=True))
    assert {"removal_during_interim_measure", "document_signed_without_interpreter"} <= kinds
    assert case.person.nationality == "KP"
    assert {n["script"] for n in case.person.names} >= {"Hang", "Cyrl", "Latn"}
    # Effective in ten days: the removal is ten days after the court's decision.
    decision = case.events.get(type="decision_issued").local_at().date()
    removal = case.events.get(type="removal_scheduled").attributes["removal_at"]
    assert (date.fromisoformat(removal[:10]) - decision).days == 10
    assert case.proceedings.filter(forum="un_hrc").exists()


def test_the_demo_exercises_the_law(built):
    deadlines = set(Deadline.objects.filter(organisation=built.organisation).values_list("kind", flat=True))
    assert {
        "appeal",
        "asylum_appeal",
        "detention_court_order",
        "detention_term",
        "echr_application",
        "r39_cutoff",
        "temporary_asylum_renewal",
    } <= deadlines
    conflicts = set(Conflict.objects.filter(organisation=built.organisation).values_list("kind", flat=True))
    assert {
        "removal_during_interim_measure",
        "removal_during_asylum",
        "document_signed_without_interpreter",
        "consular_contact_while_protected",
        "release_due",
        "r39_late",
        "forum_unavailable",
    } <= conflicts


def test_the_demo_data_is_well_formed_and_fictional(built):
    cases = list(demo_cases())
    for case in cases:
        load_casefile(export_casefile(case=case))
    # Old and new Russian appeal rules: decisions received before and after 29 Oct 2024.
    received = {e.local_at().date() for e in Event.objects.filter(case__in=cases, type="decision_received")}
    assert min(received) < date(2024, 10, 29) < max(received)
    # One file without a time zone: the host state's default applies and export leaves it out.
    no_zone = demo_cases().get(reference="DEMO-28")
    assert "timezone" not in export_casefile(case=no_zone)
    assert no_zone.timezone == "Europe/Moscow"
    names = list(Authority.objects.filter(organisation=built.organisation).values_list("name", flat=True))
    assert all("(fictional)" in n or "(demo entry)" in n for n in names)
    assert built.organisation.name == MANIFEST.organisation and built.organisation.is_demo


def test_demo_dates_follow_today():
    docs = {doc["reference"]: doc for _, doc in demo_casefiles(MANIFEST, today=date(2027, 1, 10))}
    received = next(e for e in docs["DEMO-04"]["events"] if e["type"] == "decision_received")
    assert received["at"] == "2027-01-07"
    assert 25 <= len(docs) <= 35
    # The story, later: the removal learnt this morning (Moscow) for the day after tomorrow.
    removal = next(e for e in docs["DEMO-31"]["events"] if e["type"] == "removal_scheduled")
    assert (removal["at"], removal["removal_at"]) == ("2027-01-10T08:00:00+03:00", "2027-01-12T06:00:00+03:00")


def test_relative_dates_read_their_zone_and_leave_anything_else_alone():
    today = date(2026, 3, 31)
    assert resolve_value("@-3", today=today, zone=None) == "2026-03-28"
    assert resolve_value("@+0 09:00", today=today, zone="Europe/Moscow") == "2026-03-31T09:00:00+03:00"
    # Geneva on summer time since the 29th; winter time before.
    assert resolve_value("@-1 10:15 Europe/Zurich", today=today, zone="Europe/Moscow") == "2026-03-30T10:15:00+02:00"
    assert resolve_value("@-3 10:15 Europe/Zurich", today=today, zone=None) == "2026-03-28T10:15:00+01:00"
    assert resolve_value("@-1m+6", today=today, zone=None) == "2026-03-06"  # 28 Feb, then six days
    for unread in ("@-1 09:00", "@-1 25:00 Europe/Moscow", "@-1 09:00 Mars/Olympus", "@yesterday", "2026-03-01"):
        assert resolve_value(unread, today=today, zone=None) == unread


def test_months_before_keeps_the_day_or_takes_the_months_last():
    assert months_before(date(2026, 6, 30), 4) == date(2026, 2, 28)
    assert months_before(date(2026, 3, 31), 1) == date(2026, 2, 28)
    assert months_before(date(2026, 1, 15), 2) == date(2025, 11, 15)


def test_make_demo_moves_the_server_the_mail_sink_and_every_link_together():
    import subprocess
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    dry = subprocess.run(  # noqa: S603  # a fixed command line
        ["make", "-n", "-C", str(root), "demo", "PORT=8100", "SMTP_PORT=2600"],  # noqa: S607  # make from PATH
        capture_output=True, text=True, check=True,
    ).stdout
    line = next(line for line in dry.splitlines() if "refuge demo --serve" in line or "demo --serve" in line)
    command = " ".join(dry.split("\\\n"))
    assert "REFUGE_SMTP_PORT=2600" in command and "REFUGE_BASE_URL=http://127.0.0.1:8100" in command
    assert "--port 8100" in line
    assert "8000" not in command and "8025" not in command


def test_the_readme_links_nothing_outside_the_repository():
    import re
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    targets = re.findall(r"\]\(([^)]+)\)", readme) + re.findall(r"<(https?://[^>]+)>", readme)
    assert [t for t in targets if "://" in t or t.startswith("..")] == []
    assert "../" not in readme

"""`refuge filing KIND --case CODE -o FILE`, in process and as the real command (the acceptance)."""

from __future__ import annotations

import hashlib
import io
import json
import stat
from datetime import date
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from refuge.audit.events import EventType
from refuge.audit.models import AuditEvent
from refuge.cases.models import Authority
from tests.cli.helpers import run_refuge
from tests.filings.generation import CLIENT_LATN, COVER, docx_text, pdf_text, turkey_case

HERE = Path(__file__).resolve().parent
CASE_FILE = HERE / "tr-removal.case.json"
ORG = "Filing Clinic (fictional)"
CONTACT = [
    "--contact",
    "Alice Fictional",
    "--contact-phone",
    "+90 000 000 00 01",
    "--contact-email",
    "alice@example.org",
]


def filing(*args: str) -> str:
    err = io.StringIO()
    call_command("filing", *args, stdout=io.StringIO(), stderr=err)
    return err.getvalue()


@pytest.fixture
def tr_case(org, alice):
    return turkey_case(org, alice)


def test_it_writes_the_rule39_pdf_privately_and_records_it(tr_case, tmp_path):
    out = tmp_path / "request.pdf"
    said = filing("rule39", "--case", "TST-TR-001", *CONTACT, "--today", "2026-03-11", "-o", str(out))
    assert "Wrote rule39 (en, pdf) for TST-TR-001" in said
    text = pdf_text(out.read_bytes())
    for line in COVER:
        assert line in text
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    entry = AuditEvent.objects.get(type=EventType.FILING_GENERATED)
    assert entry.target_code == str(tr_case.code)
    assert entry.data == {
        "kind": "rule39",
        "lang": "en",
        "format": "pdf",
        "sha256": hashlib.sha256(out.read_bytes()).hexdigest(),
        "size": out.stat().st_size,
        "filing": None,  # nothing kept: the file is the operator's
        "version": None,
        "via": "filing_command",
    }
    assert AuditEvent.objects.filter(type=EventType.IDENTITY_REVEALED, target_code=str(tr_case.code)).exists()
    logged = json.dumps(list(AuditEvent.objects.values("data", "fields", "target_code")))
    assert "Testoglu" not in logged


def test_the_format_follows_the_extension(tr_case, tmp_path):
    out = tmp_path / "request.docx"
    filing("rule39", "--case", str(tr_case.code), *CONTACT, "--today", "2026-03-11", "-o", str(out))
    assert COVER[0] in docx_text(out.read_bytes())
    with pytest.raises(CommandError) as bad:
        filing("rule39", "--case", str(tr_case.code), *CONTACT, "-o", str(tmp_path / "request.odt"))
    assert bad.value.returncode == 2


def test_a_refusal_exits_2_with_the_list_and_writes_nothing(tr_case, tmp_path):
    out = tmp_path / "request.pdf"
    tr_case.events.get(type="removal_scheduled").delete()
    with pytest.raises(CommandError) as refused:
        filing("rule39", "--case", "TST-TR-001", "-o", str(out))  # alice has no e-mail: no contact either
    assert refused.value.returncode == 2
    message = str(refused.value)
    assert message.startswith("refused: 2 item(s) missing")
    assert "  - removal_date: the scheduled date and time of removal" in message
    assert "  - contact: the person to contact" in message
    assert "fix: " in message
    assert CLIENT_LATN not in message
    assert not out.exists()
    assert not AuditEvent.objects.filter(type=EventType.FILING_GENERATED).exists()


def test_it_notifies_an_authority_named_in_the_directory(case, alice, tmp_path):
    from refuge.cases.actions import record_event

    record_event(
        case=case,
        user=alice,
        type="interim_measure_granted",
        at="2026-03-05T12:00:00+01:00",
        attributes={"forum": "un_cat", "until": None, "destination": "KP"},
    )
    Authority.objects.create(
        organisation=case.organisation,
        name="Bailiffs (fictional)",
        name_cyrillic="Судебным приставам (вымышленным)",
        kind="bailiffs",
    )
    out = tmp_path / "letter.pdf"
    cyrillic = ["--contact-cyrillic", "Алиса Вымышленная", "--sender-cyrillic", "Клиника (вымышленная)"]
    filing(
        "notify-authority", "--case", "TST-2026-001", "--authority", "Bailiffs (fictional)", *CONTACT, *cyrillic,
        "-o", str(out),
    )  # fmt: skip
    text = pdf_text(out.read_bytes())
    assert "Судебным приставам (вымышленным)" in text
    assert "Отправитель: Алиса Вымышленная, Клиника (вымышленная)" in text
    assert "Комитет ООН против пыток в порядке правила 114" in text
    with pytest.raises(CommandError) as unknown:
        filing("notify-authority", "--case", "TST-2026-001", "--authority", "Nobody", *CONTACT, "-o", str(out))
    assert unknown.value.returncode == 2


def test_the_client_notice_is_in_his_language_by_default(case, tmp_path):
    out = tmp_path / "notice.pdf"
    said = filing("client-notice", "--case", "TST-2026-001", *CONTACT, "-o", str(out))
    assert "(ko, pdf)" in said
    assert "변호사와 통역인 없이는" in pdf_text(out.read_bytes())
    assert not AuditEvent.objects.filter(type=EventType.IDENTITY_REVEALED, target_code=str(case.code)).exists()


# -- the acceptance: the real command on an imported case file --------------------------------


@pytest.fixture
def data_dir(tmp_path):
    path = tmp_path / "data"
    for args in (("migrate", "--no-input"), ("vault", "init", "--dev")):
        done = run_refuge(path, *args)
        assert done.returncode == 0, done.stderr
    done = run_refuge(
        path, "createuser", "rita", "--organisation", ORG, "--role", "lawyer", "--create-organisation",
        "--password-stdin", stdin="a long passphrase nobody guesses 7\n",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return path


def test_acceptance_rule39_on_an_imported_case_then_without_its_removal(data_dir, tmp_path):
    done = run_refuge(data_dir, "import", str(CASE_FILE), "--organisation", ORG, "--user", "rita")
    assert done.returncode == 0, done.stderr
    out = tmp_path / "FIL-TR-01.pdf"
    done = run_refuge(
        data_dir, "filing", "rule39", "--case", "FIL-TR-01", *CONTACT, "--today", "2026-03-11", "-o", str(out)
    )
    assert done.returncode == 0, done.stderr
    text = pdf_text(out.read_bytes())
    assert "Rule 39 – Urgent" in text
    assert "Person to contact: Alice Fictional, +90 000 000 00 01, alice@example.org" in text
    assert (
        "Scheduled date and time of removal and destination: 16 March 2026 at 09:00 (Europe/Istanbul, UTC+03:00), "
        "to Syria" in text
    )
    # The same case without its removal: refused, naming it, exit 2.
    doc = json.loads(CASE_FILE.read_text(encoding="utf-8"))
    doc["reference"] = "FIL-TR-02"
    doc["events"] = [e for e in doc["events"] if e["type"] != "removal_scheduled"]
    no_removal = tmp_path / "no-removal.case.json"
    no_removal.write_text(json.dumps(doc), encoding="utf-8")
    assert run_refuge(data_dir, "import", str(no_removal), "--organisation", ORG).returncode == 0
    done = run_refuge(data_dir, "filing", "rule39", "--case", "FIL-TR-02", *CONTACT, "-o", str(tmp_path / "x.pdf"))
    assert done.returncode == 2
    assert "removal_date: the scheduled date and time of removal" in done.stderr
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "x.pdf").exists()


def test_shared_example_04_has_no_name_so_rule39_is_refused_for_it(examples_dir, data_dir, tmp_path):
    example = examples_dir / "04-tr-echr-time-limit.case.json"
    assert run_refuge(data_dir, "import", str(example), "--organisation", ORG, "--user", "rita").returncode == 0
    done = run_refuge(data_dir, "filing", "rule39", "--case", "EX-04", *CONTACT, "-o", str(tmp_path / "x.pdf"))
    assert done.returncode == 2
    assert "client_name: the client's name" in done.stderr
    assert "removal_date" not in done.stderr  # its removal (16 March 2026, to Syria) is there


# -- DEMO-01, the story case -----------------------------------------------------------------


@pytest.fixture
def demo(db):
    from refuge.cases.models import Case
    from refuge.demo.load import build_demo

    build_demo(today=date(2026, 3, 11))
    return Case.objects.get(reference="DEMO-01")


def test_demo_01_is_russia_after_2022_so_rule39_is_refused_towards_the_un(demo, tmp_path):
    from refuge.cases.recompute import run_check

    echr = next(f for f in run_check(demo, today=date(2026, 3, 11))["forums"] if f["forum"] == "echr")
    assert echr["available"] is False
    assert echr["suggest"] == ["un_cat", "un_hrc"]
    with pytest.raises(CommandError) as refused:
        filing("rule39", "--case", "DEMO-01", "--today", "2026-03-11", "-o", str(tmp_path / "r39.pdf"))
    assert refused.value.returncode == 2
    assert str(refused.value).splitlines()[1] == (
        "  - echr_unavailable: the ECtHR does not cover this act (ECHR art. 58) — use un-interim "
        "(ECHR art. 58; Resolution of 22 Mar 2022)"
    )
    assert str(refused.value).startswith("refused: 1 item(s) missing")


def test_demo_01_gets_a_un_request_and_a_russian_letter(demo, tmp_path):
    request = tmp_path / "un.pdf"
    filing(
        "un-interim", "--case", "DEMO-01", "--power-of-attorney-follows", "--today", "2026-03-11",
        "--acknowledge", "measure_in_force", "--acknowledge", "contact_no_phone",
        "--acknowledge", "rule_number_unverified", "-o", str(request),
    )  # fmt: skip
    text = pdf_text(request.read_bytes())
    assert "URGENT – request for interim measures" in text
    assert "Person to contact: Irina Sokolovskaya, demo-lawyer@example.org" in text
    assert (
        "Scheduled date and time of removal and destination: 17 March 2026 at 06:00 (Europe/Moscow, UTC+03:00), "
        "to Democratic People's Republic of Korea" in text
    )
    assert "To: the UN Human Rights Committee" in text  # the committee that already granted a measure
    letter = tmp_path / "letter.pdf"
    filing(
        "notify-authority", "--case", "DEMO-01", "--authority", "Federal Bailiffs Service, Novograd Region (fictional)",
        "--today", "2026-03-11", "--acknowledge", "contact_no_phone", "--acknowledge", "rule_number_unverified",
        "-o", str(letter),
    )  # fmt: skip
    text = pdf_text(letter.read_bytes())
    assert "Уведомление о временной мере, запрещающей выдворение" in text
    assert "Комитет ООН по правам человека" in text
    assert "17.03.2026 06:00 (МСК)" in text
    assert "Europe/Moscow" not in text


def test_demo_01_gets_a_rule39_request_when_the_lawyer_files_despite_the_cut_off(demo, tmp_path):
    """The lawyer's call: the request is complete and says what the Court needs on its cover."""
    request = tmp_path / "r39.pdf"
    filing(
        "rule39", "--case", "DEMO-01", "--despite-unavailable", "--today", "2026-03-11",
        "--acknowledge", "forum_unavailable", "--acknowledge", "contact_no_phone", "-o", str(request),
    )  # fmt: skip
    text = pdf_text(request.read_bytes())
    assert "Rule 39 – Urgent" in text
    assert "Person to contact: Irina Sokolovskaya, demo-lawyer@example.org" in text
    assert (
        "Scheduled date and time of removal and destination: 17 March 2026 at 06:00 (Europe/Moscow, UTC+03:00), "
        "to Democratic People's Republic of Korea" in text
    )
    assert "+33 3 90 21 43 50" in text  # a North Korean national: by fax, never the Rule 39 Site

"""The story's case (DEMO-01) as a lawyer sends it: facts as sentences, the official Russian letter, the warnings."""

from __future__ import annotations

import argparse
import io
import re
import shutil
import subprocess
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError

from refuge.audit.events import EventType
from refuge.audit.models import AuditEvent
from refuge.cases.views._common import INVALID
from tests.filings.generation import pdf_text

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
TODAY = "2026-03-11"
BAILIFFS = "Federal Bailiffs Service, Novograd Region (fictional)"


def filing(*args: str) -> str:
    err = io.StringIO()
    call_command("filing", *args, stdout=io.StringIO(), stderr=err)
    return err.getvalue()


@pytest.fixture
def demo(db):
    from refuge.cases.models import Case
    from refuge.demo.load import build_demo

    build_demo(today=date.fromisoformat(TODAY))
    return Case.objects.get(reference="DEMO-01")


def test_the_un_request_states_the_unsigned_interpreter_fact_both_procedures_and_the_sources(demo, tmp_path):
    request = tmp_path / "un.pdf"
    filing(
        "un-interim", "--case", "DEMO-01", "--power-of-attorney-follows", "--today", TODAY,
        "--acknowledge", "measure_in_force", "--acknowledge", "contact_no_phone",
        "--acknowledge", "rule_number_unverified", "-o", str(request),
    )  # fmt: skip
    text = pdf_text(request.read_bytes())
    assert (
        "On 10 March 2026 at 19:00 the applicant signed a document in Russian, a language not among the applicant's "
        "languages (Korean), without an interpreter and without counsel (source: the applicant, at a lawyer's visit "
        "the next day)." in text
    )
    assert "On 7 March 2026 at 10:00 the applicant applied for refugee status (source: the application's receipt)." in (
        text
    )
    assert "the applicant applied for temporary asylum" in text
    assert "Asylum procedures, by kind: Refugee status: applied for on 7 March 2026" in text
    assert "Temporary asylum: applied for on 8 March 2026" in text
    assert "(source: the bailiffs, by telephone to the lawyer)" in text
    assert "Note:" not in text  # notes stay out unless chosen
    # The grounds, from the case: the conflicts raised and the articles they engage.
    assert "made to sign a document in a language not among the applicant's languages, without an interpreter" in text
    assert "while an asylum procedure is pending" in text
    assert "Articles 6 and 7 of the International Covenant on Civil and Political Rights" in text
    _page_image(request, "un-request-demo-01")


def test_a_note_is_stated_when_chosen_and_sources_can_be_left_out(demo, tmp_path):
    request = tmp_path / "un.pdf"
    filing(
        "un-interim", "--case", "DEMO-01", "--power-of-attorney-follows", "--today", TODAY, "--no-sources",
        "--note", "e7", "--acknowledge", "measure_in_force", "--acknowledge", "contact_no_phone",
        "--acknowledge", "rule_number_unverified", "-o", str(request),
    )  # fmt: skip
    text = pdf_text(request.read_bytes())
    assert "(source:" not in text
    assert "Note: Security officers pressed him to sign a 'voluntary return' request in Russian" in text


def test_the_russian_letter_to_the_bailiffs_is_an_official_letter(demo, tmp_path):
    from refuge.cases.actions import store_document
    from refuge.filings.pdf import html_to_pdf

    evidence = store_document(
        case=demo,
        user=None,
        content=html_to_pdf("<html><body><p>The Committee's letter (fictional)</p></body></html>"),
        filename="letter.pdf",
        doc_type="notification",
        title="Письмо Комитета о временной мере",
        date=None,
        language="ru",
        events=[],
    )
    letter = tmp_path / "letter.pdf"
    filing(
        "notify-authority", "--case", "DEMO-01", "--authority", BAILIFFS, "--today", TODAY,
        "--annex", str(evidence.code), "--acknowledge", "contact_no_phone", "--acknowledge", "rule_number_unverified",
        "-o", str(letter),
    )  # fmt: skip
    text = pdf_text(letter.read_bytes())
    assert "Управлению Федеральной службы судебных приставов по Новоградской области (вымышленному)" in text
    assert "Отправитель: Ирина Соколовская, Новоградская юридическая помощь беженцам" in text
    assert "Исх. № DEMO-01/1 от 11.03.2026" in text
    assert "По делу № 5-417/2026" in text
    assert "О временной мере Комитета ООН по правам человека, запрещающей выдворение Ри Дон Хван" in text
    assert "Приложение: 1. Письмо Комитета о временной мере." in text
    assert "17.03.2026 06:00 (МСК)" in text
    assert "Europe/Moscow" not in text and "Europe" not in text
    _page_image(letter, "notify-bailiffs-demo-01")


def test_a_russian_letter_without_cyrillic_names_is_refused_naming_them(demo, tmp_path):
    from refuge.accounts.models import Organisation
    from refuge.cases.models import Authority

    Authority.objects.filter(name=BAILIFFS).update(name_cyrillic="")
    Organisation.objects.filter(pk=demo.organisation_id).update(name_cyrillic="")
    with pytest.raises(CommandError) as refused:
        filing(
            "notify-authority", "--case", "DEMO-01", "--authority", BAILIFFS, "--today", TODAY,
            "--contact", "Someone Else", "--contact-phone", "+7 000", "-o", str(tmp_path / "x.pdf"),
        )  # fmt: skip
    message = str(refused.value)
    assert f"  - authority_cyrillic: the addressee's name in Cyrillic ({BAILIFFS})" in message
    assert "  - sender_cyrillic: the organisation's name in Cyrillic" in message
    assert "  - contact_cyrillic: the contact's name in Cyrillic, as it signs the letter (Someone Else)" in message
    assert not (tmp_path / "x.pdf").exists()


def test_a_un_request_under_a_cat_measure_in_force_needs_its_warning_acknowledged(demo, alice, tmp_path):
    from refuge.cases.actions import record_event

    record_event(
        case=demo,
        user=None,
        type="interim_measure_granted",
        at="2026-03-10T18:00:00+01:00",
        attributes={"forum": "un_cat", "until": None, "destination": "KP"},
    )
    out = tmp_path / "cat.pdf"
    base = ["un-interim", "--case", "DEMO-01", "--forum", "un_cat", "--power-of-attorney-follows", "--today", TODAY]
    base += ["--contact", "Irina Sokolovskaya", "--contact-phone", "+7 000 000-00-00"]
    with pytest.raises(CommandError) as pending:
        filing(*base, "-o", str(out))
    message = str(pending.value)
    assert message.startswith("not generated: 1 warning(s) to acknowledge")
    assert "  - measure_in_force: UN Committee against Torture has already indicated an interim measure" in message
    assert "acknowledge: --acknowledge measure_in_force" in message
    assert not out.exists()
    assert not AuditEvent.objects.filter(type=EventType.FILING_GENERATED).exists()
    filing(*base, "--acknowledge", "measure_in_force", "-o", str(out))
    assert out.exists()
    [ack] = AuditEvent.objects.filter(type=EventType.FILING_WARNING_ACKNOWLEDGED)
    assert ack.data == {"warning": "measure_in_force", "kind": "un-interim", "forum": "un_cat", "via": "filing_command"}


@time_machine.travel(datetime(2026, 3, 11, 10, 0, tzinfo=ZoneInfo("Europe/Moscow")), tick=False)
def test_the_wizard_shows_the_warning_and_generates_only_once_it_is_acknowledged(demo, client):
    from django.urls import reverse

    from refuge.accounts.models import User
    from refuge.cases.actions import record_event

    record_event(
        case=demo,
        user=None,
        type="interim_measure_granted",
        at="2026-03-10T18:00:00+01:00",
        attributes={"forum": "un_cat", "until": None, "destination": "KP"},
    )
    client.force_login(User.objects.get(username="demo-lawyer"))
    data = {
        "kind": "un-interim", "lang": "en", "fmt": "pdf", "forum": "un_cat", "contact_name": "Irina Sokolovskaya",
        "contact_phone": "+7 000 000-00-00", "power_of_attorney_follows": "on",
    }  # fmt: skip
    review = client.post(reverse("filing_new", args=[demo.code]), data).content.decode()
    assert 'data-warning="measure_in_force"' in review
    assert "UN Committee against Torture has already indicated an interim measure" in review
    assert 'name="grounds"' in review and "Article 3 of the Convention against Torture" in review  # to edit
    refused = client.post(reverse("filing_generate", args=[demo.code]), data)
    assert refused.status_code == INVALID
    assert "Tick each warning" in refused.content.decode()
    assert not demo.filings.exists()
    generated = client.post(reverse("filing_generate", args=[demo.code]), {**data, "acknowledged": "measure_in_force"})
    assert generated.status_code == 302
    assert demo.filings.get().forum == "un_cat"
    [ack] = AuditEvent.objects.filter(type=EventType.FILING_WARNING_ACKNOWLEDGED)
    assert ack.data["via"] == "wizard" and ack.data["warning"] == "measure_in_force"


def test_refusal_messages_name_only_options_the_command_has():
    from refuge.filings.checklist import ITEMS
    from refuge.filings.management.commands.filing import Command

    parser = Command().create_parser("refuge", "filing")
    known = {opt for action in parser._actions for opt in action.option_strings}  # argparse's list
    named = {m for _, fix in ITEMS.values() for m in re.findall(r"--[a-z][a-z-]*", fix)}
    named |= {"--acknowledge"}  # the acknowledgement message's
    assert named, "the fixes name options"
    assert named <= known, f"options named but missing: {sorted(named - known)}"
    assert isinstance(parser, argparse.ArgumentParser)


# -- helpers -----------------------------------------------------------------------------------


def _page_image(pdf: Path, name: str) -> None:
    """Page 1 as a PNG in the tests' artefacts, to be looked at (pdftoppm, as the Korean notice's test)."""
    tool = shutil.which("pdftoppm")
    if tool is None:
        pytest.skip("pdftoppm is missing (apt-get install poppler-utils)")
    ARTIFACTS.mkdir(exist_ok=True)
    subprocess.run(  # noqa: S603  # a fixed tool on our own file
        [tool, "-png", "-r", "80", "-f", "1", "-l", "2", str(pdf), str(ARTIFACTS / name)], check=True
    )
    assert any(ARTIFACTS.glob(f"{name}*.png"))


@time_machine.travel(datetime(2026, 3, 11, 10, 0, tzinfo=ZoneInfo("Europe/Moscow")), tick=False)
def test_the_review_lets_the_lawyer_choose_the_sources_and_notes_stated(demo, client):
    from django.urls import reverse

    from refuge.accounts.models import User

    client.force_login(User.objects.get(username="demo-lawyer"))
    data = {
        "kind": "un-interim", "lang": "en", "fmt": "pdf", "contact_name": "Irina Sokolovskaya",
        "contact_phone": "+7 000 000-00-00", "power_of_attorney_follows": "on",
    }  # fmt: skip
    review = client.post(reverse("filing_new", args=[demo.code]), data).content.decode()
    assert 'name="sources" value="e7" checked' in review  # sources: stated by default
    assert 'name="notes" value="e7">' in review  # notes: left out by default
    chosen = {**data, "sources_chosen": "True", "sources": ["e8"], "notes": ["e7"]}
    chosen["acknowledged"] = ["measure_in_force", "rule_number_unverified"]  # to the HRC, the case's committee
    generated = client.post(reverse("filing_generate", args=[demo.code]), chosen)
    assert generated.status_code == 302
    filing = demo.filings.get()
    text = pdf_text(filing.file.read_plaintext())
    assert "(source: the bailiffs, by telephone to the lawyer)" in text
    assert "(source: the applicant, at a lawyer's visit the next day)" not in text
    assert "Note: Security officers pressed him to sign a 'voluntary return' request in Russian" in text

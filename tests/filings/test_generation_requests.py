"""Rule 39 and UN interim-measures requests: every cover line and fact, or a refusal naming what is missing."""

from __future__ import annotations

import hashlib
import io

import docx
import pytest

from refuge.cases.actions import delete_event, record_event
from refuge.filings.checklist import missing_items
from refuge.filings.options import Contact
from refuge.filings.render import FilingRefused, render_filing
from tests.filings.generation import (
    CLIENT_LATN,
    COVER,
    PLACE,
    codes,
    docx_text,
    options,
    pdf_text,
    turkey_case,
)

FAXES = "+33 3 90 21 43 50 or +33 3 88 41 39 00"


@pytest.fixture
def tr_case(org, alice):
    return turkey_case(org, alice)


def test_rule39_pdf_holds_every_cover_line_and_the_case_facts(tr_case):
    rendered = render_filing(case=tr_case, kind="rule39", lang="en", fmt="pdf", options=options())
    text = pdf_text(rendered.content)
    for line in COVER:
        assert line in text
    assert f"Name: {CLIENT_LATN}" in text
    assert f"Place of detention: {PLACE}" in text
    assert "Respondent State: Türkiye" in text
    assert "2 March 2026: decision ordering deportation by the Administrative Court of Demirkent (fictional)" in text
    assert "4 March 2026: appeal lodged" in text
    assert "The request engages Articles 2 and 3 of the Convention" in text
    assert f"Sent through the Rule 39 Site (or by fax to {FAXES}) — never by e-mail" in text
    assert "Date: 11 March 2026" in text
    assert rendered.content.startswith(b"%PDF-")
    assert rendered.content_type == "application/pdf"
    assert rendered.filename == "rule39-TST-TR-001-en.pdf"
    assert rendered.sha256 == hashlib.sha256(rendered.content).hexdigest()


def test_rule39_docx_holds_the_same_cover_lines_in_bold(tr_case):
    rendered = render_filing(case=tr_case, kind="rule39", lang="en", fmt="docx", options=options())
    text = docx_text(rendered.content)
    for line in COVER:
        assert line in text.splitlines()
    assert f"Place of detention: {PLACE}" in text
    assert rendered.filename.endswith(".docx")
    assert rendered.content_type.endswith("wordprocessingml.document")
    paragraphs = {p.text: p for p in docx.Document(io.BytesIO(rendered.content)).paragraphs}
    for line in COVER:
        assert all(run.bold for run in paragraphs[line].runs if run.text.strip()), line
    assert not any(run.bold for run in paragraphs[f"Place of detention: {PLACE}"].runs)


def test_removal_time_is_given_in_the_cases_zone_with_its_offset(org, alice):
    case = turkey_case(org, alice, removal_at="2026-03-16T06:00:00+00:00")
    text = pdf_text(render_filing(case=case, kind="rule39", lang="en", fmt="pdf", options=options()).content)
    assert COVER[2] in text  # 06:00 UTC is 09:00 in Istanbul


def test_the_default_contact_is_the_teams_first_lawyer(tr_case, alice):
    alice.last_name, alice.email = "Lawyer", "alice@example.org"
    alice.save(update_fields=["last_name", "email"])
    opts = options(contact=None, acknowledged=frozenset({"contact_no_phone"}))
    text = pdf_text(render_filing(case=tr_case, kind="rule39", lang="en", fmt="pdf", options=opts).content)
    assert "Person to contact: Alice Lawyer, alice@example.org" in text


def test_a_lawyer_without_an_address_is_no_contact(tr_case):
    assert codes_of(tr_case, "rule39", contact=None) == ["contact"]


def codes_of(case, kind, lang="en", **kwargs):
    return [m.code for m in missing_items(case=case, kind=kind, lang=lang, options=options(**kwargs))]


def test_refusal_lists_each_missing_item_by_code(org, alice):
    case = turkey_case(org, alice, removal_at=None, place=None)
    for key in ("e5", "e4", "e3", "e2"):
        case.events.get(key=key).delete()
    with pytest.raises(FilingRefused) as refused:
        render_filing(case=case, kind="rule39", lang="en", fmt="pdf", options=options(contact=None))
    assert codes(refused.value) == ["removal_date", "contact", "domestic_decision", "detention_place"]
    assert all(m.label and m.fix for m in refused.value.missing)
    assert CLIENT_LATN not in str(refused.value)
    assert str(refused.value) == ("filing refused; missing: removal_date, contact, domestic_decision, detention_place")


def test_removing_the_removal_date_makes_generation_refuse_and_name_it(tr_case, alice):
    render_filing(case=tr_case, kind="rule39", lang="en", fmt="pdf", options=options())
    delete_event(event=tr_case.events.get(type="removal_scheduled"), user=alice)
    with pytest.raises(FilingRefused) as refused:
        render_filing(case=tr_case, kind="rule39", lang="en", fmt="pdf", options=options())
    assert codes(refused.value) == ["removal_date"]
    assert refused.value.missing[0].label == "the scheduled date and time of removal"
    assert "Removal scheduled" in refused.value.missing[0].fix


def test_a_cancelled_removal_is_no_removal(tr_case, alice):
    record_event(
        case=tr_case,
        user=alice,
        type="removal_cancelled",
        at="2026-03-11T10:00:00+03:00",
        attributes={"removal_event": "e6"},
    )
    assert codes_of(tr_case, "rule39") == ["removal_date"]


def test_sanctioned_nationals_are_told_to_send_by_fax_never_by_email(org, alice):
    case = turkey_case(org, alice, nationality="KP")
    text = pdf_text(render_filing(case=case, kind="rule39", lang="en", fmt="pdf", options=options()).content)
    assert f"Sent by fax to {FAXES} — not through the Rule 39 Site" in text
    assert "never by e-mail" in text
    assert "Sent through the Rule 39 Site" not in text
    assert "Nationality: national of Democratic People's Republic of Korea" in text


def test_rule39_for_russia_after_2022_refuses_and_points_to_the_un(case, alice):
    record_event(
        case=case,
        user=alice,
        type="removal_scheduled",
        at="2026-03-05T10:00:00+03:00",
        attributes={"removal_at": "2026-03-12T06:00:00+03:00", "destination": "KP"},
    )
    found = missing_items(case=case, kind="rule39", lang="en", options=options())
    assert [m.code for m in found] == ["echr_unavailable", "detention_place"]
    assert found[0].label.startswith("the ECtHR does not cover this act (ECHR art. 58) — use un-interim")
    # The UN committees are the way: un-interim is generated for the same case.
    rendered = render_filing(
        case=case, kind="un-interim", lang="en", fmt="pdf", options=options(power_of_attorney_follows=True)
    )
    text = pdf_text(rendered.content)
    assert "URGENT – request for interim measures" in text
    assert (
        "Scheduled date and time of removal and destination: 12 March 2026 at 06:00 (Europe/Moscow, UTC+03:00)" in text
    )
    assert "Democratic People's Republic of Korea" in text
    assert "To: the UN Committee against Torture" in text
    assert "rule 114 of the Committee's rules of procedure" in text
    assert "Article 3 of the Convention against Torture" in text
    assert "Victim: Testov Fiktiv" in text
    assert "State party: Russian Federation" in text
    assert "it will be sent separately" in text


def test_un_interim_goes_to_the_committee_the_case_is_before(tr_case, alice):
    record_event(
        case=tr_case,
        user=alice,
        type="interim_measure_requested",
        at="2026-03-10T14:00:00+01:00",
        attributes={"forum": "un_hrc"},
    )
    text = pdf_text(
        render_filing(
            case=tr_case,
            kind="un-interim",
            lang="en",
            fmt="pdf",
            options=options(power_of_attorney_follows=True, acknowledged=frozenset({"rule_number_unverified"})),
        ).content
    )
    assert "To: the UN Human Rights Committee" in text
    assert "rule 94 of the Committee's rules of procedure" in text
    assert "Articles 6 and 7 of the International Covenant on Civil and Political Rights" in text
    # The facts, in order, as sentences, with the case's clock said once.
    assert "Times are the local time of Europe/Istanbul (UTC+03:00)." in text
    first = text.index(
        "On 1 March 2026 at 08:00 the applicant was detained pending deportation and held at "
        "Demirkent Removal Centre (fictional)."
    )
    assert first < text.index(
        "On 2 March 2026 at 15:00 Administrative Court of Demirkent (fictional) issued a decision ordering the "
        "applicant's deportation."
    )


def test_un_interim_needs_the_power_of_attorney_or_a_word_that_it_follows(tr_case):
    assert codes_of(tr_case, "un-interim") == ["power_of_attorney"]
    assert codes_of(tr_case, "un-interim", power_of_attorney_follows=True) == []


def test_a_language_without_a_template_is_refused(tr_case):
    assert codes_of(tr_case, "rule39", lang="ru") == ["language"]


def test_without_a_destination_or_nationality_the_grounds_are_missing(org, alice):
    case = turkey_case(org, alice)
    case.person.nationality = ""
    case.person.save(update_fields=["nationality"])
    event = case.events.get(type="removal_scheduled")
    event.attributes.pop("destination")
    event.save(update_fields=["attributes"])
    assert codes_of(case, "un-interim", power_of_attorney_follows=True) == [
        "removal_destination",
        "grounds",
        "nationality",
    ]


def test_grounds_written_by_the_lawyer_replace_the_default(tr_case):
    grounds = "He deserted from the army; deserters are executed (fictional grounds)."
    opts = options(grounds=grounds, contact=Contact(name="Bo Fictional", phone="+90 1"))
    text = pdf_text(render_filing(case=tr_case, kind="rule39", lang="en", fmt="pdf", options=opts).content)
    assert grounds in text
    assert "The request engages" not in text
    assert "Person to contact: Bo Fictional, +90 1" in text


@pytest.mark.parametrize(
    ("reference", "filename"),
    [
        ("TST-TR-001", "rule39-TST-TR-001-en.pdf"),
        ("СПБ-2026-014", "rule39-SPB-2026-014-en.pdf"),
        ("Ö/1 2", "rule39-O-1-2-en.pdf"),
    ],
)
def test_file_names_are_ascii_for_the_rule39_site(org, alice, reference, filename):
    case = turkey_case(org, alice)
    # New references are ASCII codes (refuge.casefile.validate.REFERENCE_RE); a case made before
    # that rule may still carry another one, and its file names stay ASCII too.
    type(case).objects.filter(pk=case.pk).update(reference=reference)
    case.refresh_from_db()
    rendered = render_filing(case=case, kind="rule39", lang="en", fmt="pdf", options=options())
    assert rendered.filename == filename
    assert rendered.filename.isascii()


def test_the_references_the_case_holds_are_printed(tr_case):
    from refuge.cases.models import Proceeding

    Proceeding.objects.create(case=tr_case, forum="domestic_court", reference_number="2026/117 E. (fictional)")
    Proceeding.objects.create(case=tr_case, forum="echr", reference_number="12345/26")
    text = pdf_text(render_filing(case=tr_case, kind="rule39", lang="en", fmt="pdf", options=options()).content)
    assert "Application number: 12345/26" in text
    assert "Case reference of the domestic authority: 2026/117 E. (fictional)" in text
    assert "none yet" not in text

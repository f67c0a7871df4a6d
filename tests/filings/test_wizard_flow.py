"""The wizard over HTTP: choose, review, generate, download, record the sending; refusals; forms that keep input."""

from __future__ import annotations

import hashlib
import io
import re
from datetime import datetime, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.filings.notify_helpers import CONTACT, choices, rule39_case

pytestmark = pytest.mark.django_db


def _pdf_text(content: bytes) -> str:
    import pypdf

    return "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(content)).pages)


def _download(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return b"".join(response.streaming_content)


def test_the_wizard_reaches_a_downloaded_rule39_request_in_four_screens(org, alice, client):
    from refuge.audit.events import EventType
    from refuge.audit.models import AuditEvent
    from refuge.filings.models import GeneratedFiling

    case = rule39_case(org, alice)
    client.force_login(alice)
    page = client.get(case.get_absolute_url()).content.decode()  # screen 1: the case page
    new = reverse("filing_new", args=[case.code])
    assert new in page

    step1 = client.get(new)  # screen 2: what to generate
    assert step1.status_code == 200
    assert 'value="Alice"' in step1.content.decode()  # the lawyer is the contact by default

    review = client.post(new, choices())  # screen 3: the review
    body = review.content.decode()
    assert review.status_code == 200
    assert "The checklist is complete" in body
    assert "10 Dec 2026 06:30" in body and "Syria" in body

    generated = client.post(reverse("filing_generate", args=[case.code]), choices())
    assert generated.status_code == 302
    filing = GeneratedFiling.objects.get(case=case)
    assert generated["Location"] == filing.get_absolute_url()
    detail = client.get(generated["Location"]).content.decode()  # screen 4: download, and the sending form
    assert filing.sha256 in detail

    content = _download(client, reverse("filing_download", args=[case.code, filing.code]))
    assert hashlib.sha256(content).hexdigest() == filing.sha256
    text = _pdf_text(content)
    assert "Rule 39 – Urgent" in text
    assert "Person to contact: Alice Advocate, +90 000 000 00 01" in text
    assert "10 December" in text and "06:30" in text and "Syria" in text
    types = list(AuditEvent.objects.filter(target_code=str(case.code)).values_list("type", flat=True))
    assert int(EventType.FILING_GENERATED) in types
    assert int(EventType.FILING_DOWNLOADED) in types


def test_a_second_generation_is_the_next_version(org, alice, client):
    case = rule39_case(org, alice)
    client.force_login(alice)
    url = reverse("filing_generate", args=[case.code])
    client.post(url, choices())
    client.post(url, choices(grounds="Specific grounds, second version (fictional)."))
    versions = [(f.version, f.sha256) for f in case.filings.order_by("version")]  # sha256 is encrypted
    assert [v for v, _ in versions] == [1, 2]
    assert versions[0][1] != versions[1][1]
    page = client.get(case.get_absolute_url()).content.decode()
    assert versions[0][1] in page and versions[1][1] in page  # the case page shows each version's SHA-256


def test_a_refusal_lists_exactly_what_is_missing_with_where_to_fix_it(case, alice, client):
    """The shared case is Russian (the ECtHR no longer covers it) and has no removal scheduled."""
    client.force_login(alice)
    review = client.post(reverse("filing_new", args=[case.code]), choices())
    body = review.content.decode()
    missing = re.findall(r'data-missing="([a-z_]+)"', body)
    assert set(missing) >= {"echr_unavailable", "removal_date"}
    assert reverse("event_add", args=[case.code]) + "?type=removal_scheduled" in body
    assert reverse("filing_new", args=[case.code]) + "?kind=un-interim" in body
    assert ">Generate<" not in body
    refused = client.post(reverse("filing_generate", args=[case.code]), choices())
    assert refused.status_code == 422
    assert not case.filings.exists()


def test_step_one_names_each_bad_field_and_keeps_what_was_typed(case, alice, client):
    client.force_login(alice)
    data = choices(kind="notify-authority", lang="ko", contact_phone="", grounds="Typed grounds (fictional)")
    response = client.post(reverse("filing_new", args=[case.code]), data)
    assert response.status_code == 422
    form = response.context["form"]
    assert set(form.errors) == {"lang", "authority", "contact_phone"}
    body = response.content.decode()
    assert "Typed grounds (fictional)" in body
    assert 'value="Alice Advocate"' in body


def test_changing_the_choices_goes_back_with_them_kept(org, alice, client):
    case = rule39_case(org, alice)
    client.force_login(alice)
    data = {**choices(grounds="Kept (fictional)"), "edit": "1"}
    response = client.post(reverse("filing_new", args=[case.code]), data)
    assert response.status_code == 200
    assert not response.context["form"].errors
    assert "Kept (fictional)" in response.content.decode()


def test_recording_the_sending_from_the_filing_page(org, alice, client):
    from refuge.filings.models import Sending

    case = rule39_case(org, alice)
    client.force_login(alice)
    client.post(reverse("filing_generate", args=[case.code]), choices())
    filing = case.filings.get()
    url = reverse("filing_send", args=[case.code, filing.code])
    proof = b"%PDF-1.4 fax report: OK, 3 pages (fictional)"
    data = {
        "authority": "",
        "channel": "fax",
        "sent_date": "2026-11-26",
        "sent_time": "11:05",
        "reference": "",
        "proof": SimpleUploadedFile("fax-report.pdf", proof, content_type="application/pdf"),
    }
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    sending = Sending.objects.get(case=case)
    assert sending.filing == filing and sending.channel == "fax"
    assert sending.sent_at == datetime.fromisoformat("2026-11-26T11:05:00+03:00")
    assert sending.event.type == "interim_measure_requested"
    assert sending.event.attributes == {"forum": "echr"}
    page = client.get(case.get_absolute_url()).content.decode()
    assert "Forum registries" in page
    assert _download(client, reverse("sending_proof", args=[case.code, sending.code])) == proof


def test_the_sending_form_keeps_what_was_typed_and_refuses_email_to_the_court(org, alice, client):
    from refuge.filings.models import Sending

    case = rule39_case(org, alice)
    client.force_login(alice)
    client.post(reverse("filing_generate", args=[case.code]), choices())
    filing = case.filings.get()
    tomorrow = (datetime.now() + timedelta(days=2)).date().isoformat()  # noqa: DTZ005  # a date only
    data = {"channel": "email", "sent_date": tomorrow, "sent_time": "09:00", "reference": "REF-42"}
    response = client.post(reverse("filing_send", args=[case.code, filing.code]), data)
    assert response.status_code == 422
    errors = response.context["form"].errors
    assert "e-mail" in errors["channel"][0]
    assert "not come yet" in errors["sent_time"][0]
    assert 'value="REF-42"' in response.content.decode()
    assert not Sending.objects.exists()


def test_a_notification_letter_to_an_authority_fills_its_log(case, alice, client):
    from refuge.cases.models import Authority
    from refuge.filings.models import Sending

    bailiffs = Authority.objects.create(organisation=case.organisation, name="Bailiffs (fictional)", kind="bailiffs")
    client.force_login(alice)
    data = {"authority": str(bailiffs.code), "channel": "hand", "sent_date": "2026-11-26", "sent_time": "12:00"}
    assert client.post(reverse("sending_add", args=[case.code]), data).status_code == 302
    sending = Sending.objects.get()
    assert (sending.authority, sending.event, sending.filing) == (bailiffs, None, None)
    assert "Bailiffs (fictional)" in client.get(case.get_absolute_url()).content.decode()


@pytest.mark.parametrize("who", ["bob", "carol", "ana"])
def test_only_the_team_and_admins_reach_the_filings(org, alice, adam, who, request):
    from django.test import Client

    from refuge.filings.actions import store_filing

    case = rule39_case(org, alice)
    filing = store_filing(
        case=case,
        user=alice,
        kind="rule39",
        lang="en",
        fmt="pdf",
        content=b"%PDF-1.4 (fictional)",
        filename="r.pdf",
        content_type="application/pdf",
    )
    outsider = Client()
    outsider.force_login(request.getfixturevalue(who))
    urls = [
        reverse("filing_new", args=[case.code]),
        reverse("filing_detail", args=[case.code, filing.code]),
        reverse("filing_download", args=[case.code, filing.code]),
        reverse("sending_add", args=[case.code]),
    ]
    for url in urls:
        assert outsider.get(url).status_code == 404, url
    assert outsider.post(reverse("filing_generate", args=[case.code]), choices()).status_code == 404
    assert case.filings.count() == 1
    admin = Client()
    admin.force_login(adam)
    assert admin.get(urls[2]).status_code == 200


def test_an_analyst_sees_neither_the_log_nor_a_filing(org, alice, ana, client):
    from refuge.filings.actions import store_filing

    case = rule39_case(org, alice)
    filing = store_filing(
        case=case,
        user=alice,
        kind="rule39",
        lang="en",
        fmt="pdf",
        content=b"%PDF-1.4 (fictional)",
        filename="r.pdf",
        content_type="application/pdf",
    )
    client.force_login(alice)
    assert filing.sha256 in client.get(case.get_absolute_url()).content.decode()  # the team sees the log
    client.force_login(ana)  # an analyst: statistics only (issue 14)
    for url in (
        case.get_absolute_url(),
        reverse("filing_detail", args=[case.code, filing.code]),
        reverse("filing_download", args=[case.code, filing.code]),
    ):
        response = client.get(url)
        assert response.status_code == 404, url
        assert filing.sha256 not in response.content.decode()


def test_contact_defaults_are_the_lawyer(case, alice, client):
    alice.email = "alice@example.org"
    alice.save(update_fields=["email"])
    client.force_login(alice)
    form = client.get(reverse("filing_new", args=[case.code])).context["form"]
    assert form.initial["contact_email"] == "alice@example.org"
    assert CONTACT["contact_name"] not in form.initial.values()

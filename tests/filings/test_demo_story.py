"""The acceptance walk on DEMO-01 (the story): a Rule 39 request and a Russian letter through the wizard."""

from __future__ import annotations

import io
from datetime import date

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.fixture
def story(db):  # type: ignore[no-untyped-def]
    from refuge.accounts.models import User
    from refuge.cases.demo import build_demo
    from refuge.cases.models import Case

    build_demo(today=date(2026, 3, 11))
    return Case.objects.get(reference="DEMO-01"), User.objects.get(username="demo-lawyer")


def _text(client, filing_url: str) -> str:  # type: ignore[no-untyped-def]
    import pypdf

    from refuge.filings.models import GeneratedFiling

    code = filing_url.rstrip("/").rsplit("/", 1)[1]
    filing = GeneratedFiling.objects.get(code=code)
    response = client.get(reverse("filing_download", args=[filing.case.code, filing.code]))
    assert response.status_code == 200
    content = b"".join(response.streaming_content)
    text = "\n".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(content)).pages)
    return " ".join(text.split())  # lines wrap where the page ends them


def test_demo_01_gets_its_rule39_request_and_russian_letter_in_four_screens(story, client) -> None:  # type: ignore[no-untyped-def]
    case, lawyer = story
    client.force_login(lawyer)
    new = reverse("filing_new", args=[case.code])
    assert new in client.get(case.get_absolute_url()).content.decode()  # screen 1: the case page
    assert client.get(new).status_code == 200  # screen 2: what to generate
    base = {
        "kind": "rule39",
        "lang": "en",
        "fmt": "pdf",
        "contact_name": "Irina Sokolovskaya",
        "contact_email": "demo-lawyer@example.org",
    }
    # Russia left the Convention: without the lawyer's confirmation the review refuses and says why.
    refused = client.post(new, base).content.decode()
    assert "echr_unavailable" in refused or "does not cover this act" in refused
    chosen = {**base, "despite_unavailable": "on"}
    review = client.post(new, chosen)  # screen 3: the review
    assert review.status_code == 200 and "The checklist is complete" in review.content.decode()
    generated = client.post(reverse("filing_generate", args=[case.code]), chosen)
    assert generated.status_code == 302  # screen 4: the download
    text = _text(client, generated["Location"])
    assert "Rule 39 – Urgent" in text
    assert "Person to contact: Irina Sokolovskaya, demo-lawyer@example.org" in text
    assert "17 March 2026 at 06:00 (Europe/Moscow, UTC+03:00)" in text
    assert "Democratic People's Republic of Korea" in text

    from refuge.cases.models import Authority

    bailiffs = Authority.objects.get(organisation=case.organisation, name__startswith="Federal Bailiffs Service")
    letter = {**base, "kind": "notify-authority", "lang": "ru", "authority": str(bailiffs.code)}
    assert client.post(new, letter).status_code == 200
    generated = client.post(reverse("filing_generate", args=[case.code]), letter)
    assert generated.status_code == 302
    text = _text(client, generated["Location"])
    assert "Уведомление о временной мере" in text

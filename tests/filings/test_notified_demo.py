"""The story's case (DEMO-01): the UN measure's court is not told; the conflict appears, a Russian letter clears it."""

from __future__ import annotations

import io
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from tests.filings.notify_helpers import choices

pytestmark = pytest.mark.django_db
TODAY = date(2026, 11, 27)
MORNING = datetime(2026, 11, 27, 9, 0, tzinfo=ZoneInfo("Europe/Moscow"))


def _demo():
    from refuge.accounts.models import User
    from refuge.cases.models import Case
    from refuge.demo.load import build_demo

    with time_machine.travel(MORNING, tick=False):
        build_demo(today=TODAY)
    return Case.objects.get(reference="DEMO-01"), User.objects.get(username="demo-lawyer")


def test_the_story_case_raises_and_clears_authority_not_notified(client):
    from refuge.cases.models import Authority, CaseCheck
    from refuge.cases.recompute import recompute_case
    from refuge.filings.conflicts import executing_authorities

    case, lawyer = _demo()
    grant = case.events.get(key="e6")  # UN HRC measure, granted yesterday 17:00 Geneva time
    court = Authority.objects.get(organisation=case.organisation, name__startswith="Zarechny")
    assert executing_authorities(case) == [court]  # named by the decision and by the court proceeding
    assert not case.conflicts.filter(kind="authority_not_notified").exists()
    assert CaseCheck.objects.get(case=case).recheck_at == grant.at + timedelta(hours=24)

    # The worker's recheck, once the day has passed with nobody told.
    with time_machine.travel(grant.at + timedelta(hours=24, minutes=5), tick=False):
        recompute_case(case=case, cause="recheck")
        assert case.conflicts.filter(kind="authority_not_notified", severity="high").exists()
        client.force_login(lawyer)
        page = client.get(case.get_absolute_url()).content.decode()
        assert "An executing authority has not been notified of the interim measure" in page

        # Screens 2-4: a notification letter in Russian to the court, generated and downloaded.
        data = choices(
            kind="notify-authority",
            lang="ru",
            authority=str(court.code),
            contact_phone="+7 000 000-00-00",
            contact_name_cyrillic="Алиса Адвокатова",
        )
        review = client.post(reverse("filing_new", args=[case.code]), data)
        assert "The checklist is complete" in review.content.decode()
        assert 'data-warning="rule_number_unverified"' in review.content.decode()  # it cites the HRC's rule
        data["acknowledged"] = ["rule_number_unverified"]
        generated = client.post(reverse("filing_generate", args=[case.code]), data)
        assert generated.status_code == 302
        letter = case.filings.get(kind="notify-authority")
        assert (letter.lang, letter.authority) == ("ru", court)
        download = client.get(reverse("filing_download", args=[case.code, letter.code]))
        import pypdf

        reader = pypdf.PdfReader(io.BytesIO(b"".join(download.streaming_content)))
        text = "\n".join(p.extract_text() for p in reader.pages)
        assert "Комитет ООН по правам человека" in text or "Комитета ООН по правам человека" in text

        # Step 4: sent by fax to the court; the conflict clears at once.
        sent = {"authority": str(court.code), "channel": "fax", "sent_date": "2026-11-27", "sent_time": "19:04"}
        assert client.post(reverse("filing_send", args=[case.code, letter.code]), sent).status_code == 302
        assert not case.conflicts.filter(kind="authority_not_notified").exists()
        assert letter.sendings.get().event is None  # a letter is not a request: no timeline event


def test_a_rule39_request_for_the_story_case_is_refused_towards_the_un(client):
    """Russia left the Convention system on 16 Sep 2022: the wizard sends the lawyer to the UN request."""
    case, lawyer = _demo()
    with time_machine.travel(MORNING, tick=False):
        client.force_login(lawyer)
        review = client.post(reverse("filing_new", args=[case.code]), choices()).content.decode()
    assert 'data-missing="echr_unavailable"' in review
    assert reverse("filing_new", args=[case.code]) + "?kind=un-interim" in review


def test_the_story_case_gets_its_rule39_request_and_russian_letter_in_four_screens(client):
    """The acceptance: DEMO-01's Rule 39 request (filed although the engine reads no reach) and its letter."""
    case, lawyer = _demo()
    with time_machine.travel(MORNING, tick=False):
        client.force_login(lawyer)
        assert reverse("filing_new", args=[case.code]) in client.get(case.get_absolute_url()).content.decode()
        new = reverse("filing_new", args=[case.code])
        assert client.get(new).status_code == 200
        data = choices(contact_name="Irina Sokolovskaya", contact_phone="+7 000 000-00-00", despite_unavailable="on")
        review = client.post(new, data).content.decode()
        assert "The checklist is complete" in review
        assert "does not cover this act as Refuge reads the law" in review  # the lawyer's call, said plainly
        assert 'data-warning="forum_unavailable"' in review  # and a warning to acknowledge
        data["acknowledged"] = ["forum_unavailable"]
        generated = client.post(reverse("filing_generate", args=[case.code]), data)
        assert client.get(generated["Location"]).status_code == 200
        request = case.filings.get(kind="rule39")
        download = client.get(reverse("filing_download", args=[case.code, request.code]))
        import pypdf

        reader = pypdf.PdfReader(io.BytesIO(b"".join(download.streaming_content)))
        text = " ".join(p.extract_text() for p in reader.pages).replace("\n", " ")
        assert "Rule 39 – Urgent" in text
        assert "Person to contact: Irina Sokolovskaya, +7 000 000-00-00" in text
        assert "3 December 2026 at 06:00" in text  # six days after the demo's today, Moscow time
        assert "Democratic People's Republic of Korea" in text

        court = case.proceedings.get(forum="domestic_court").authority
        letter = choices(
            kind="notify-authority",
            lang="ru",
            authority=str(court.code),
            contact_phone="+7 000",
            contact_name="Irina Sokolovskaya",  # her Cyrillic name is on her user
            acknowledged=["rule_number_unverified"],  # the HRC measure's rule number
        )
        assert client.post(reverse("filing_generate", args=[case.code]), letter).status_code == 302
    assert case.filings.get(kind="notify-authority").lang == "ru"

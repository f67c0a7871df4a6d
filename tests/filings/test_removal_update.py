"""A rescheduled removal that a request already sent spoke of: a high alert, and the update letter in one step."""

from __future__ import annotations

import io
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from tests.filings.generation import pdf_text

NOW = datetime(2026, 3, 11, 12, 0, tzinfo=ZoneInfo("Europe/Moscow"))


@pytest.fixture
def story(db):
    from refuge.accounts.models import User
    from refuge.cases.models import Case
    from refuge.demo.load import build_demo

    build_demo(today=date(2026, 3, 11))
    return Case.objects.get(reference="DEMO-01"), User.objects.get(username="demo-lawyer")


def _reschedule(case, user):
    from refuge.cases.actions import record_event

    return record_event(
        case=case,
        user=user,
        type="removal_scheduled",
        at="2026-03-11T11:00:00+03:00",
        attributes={"removal_at": "2026-03-14T05:00:00+03:00", "destination": "KP", "replaces": "e8"},
        source="the bailiffs, by telephone",
    )


@time_machine.travel(NOW, tick=False)
def test_a_rescheduled_removal_raises_a_high_alert_until_the_update_is_sent(story, client):
    from refuge.alerts.models import Alert

    case, lawyer = story
    assert not case.conflicts.filter(kind="removal_update_not_sent").exists()
    new = _reschedule(case, lawyer)
    conflict = case.conflicts.get(kind="removal_update_not_sent")
    assert conflict.severity == "high"
    assert conflict.events == [new.key, "e4"]  # the new removal and the HRC request that spoke of the old date
    assert Alert.objects.filter(case=case, subject__icontains="new removal date").exists()

    client.force_login(lawyer)
    page = client.get(case.get_absolute_url()).content.decode()
    assert 'data-update-forum="un_hrc"' in page
    assert "The forum has not been told of the new removal date" in page
    # One step: the button posts straight to generation; the review comes back only for a warning.
    data = {
        "kind": "removal-update", "lang": "en", "fmt": "pdf", "forum": "un_hrc",
        "contact_name": "Irina Sokolovskaya", "contact_email": "demo-lawyer@example.org",
    }  # fmt: skip
    review = client.post(reverse("filing_generate", args=[case.code]), data)
    assert 'data-warning="contact_no_phone"' in review.content.decode()  # her number is not known: say so
    generated = client.post(reverse("filing_generate", args=[case.code]), {**data, "acknowledged": "contact_no_phone"})
    assert generated.status_code == 302
    update = case.filings.get(kind="removal-update")
    assert update.forum == "un_hrc"
    download = client.get(reverse("filing_download", args=[case.code, update.code]))
    text = pdf_text(b"".join(download.streaming_content))
    assert "Update to our request for interim measures: the removal has been rescheduled" in text
    assert "On 9 March 2026 we asked the UN Human Rights Committee to indicate interim measures" in text
    assert "was later scheduled for 17 March 2026 at 06:00" in text
    assert "it is now scheduled for 14 March 2026 at 05:00 (Europe/Moscow, UTC+03:00)" in text
    assert "(source: the bailiffs, by telephone)" in text

    sent = {"channel": "email", "sent_date": "2026-03-11", "sent_time": "11:50"}
    assert client.post(reverse("filing_send", args=[case.code, update.code]), sent).status_code == 302
    assert not case.conflicts.filter(kind="removal_update_not_sent").exists()
    assert 'data-update-forum="un_hrc"' not in client.get(case.get_absolute_url()).content.decode()


@time_machine.travel(NOW, tick=False)
def test_no_update_is_asked_where_no_request_spoke_of_the_old_date(story, tmp_path):
    from django.core.management import call_command
    from django.core.management.base import CommandError

    case, lawyer = story
    _reschedule(case, lawyer)
    with pytest.raises(CommandError) as refused:
        call_command(
            "filing", "removal-update", "--case", "DEMO-01", "--forum", "un_cat", "-o", str(tmp_path / "u.pdf"),
            stdout=io.StringIO(), stderr=io.StringIO(),
        )  # fmt: skip
    assert "update_forum" in str(refused.value)

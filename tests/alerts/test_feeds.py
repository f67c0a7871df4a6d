"""Calendar feeds: a secret URL, live iCalendar of what its user may see now, references only."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import icalendar
import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from refuge.alerts.actions import create_feed, revoke_feed
from refuge.alerts.models import FeedToken
from refuge.alerts.queue import reminder_instants
from refuge.audit.events import EventType
from refuge.audit.models import AuditEvent
from refuge.cases import law

# 4 March 2026, the morning after the decision was received: the appeal window is open.
MARCH_4 = datetime(2026, 3, 4, 7, 0, tzinfo=UTC)
CLIENT_NAMES = ("Testov", "Fiktiv", "Тестов", "Фиктив")


@pytest.fixture
def march() -> Iterator[Any]:
    with time_machine.travel(MARCH_4, tick=False) as traveller:
        yield traveller


@pytest.fixture
def open_case(march, case):  # march first: the case is made on 4 March
    return case


def _calendar(token: str, client: Client | None = None) -> icalendar.Calendar:
    response = (client or Client()).get(reverse("calendar_feed", args=[token]))
    assert response.status_code == 200, response.status_code
    return icalendar.Calendar.from_ical(response.content)


def _events(cal: icalendar.Calendar) -> list[Any]:
    return list(cal.walk("VEVENT"))


def _status(token: str) -> int:
    return Client().get(reverse("calendar_feed", args=[token])).status_code


def _open_deadlines(case):
    return list(case.deadlines.filter(status="open", due_at__isnull=False).order_by("due_at"))


def test_feed_holds_one_event_per_open_deadline_at_its_instant_with_its_reminders(open_case, alice) -> None:
    _, token = create_feed(user=alice)
    response = Client().get(reverse("calendar_feed", args=[token]))  # no session: the token is the key
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Cache-Control"] == "no-store"
    assert Client().head(reverse("calendar_feed", args=[token])).status_code == 200  # some clients ask first
    assert Client().post(reverse("calendar_feed", args=[token])).status_code == 405
    cal = icalendar.Calendar.from_ical(response.content)
    assert str(cal["VERSION"]) == "2.0"
    assert "Refuge" in str(cal["PRODID"])
    assert str(cal["X-WR-CALNAME"]) == "Refuge deadlines"

    deadlines = _open_deadlines(open_case)
    assert len(deadlines) >= 2  # the appeal and the enforcement lapse, at least
    events = _events(cal)
    assert len(events) == len(deadlines)
    by_start = {ev.decoded("dtstart"): ev for ev in events}
    for deadline in deadlines:
        event = by_start[deadline.due_at]  # the same instant, compared as instants
        assert event.decoded("dtend") == deadline.due_at
        assert str(event["SUMMARY"]).startswith(f"{open_case.reference}: ")
        assert f"({deadline.severity})" in str(event["SUMMARY"])
        assert f"{law.label(deadline.rule)}: " in str(event["DESCRIPTION"])  # words, not the rule's id
        assert deadline.rule not in str(event["DESCRIPTION"])
        assert str(event["URL"]).endswith(reverse("case_detail", args=[open_case.code]))
        alarms = list(event.walk("VALARM"))
        expected = reminder_instants(deadline) or [deadline.due_at - timedelta(hours=24)]  # never without one
        assert sorted(a["TRIGGER"].dt for a in alarms) == sorted(expected)
        assert all(str(a["ACTION"]) == "DISPLAY" for a in alarms)
        assert all(a["TRIGGER"].params.get("VALUE") == "DATE-TIME" for a in alarms)
    assert any(event.walk("VALARM") for event in events)  # the fixture's deadlines have reminders


def test_feed_carries_references_and_never_a_client_name(open_case, alice) -> None:
    from refuge.cases.models import Person

    assert Person.objects.filter(case=open_case).exists()  # the client is there, with names
    _, token = create_feed(user=alice, case=open_case)
    body = Client().get(reverse("calendar_feed", args=[token])).content.decode()
    cal = icalendar.Calendar.from_ical(body)
    assert str(cal["X-WR-CALNAME"]) == open_case.reference
    assert all(open_case.reference in str(ev["SUMMARY"]) for ev in _events(cal))
    for name in CLIENT_NAMES:
        assert name not in body


def test_uids_are_stable_from_one_read_to_the_next(open_case, alice, march) -> None:
    _, token = create_feed(user=alice)
    first = {str(ev["UID"]) for ev in _events(_calendar(token))}
    march.shift(timedelta(hours=3))
    second = {str(ev["UID"]) for ev in _events(_calendar(token))}
    assert first == second
    assert len(first) == len(_open_deadlines(open_case))
    assert all(uid.endswith("@refuge") for uid in first)


def test_an_urgent_conflict_is_an_all_day_event_on_today(open_case, alice) -> None:
    from refuge.cases.derived import Conflict

    Conflict.objects.create(
        case=open_case,
        organisation=open_case.organisation,
        key="removal_during_measure|e2",
        kind="removal_during_measure",
        severity="critical",
        severity_rank=0,
        basis="Rule 39 (fictional basis)",
        raised_at=MARCH_4 - timedelta(hours=2),
    )
    Conflict.objects.create(
        case=open_case,
        organisation=open_case.organisation,
        key="quiet|e1",
        kind="quiet",
        severity="medium",
        severity_rank=2,
        basis="(fictional)",
        raised_at=MARCH_4,
    )
    _, token = create_feed(user=alice, case=open_case)
    all_day = [ev for ev in _events(_calendar(token)) if not isinstance(ev.decoded("dtstart"), datetime)]
    assert len(all_day) == 1  # the critical conflict; the medium one is not in a calendar
    event = all_day[0]
    assert event.decoded("dtstart") == date(2026, 3, 4)
    assert event.decoded("dtend") == date(2026, 3, 5)
    assert str(event["SUMMARY"]).startswith(f"{open_case.reference}: ")
    assert "(critical)" in str(event["SUMMARY"])


def test_making_a_feed_shows_the_token_once_and_stores_only_its_hash(open_case, alice) -> None:
    client = Client()
    client.force_login(alice)
    response = client.post(reverse("case_feed_create", args=[open_case.code]))
    assert response.status_code == 200
    assert response["Cache-Control"].startswith("no-store") or "no-store" in response["Cache-Control"]
    feed = FeedToken.objects.get(user=alice)
    url = response.context["url"]
    token = url.rsplit("/", 1)[1].removesuffix(".ics")
    assert url in response.content.decode()
    assert feed.digest == hashlib.sha256(token.encode()).hexdigest()
    assert feed.case == open_case
    assert not FeedToken.objects.filter(digest=token).exists()
    entry = AuditEvent.objects.get(type=EventType.FEED_CREATED)
    assert (entry.actor_id, entry.target_kind, entry.target_code) == (alice.pk, "feedtoken", str(feed.code))
    assert entry.data == {"case": str(open_case.code)}
    page = client.get(reverse("alert_settings")).content.decode()
    assert feed.hint in page
    assert token not in page  # shown once only
    assert _status(token) == 200


def test_a_revoked_feed_answers_404(open_case, alice) -> None:
    feed, token = create_feed(user=alice)
    assert _status(token) == 200
    client = Client()
    client.force_login(alice)
    response = client.post(reverse("feed_revoke", args=[feed.code]))
    assert response.status_code == 302
    assert _status(token) == 404
    assert AuditEvent.objects.filter(type=EventType.FEED_REVOKED, target_code=str(feed.code), actor=alice).count() == 1
    assert client.post(reverse("feed_revoke", args=[feed.code])).status_code == 404  # gone from the list
    assert not revoke_feed(feed=feed, user=alice)  # and once is enough


def test_only_the_owner_revokes_a_feed(open_case, alice, bob, adam) -> None:
    feed, token = create_feed(user=alice)
    for other in (bob, adam):
        client = Client()
        client.force_login(other)
        assert client.post(reverse("feed_revoke", args=[feed.code])).status_code == 404
    assert _status(token) == 200


def test_bob_gets_no_events_of_alices_case(open_case, alice, bob) -> None:
    assert _open_deadlines(open_case)
    _, token = create_feed(user=bob)
    assert _events(_calendar(token)) == []
    client = Client()
    client.force_login(bob)
    assert client.post(reverse("case_feed_create", args=[open_case.code])).status_code == 404
    assert not FeedToken.objects.filter(user=bob, case=open_case).exists()


def test_taken_off_the_team_alice_loses_the_case_from_her_feeds(open_case, alice) -> None:
    _, everything = create_feed(user=alice)
    _, one_case = create_feed(user=alice, case=open_case)
    assert _events(_calendar(everything))
    open_case.members.filter(user=alice).delete()
    assert _events(_calendar(everything)) == []
    assert _status(one_case) == 404


def test_a_disabled_users_feed_answers_404(open_case, alice) -> None:
    _, everything = create_feed(user=alice)
    _, one_case = create_feed(user=alice, case=open_case)
    alice.is_active = False
    alice.save(update_fields=["is_active"])
    assert _status(everything) == 404
    assert _status(one_case) == 404


def test_analysts_have_no_feeds(open_case, ana) -> None:
    client = Client()
    client.force_login(ana)
    assert client.post(reverse("feed_create")).status_code == 404
    assert client.post(reverse("case_feed_create", args=[open_case.code])).status_code == 404
    assert not FeedToken.objects.filter(user=ana).exists()
    assert "Analysts have no calendar feeds" in client.get(reverse("alert_settings")).content.decode()
    # One made before the user became an analyst stops answering.
    _, token = create_feed(user=ana)
    assert _status(token) == 404


def test_an_admin_feed_holds_the_organisations_cases(open_case, adam, carol) -> None:
    _, token = create_feed(user=adam)
    assert len(_events(_calendar(token))) == len(_open_deadlines(open_case))
    _, token = create_feed(user=carol)  # another organisation
    assert _events(_calendar(token)) == []


def test_unknown_and_malformed_tokens_answer_404(db) -> None:
    assert _status("A" * 43) == 404
    assert _status("x" * 500) == 404


def test_last_use_is_noted_at_most_hourly(open_case, alice, march) -> None:
    feed, token = create_feed(user=alice)
    assert feed.last_used_at is None
    _calendar(token)
    feed.refresh_from_db()
    assert feed.last_used_at == MARCH_4
    march.shift(timedelta(minutes=30))
    _calendar(token)
    feed.refresh_from_db()
    assert feed.last_used_at == MARCH_4
    march.shift(timedelta(minutes=31))
    _calendar(token)
    feed.refresh_from_db()
    assert feed.last_used_at == MARCH_4 + timedelta(minutes=61)


def test_the_settings_page_lists_live_feeds_with_their_scope(open_case, alice) -> None:
    everything, _ = create_feed(user=alice)
    one_case, _ = create_feed(user=alice, case=open_case)
    gone, _ = create_feed(user=alice)
    revoke_feed(feed=gone, user=alice)
    client = Client()
    client.force_login(alice)
    page = client.get(reverse("alert_settings")).content.decode()
    assert everything.hint in page
    assert one_case.hint in page
    assert "All your cases" in page
    assert open_case.reference in page
    assert reverse("feed_revoke", args=[gone.code]) not in page


def test_the_case_page_offers_a_feed_to_the_team_not_to_analysts(open_case, alice, ana) -> None:
    url = reverse("case_detail", args=[open_case.code])
    action = reverse("case_feed_create", args=[open_case.code])
    for user, offered in ((alice, True), (ana, False)):
        client = Client()
        client.force_login(user)
        assert (action in client.get(url).content.decode()) is offered


def test_a_scheduled_removal_is_an_event_with_alarms_72_24_and_6_hours_before(open_case, alice) -> None:
    from refuge.cases.actions import record_event

    record_event(
        case=open_case,
        user=alice,
        type="removal_scheduled",
        at="2026-03-04T09:00:00+03:00",
        attributes={"removal_at": "2026-03-10T06:00:00+03:00", "destination": "KP"},
    )
    _, token = create_feed(user=alice, case=open_case)
    removal_at = datetime(2026, 3, 10, 3, 0, tzinfo=UTC)
    removals = [ev for ev in _events(_calendar(token)) if "removal" in [str(c) for c in ev["CATEGORIES"].cats]]
    assert len(removals) == 1
    event = removals[0]
    assert event.decoded("dtstart") == removal_at
    text = f"{event['SUMMARY']} {event['DESCRIPTION']}"
    assert str(event["SUMMARY"]).startswith(f"{open_case.reference}: Removal")
    assert "KP" not in text and "Korea" not in text  # reference only: no destination
    triggers = sorted(a["TRIGGER"].dt for a in event.walk("VALARM"))
    assert triggers == [removal_at - timedelta(hours=h) for h in (72, 24, 6)]


def test_every_open_deadline_has_an_alarm(open_case, alice) -> None:
    _, token = create_feed(user=alice, case=open_case)
    deadlines = [ev for ev in _events(_calendar(token)) if isinstance(ev.decoded("dtstart"), datetime)]
    assert deadlines and all(list(ev.walk("VALARM")) for ev in deadlines)

"""From a change on a case to alerts: who is told, by which channels, in the change's transaction."""

from __future__ import annotations

from datetime import datetime

import pytest
from django.db import transaction

from refuge.alerts.models import Alert, AlertKind, AlertSettings, Delivery, Notification, Reminder
from refuge.cases.actions import record_event

NAMES = ("Testov", "Fiktiv", "Тестов", "Фиктив")

REMOVAL = {"removal_at": "2026-03-06T10:00:00+03:00", "destination": "KP"}


def schedule_removal(case, user):
    return record_event(
        case=case, user=user, type="removal_scheduled", at="2026-03-05T10:00:00+03:00", attributes=REMOVAL
    )


@pytest.mark.django_db
def test_a_critical_conflict_reaches_the_team_in_app_and_by_email(case, alice, bob, emails) -> None:
    schedule_removal(case, alice)
    alert = Alert.objects.get(
        kind=AlertKind.CONFLICT_RAISED, severity="critical", item_key__startswith="removal_before_final"
    )
    assert alert.case == case
    assert alert.subject.startswith("TST-2026-001: Conflict: ")
    assert alert.escalate_at is not None  # critical: it will climb if no one acknowledges it
    assert "Caused by event e4" in alert.body and "Events: " in alert.body and "Basis: " in alert.body
    assert list(Notification.objects.filter(alert=alert).values_list("user__username", flat=True)) == ["alice"]
    assert list(Delivery.objects.filter(alert=alert).values_list("channel", "address")) == [
        ("email", "alice@example.org")
    ]


@pytest.mark.django_db
def test_alerts_never_carry_the_clients_name(case, alice, emails) -> None:
    schedule_removal(case, alice)
    assert Alert.objects.exists()
    for alert in Alert.objects.all():
        text = f"{alert.subject}\n{alert.body}"
        assert not any(name in text for name in NAMES), text


@pytest.mark.django_db
def test_alerts_roll_back_with_the_change_that_caused_them(case, alice, emails) -> None:
    before = (Alert.objects.count(), Delivery.objects.count())
    with transaction.atomic():
        schedule_removal(case, alice)
        assert Alert.objects.count() > before[0]
        transaction.set_rollback(True)
    assert (Alert.objects.count(), Delivery.objects.count()) == before


@pytest.mark.django_db
def test_channels_follow_the_users_choice_per_severity(case, alice, emails) -> None:
    AlertSettings.objects.create(
        user=alice, channels={"critical": ["inapp"], "high": ["email"], "medium": [], "info": []}, webhook_url=""
    )
    schedule_removal(case, alice)
    critical = Alert.objects.filter(severity="critical")
    assert critical.exists()
    assert not Delivery.objects.filter(alert__in=critical).exists()  # in-app only, as chosen
    assert Notification.objects.filter(alert__in=critical, user=alice).count() == critical.count()


@pytest.mark.django_db
def test_a_user_without_an_address_gets_no_outbox_row(case, alice) -> None:
    schedule_removal(case, alice)  # alice has no e-mail address here
    assert Alert.objects.filter(severity="critical").exists()
    assert not Delivery.objects.exists()


@pytest.mark.django_db
def test_a_moved_deadline_is_an_alert_and_an_unmoved_one_is_not(case, alice, emails) -> None:
    Alert.objects.all().delete()
    e3 = case.events.get(key="e3")
    from refuge.cases.actions import update_event

    update_event(
        event=e3, user=alice, at="2026-03-04T16:00:00+03:00", attributes={"decision_event": "e2"}, source="", note=""
    )
    moved = Alert.objects.filter(kind=AlertKind.DEADLINE_MOVED)
    assert moved.exists()
    assert all("Deadline moved" in a.subject and a.subject.startswith("TST-2026-001") for a in moved)
    count = Alert.objects.count()
    update_event(
        event=e3, user=alice, at="2026-03-04T16:00:00+03:00", attributes={"decision_event": "e2"}, source="", note="x"
    )
    assert Alert.objects.count() == count


@pytest.mark.django_db
def test_reminders_are_kept_for_open_deadlines_only(case, alice) -> None:
    import time_machine

    from refuge.cases.recompute import recompute_case

    with time_machine.travel("2026-03-04T08:00:00+03:00", tick=False):
        recompute_case(case=case, cause="recompute")
    open_with_reminders = [d for d in case.deadlines.filter(status="open") if d.reminders]
    assert open_with_reminders, "the fixture case should have an open deadline with reminders on 4 March"
    rows_before = Reminder.objects.filter(deadline__case=case).count()
    assert rows_before == sum(len(d.reminders) for d in open_with_reminders if d.reminders)
    # Two years later: no reminder is kept for what has passed or for a deadline no longer open.
    later = datetime.fromisoformat("2028-06-04T08:00:00+03:00")
    with time_machine.travel(later, tick=False):
        recompute_case(case=case, cause="recompute")
    kept = Reminder.objects.filter(deadline__case=case, fired_at=None).select_related("deadline")
    assert kept.count() < rows_before
    assert all(r.at > later and r.deadline.status == "open" for r in kept)


@pytest.mark.django_db
def test_alert_texts_and_pages_read_times_on_the_case_clock(case, alice) -> None:
    from django.test import Client

    from refuge.alerts.message import compose

    Alert.objects.all().delete()
    e3 = case.events.get(key="e3")
    from refuge.cases.actions import update_event

    update_event(
        event=e3, user=alice, at="2026-03-04T16:00:00+03:00", attributes={"decision_event": "e2"}, source="", note=""
    )
    alert = Alert.objects.filter(kind=AlertKind.DEADLINE_MOVED, due_at__isnull=False).first()
    assert alert is not None
    assert " MSK" in alert.subject and "+03:00" not in alert.subject  # "due Sat 14 Mar, 23:59 MSK"
    delivery = Delivery(alert=alert, user=alice, channel="email", address="a@example.org")
    text = compose(delivery).text
    assert "Due: " in text and " MSK (" in text and "UTC" not in text
    client = Client()
    client.force_login(alice)
    page = client.get(alert.get_absolute_url()).content.decode()
    assert " MSK</time>" in page and " UTC" not in page

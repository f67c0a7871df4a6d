"""The alerts' clock: escalation to the on-call rota then the admins, reminders, digests, rechecks."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest
import time_machine
from django.utils import timezone

from refuge.alerts import clock
from refuge.alerts.actions import acknowledge_alert
from refuge.alerts.models import Alert, AlertKind, Delivery, EscalationPolicy, Level, Notification, OnCallShift
from refuge.alerts.queue import raise_alert, week_start
from refuge.audit.events import EventType
from refuge.audit.models import AuditEvent
from tests.alerts.helpers import critical_alert

pytestmark = pytest.mark.django_db


def told(alert: Alert) -> dict[str, int]:
    return dict(Notification.objects.filter(alert=alert).values_list("user__username", "level"))


def test_an_unacknowledged_critical_alert_climbs_to_on_call_then_to_admins(case, alice, bob, adam, emails) -> None:
    OnCallShift.objects.create(organisation=case.organisation, user=bob, week_start=week_start(timezone.localdate()))
    alert = critical_alert(case, [alice])
    raised = alert.created_at
    assert alert.escalate_at == raised + timedelta(minutes=30)
    clock.escalate_due(now=raised + timedelta(minutes=29))
    assert told(alert) == {"alice": Level.TEAM}
    clock.escalate_due(now=raised + timedelta(minutes=31))
    assert told(alert) == {"alice": Level.TEAM, "bob": Level.ONCALL}
    assert Delivery.objects.filter(alert=alert, user=bob, channel="email").exists()
    clock.escalate_due(now=raised + timedelta(minutes=62))
    assert told(alert) == {"alice": Level.TEAM, "bob": Level.ONCALL, "adam": Level.ADMINS}
    alert.refresh_from_db()
    assert alert.level == Level.ADMINS and alert.escalate_at is None  # the last level
    entries = AuditEvent.objects.filter(type=EventType.ALERT_ESCALATED, target_code=str(alert.code))
    assert sorted(e.data["level"] for e in entries) == [Level.ONCALL, Level.ADMINS]


def test_with_no_one_on_call_it_goes_straight_to_the_admins(case, alice, adam) -> None:
    alert = critical_alert(case, [alice])
    clock.escalate_due(now=alert.created_at + timedelta(minutes=31))
    assert told(alert) == {"alice": Level.TEAM, "adam": Level.ADMINS}


def test_acknowledging_stops_the_escalation(case, alice, adam) -> None:
    alert = critical_alert(case, [alice])
    assert acknowledge_alert(alert=alert, user=alice, via="page")
    assert not acknowledge_alert(alert=alert, user=alice, via="page")  # once
    assert clock.escalate_due(now=alert.created_at + timedelta(hours=5)) == 0
    assert told(alert) == {"alice": Level.TEAM}
    entry = AuditEvent.objects.get(type=EventType.ALERT_ACKNOWLEDGED)
    assert entry.target_code == str(alert.code) and entry.data["via"] == "page" and entry.actor_id == alice.pk


def test_the_organisation_sets_its_escalation_time(case, alice, adam) -> None:
    EscalationPolicy.objects.create(organisation=case.organisation, escalate_after_minutes=5)
    alert = critical_alert(case, [alice])
    assert alert.escalate_at == alert.created_at + timedelta(minutes=5)
    clock.escalate_due(now=alert.created_at + timedelta(minutes=6))
    assert "adam" in told(alert)


def test_only_critical_alerts_escalate(case, alice, adam) -> None:
    alert = raise_alert(
        organisation=case.organisation, case=case, kind="deadline_added", severity="high", subject="TST: x"
    )
    assert alert is not None and alert.escalate_at is None
    assert clock.escalate_due(now=timezone.now() + timedelta(days=1)) == 0


def test_a_reminder_fires_once_at_its_time(case, alice, emails) -> None:
    from refuge.alerts.models import Reminder
    from refuge.cases.recompute import recompute_case

    with time_machine.travel("2026-03-04T08:00:00+03:00", tick=False):
        recompute_case(case=case, cause="recompute")
    reminder = Reminder.objects.filter(deadline__case=case, fired_at=None).order_by("at").first()
    assert reminder is not None
    assert clock.fire_reminders(now=reminder.at - timedelta(seconds=1)) == 0
    assert clock.fire_reminders(now=reminder.at) == 1
    assert clock.fire_reminders(now=reminder.at + timedelta(minutes=5)) == 0
    alert = Alert.objects.get(kind=AlertKind.REMINDER)
    assert alert.subject.startswith("TST-2026-001: Reminder: ")
    assert told(alert) == {"alice": Level.TEAM}


def test_the_digest_goes_once_a_day_after_its_hour(case, alice, emails, settings) -> None:
    from zoneinfo import ZoneInfo

    from refuge.cases.recompute import recompute_case

    settings.REFUGE_DIGEST_HOUR = 7
    settings.REFUGE_DIGEST_TIMEZONE = "Europe/Moscow"
    with time_machine.travel("2026-03-04T06:00:00+03:00", tick=False):
        recompute_case(case=case, cause="recompute")
    first = case.deadlines.filter(status="open", due_at__isnull=False).order_by("due_at").first()
    assert first is not None
    msk = ZoneInfo("Europe/Moscow")
    day = (first.due_at.astimezone(msk) - timedelta(days=2)).date()
    six, seven = (datetime.combine(day, time(h, 1), tzinfo=msk) for h in (6, 7))
    assert clock.send_digests(now=six) == 0  # before 07:00 in Moscow
    assert clock.send_digests(now=seven) == 1
    assert clock.send_digests(now=seven + timedelta(hours=3)) == 0  # once that day
    digest = Alert.objects.get(kind=AlertKind.DIGEST)
    assert "TST-2026-001" in digest.body
    assert not any(name in digest.body for name in ("Testov", "Fiktiv", "Тестов", "Фиктив"))
    assert list(Delivery.objects.filter(alert=digest).values_list("channel", flat=True)) == ["email"]
    assert clock.send_digests(now=seven + timedelta(days=1)) == 1  # the next day's


def test_a_new_day_recomputes_the_case_and_a_missed_deadline_is_an_alert(case, alice, emails) -> None:
    from refuge.cases.recompute import recompute_case

    with time_machine.travel("2026-03-04T08:00:00+03:00", tick=False):
        recompute_case(case=case, cause="recompute")
    open_due = case.deadlines.filter(status="open", due_at__isnull=False).order_by("due_at").first()
    assert open_due is not None
    after = open_due.due_at + timedelta(days=1)
    assert clock.recheck_cases(now=after) == 1
    assert clock.recheck_cases(now=after) == 0  # done for the day
    open_due.refresh_from_db()
    assert open_due.status == "missed"
    assert Alert.objects.filter(kind=AlertKind.DEADLINE_MISSED, item_key=open_due.key).exists()


def test_a_provider_asking_to_be_asked_again_gets_its_recheck(case, alice) -> None:
    from refuge import hooks
    from refuge.cases.derived import CaseCheck
    from refuge.cases.recompute import recompute_case
    from refuge.hooks import ProvidedConflicts

    moment = datetime(2026, 3, 4, 12, 0, tzinfo=timezone.get_current_timezone())

    def provider(case, report, now):
        if now < moment:
            return ProvidedConflicts(recheck_at=moment)
        return ProvidedConflicts(
            conflicts=[{"kind": "authority_not_notified", "severity": "high", "events": [], "basis": "test"}]
        )

    hooks.CASE_CONFLICTS.connect(provider)
    try:
        recompute_case(case=case, cause="recompute", now=moment - timedelta(hours=1))
        assert CaseCheck.objects.get(case=case).recheck_at == moment
        assert clock.recheck_cases(now=moment - timedelta(minutes=1)) == 0
        assert clock.recheck_cases(now=moment + timedelta(minutes=1)) == 1
        assert case.conflicts.filter(kind="authority_not_notified").exists()
        assert CaseCheck.objects.get(case=case).recheck_at is None
    finally:
        hooks.CASE_CONFLICTS.disconnect(provider)


def test_week_start_is_the_monday() -> None:
    assert week_start(date(2026, 11, 29)) == date(2026, 11, 23)
    assert week_start(date(2026, 11, 23)) == date(2026, 11, 23)


def test_the_worker_recomputes_without_the_vaults_key(case, alice) -> None:
    """The worker runs apart from the server and never holds the key: the engine needs no names."""
    from refuge.cases.recompute import recompute_case
    from refuge.vault import state

    with time_machine.travel("2026-03-04T08:00:00+03:00", tick=False):
        recompute_case(case=case, cause="recompute")
    state.reset_for_tests()  # sealed, as in the worker's process
    assert state.is_sealed()
    from refuge.cases.models import Case

    fresh = Case.objects.get(pk=case.pk)  # nothing decrypted and cached from before
    first = fresh.deadlines.filter(status="open", due_at__isnull=False).order_by("due_at").first()
    assert first is not None
    assert clock.recheck_cases(now=first.due_at + timedelta(days=1)) == 1
    first.refresh_from_db()
    assert first.status == "missed"


def test_the_digest_leads_with_the_weeks_removals_on_the_case_clock(case, alice, emails, settings) -> None:
    from refuge.cases.actions import record_event

    settings.REFUGE_DIGEST_HOUR = 7
    settings.REFUGE_DIGEST_TIMEZONE = "Europe/Moscow"
    with time_machine.travel("2026-03-04T06:00:00+03:00", tick=False):
        record_event(
            case=case,
            user=alice,
            type="removal_scheduled",
            at="2026-03-04T05:00:00+03:00",
            attributes={"removal_at": "2026-03-08T06:00:00+03:00", "destination": "KP"},
        )
    assert clock.send_digests(now=datetime.fromisoformat("2026-03-04T07:30:00+03:00")) == 1
    body = Alert.objects.get(kind=AlertKind.DIGEST).body
    first = body.splitlines()[0]
    assert first.startswith("- REMOVAL Sun 8 Mar, 06:00 MSK (in 3 d 22 h) TST-2026-001: Removal — ")

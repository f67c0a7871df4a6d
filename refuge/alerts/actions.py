"""Changes people make to alerts: acknowledging, reading, their settings, the on-call rota and
calendar feeds. Each is audited where it matters, in the same transaction."""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from refuge.alerts.models import (
    Alert,
    AlertSettings,
    EscalationPolicy,
    FeedToken,
    Notification,
    OnCallShift,
    token_digest,
)
from refuge.alerts.rota import oncall_candidates
from refuge.audit.actions import record
from refuge.audit.events import EventType
from refuge.cases.derived import Severity

if TYPE_CHECKING:
    from datetime import date

    from django.http import HttpRequest

    from refuge.accounts.models import Organisation, User
    from refuge.cases.models import Case

VIA = ("page", "email", "api")


@transaction.atomic
def acknowledge_alert(*, alert: Alert, user: User, via: str, request: HttpRequest | None = None) -> bool:
    """Acknowledge an alert for everyone and stop its escalation; False if it already was."""
    if via not in VIA:
        raise ValueError(f"unknown acknowledgement channel {via!r}")
    now = timezone.now()
    won = Alert.objects.filter(pk=alert.pk, acknowledged_at=None).update(
        acknowledged_at=now, acknowledged_by=user, acknowledged_via=via, escalate_at=None
    )
    Notification.objects.filter(alert=alert, user=user, read_at=None).update(read_at=now)
    if not won:
        return False
    record(
        type=EventType.ALERT_ACKNOWLEDGED,
        actor=user,
        target=("alert", alert.code),
        data={"via": via, "level": int(alert.level), "severity": alert.severity},
        request=request,
        organisation=alert.organisation,
    )
    alert.refresh_from_db(fields=["acknowledged_at", "acknowledged_by", "acknowledged_via", "escalate_at"])
    return True


def mark_read(*, user: User) -> int:
    """Mark all the user's notifications read; how many were unread."""
    return Notification.objects.filter(user=user, read_at=None).update(read_at=timezone.now())


# --- Settings, the on-call rota and calendar feeds (the pages in views_settings and views_feeds) ---

CHANNEL_KINDS = ("inapp", "email", "webhook")
ESCALATE_MINUTES_RANGE = (1, 1440)  # a minute to a day


def normalise_channels(channels: Mapping[str, Iterable[str]]) -> dict[str, list[str]]:
    """Every severity's channels in a fixed order, known kinds only; critical always keeps in-app."""
    out: dict[str, list[str]] = {}
    for severity in Severity.values:
        chosen = set(channels.get(severity, ()))
        if severity == Severity.CRITICAL:
            chosen.add("inapp")  # the queue puts every critical alert in the bell anyway
        out[severity] = [kind for kind in CHANNEL_KINDS if kind in chosen]
    return out


@transaction.atomic
def save_alert_settings(
    *,
    user: User,
    channels: Mapping[str, Iterable[str]],
    digest: bool,
    webhook_url: str,
    request: HttpRequest | None = None,
) -> list[str]:
    """Store a user's alert choices; the names of the fields that changed (audited, without values)."""
    prefs, _ = AlertSettings.objects.get_or_create(user=user)
    wanted = normalise_channels(channels)
    severities = [s for s in Severity.values if prefs.channels_for(s) != wanted[s]]
    changed: list[str] = []
    if severities:
        prefs.channels = wanted
        changed.append("channels")
    if prefs.digest != digest:
        prefs.digest = digest
        changed.append("digest")
    if prefs.webhook_url != webhook_url:
        prefs.webhook_url = webhook_url
        changed.append("webhook_url")
    if not changed:
        return []
    prefs.save(update_fields=changed)
    data = {"severities": severities} if severities else {}
    record(type=EventType.ALERT_SETTINGS_CHANGED, actor=user, target=user, fields=changed, data=data, request=request)
    return changed


@transaction.atomic
def replace_webhook_key(*, user: User, request: HttpRequest | None = None) -> int:
    """Raise the user's webhook key version (the old signing key stops being used); the new version."""
    prefs, _ = AlertSettings.objects.get_or_create(user=user)
    prefs.webhook_key_version = F("webhook_key_version") + 1
    prefs.save(update_fields=["webhook_key_version"])
    prefs.refresh_from_db(fields=["webhook_key_version"])
    record(
        type=EventType.ALERT_SETTINGS_CHANGED,
        actor=user,
        target=user,
        fields=["webhook_key_version"],
        data={"version": prefs.webhook_key_version},
        request=request,
    )
    return prefs.webhook_key_version


@transaction.atomic
def set_oncall(
    *,
    organisation: Organisation,
    actor: User,
    user: User,
    week_start: date,
    on_call: bool,
    request: HttpRequest | None = None,
) -> bool:
    """Put a member on call for the week starting that Monday, or take them off; False if nothing changed."""
    if week_start.weekday() != 0:
        raise ValueError(f"{week_start} is not a Monday")
    if on_call:
        if not oncall_candidates(organisation).filter(pk=user.pk).exists():
            raise ValueError("only the organisation's active members who are not analysts go on call")
        _, changed = OnCallShift.objects.get_or_create(organisation=organisation, user=user, week_start=week_start)
    else:
        changed = bool(
            OnCallShift.objects.filter(organisation=organisation, user=user, week_start=week_start).delete()[0]
        )
    if changed:
        record(
            type=EventType.ONCALL_CHANGED,
            actor=actor,
            target=user,
            data={"week": week_start.isoformat(), "on_call": on_call},
            request=request,
            organisation=organisation,
        )
    return changed


@transaction.atomic
def set_escalation_policy(
    *, organisation: Organisation, actor: User, minutes: int, request: HttpRequest | None = None
) -> bool:
    """How long a critical alert waits unacknowledged before it climbs a level; False if unchanged."""
    low, high = ESCALATE_MINUTES_RANGE
    if not low <= minutes <= high:
        raise ValueError(f"escalation time must be {low} to {high} minutes")
    policy = EscalationPolicy.objects.filter(organisation=organisation).first()
    if policy is not None and policy.escalate_after_minutes == minutes:
        return False
    if policy is None:
        EscalationPolicy.objects.create(organisation=organisation, escalate_after_minutes=minutes)
    else:
        policy.escalate_after_minutes = minutes
        policy.save(update_fields=["escalate_after_minutes"])
    record(
        type=EventType.ONCALL_CHANGED,
        actor=actor,
        target=("organisation", organisation.code),
        fields=["escalate_after_minutes"],
        data={"minutes": minutes},
        request=request,
        organisation=organisation,
    )
    return True


@transaction.atomic
def create_feed(*, user: User, case: Case | None = None, request: HttpRequest | None = None) -> tuple[FeedToken, str]:
    """A new calendar feed and its secret token (returned once: only its SHA-256 is stored)."""
    token = secrets.token_urlsafe(32)
    feed = FeedToken.objects.create(
        user=user, case=case, digest=token_digest(token), hint=token[:6], created_at=timezone.now()
    )
    record(
        type=EventType.FEED_CREATED,
        actor=user,
        target=feed,
        data={"case": case.code if case is not None else None},
        request=request,
        organisation=case.organisation if case is not None else None,
    )
    return feed, token


@transaction.atomic
def revoke_feed(*, feed: FeedToken, user: User, request: HttpRequest | None = None) -> bool:
    """Revoke a feed: its URL answers 404 from now on. False if it already was revoked."""
    now = timezone.now()
    if not FeedToken.objects.filter(pk=feed.pk, revoked_at=None).update(revoked_at=now):
        return False
    feed.revoked_at = now
    record(
        type=EventType.FEED_REVOKED,
        actor=user,
        target=feed,
        data={"case": feed.case.code if feed.case is not None else None},
        request=request,
    )
    return True

"""What an alert says on a channel: subject, plain text, HTML and JSON, never a client's name."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone, translation

from refuge.alerts.links import absolute, ack_url
from refuge.lib import humantime

if TYPE_CHECKING:
    from refuge.alerts.models import Alert, Delivery


@dataclass(frozen=True)
class Message:
    subject: str
    text: str
    html: str
    payload: dict[str, Any]


def _local(alert: Alert) -> str:
    """The due instant on the case's clock with its abbreviation, and how far it is."""
    if alert.due_at is None:
        return ""
    zone = alert.case.timezone if alert.case else settings.REFUGE_DIGEST_TIMEZONE
    return humantime.human(alert.due_at, zone, now=timezone.now(), show_relative=True)


def compose(delivery: Delivery) -> Message:
    """The message in its recipient's language (the account page's choice; the server's otherwise).

    The alert's own subject and body too (refuge.alerts.texts), and the webhook's `subject` and `body`:
    a webhook is one user's (AlertSettings.webhook_url), so it speaks that user's language; its
    machine fields (kind, severity, codes, instants) are the same in every language.
    """
    user = delivery.user
    with translation.override(getattr(user, "language", "") or settings.LANGUAGE_CODE):
        return _compose(delivery)


def _compose(delivery: Delivery) -> Message:
    alert = delivery.alert
    user = delivery.user
    context = {
        "alert": alert,
        "severity": alert.get_severity_display(),
        "case_url": absolute(alert.case.get_absolute_url()) if alert.case else "",
        "alert_url": absolute(alert.get_absolute_url()),
        "ack_url": ack_url(alert, user) if user is not None and alert.kind != "digest" else "",
        "due": _local(alert),
    }
    subject = f"[Refuge] {alert.get_severity_display().upper()}: {alert.title}"
    payload = {
        "format": "refuge.alert/1",
        "alert": str(alert.code),
        "kind": alert.kind,
        "severity": alert.severity,
        "subject": alert.title,
        "body": alert.text,
        "case": alert.case.reference if alert.case else None,
        "case_code": str(alert.case.code) if alert.case else None,
        "item": alert.item_key or None,
        "due_at": alert.due_at.isoformat() if alert.due_at else None,
        "created_at": alert.created_at.isoformat(),
        "level": alert.level,
        "acknowledge_url": context["ack_url"] or None,
        "url": context["alert_url"],
        "idempotency_key": str(delivery.idempotency_key),
    }
    return Message(
        subject=subject.replace("\n", " ")[:250],
        text=re.sub(r"\n{3,}", "\n\n", render_to_string("alerts/email.txt", context)).strip() + "\n",
        html=render_to_string("alerts/email.html", context),
        payload=payload,
    )

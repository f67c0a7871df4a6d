"""Signed links: acknowledging an alert from an e-mail without logging in.

The token names the alert and the user it was sent to, signed with the server's secret (Django's
TimestampSigner, salted for this purpose) and valid for REFUGE_ACK_LINK_DAYS. Opening the link
shows a page with one button; only the POST acknowledges (a GET never writes).
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.core import signing
from django.urls import reverse

if TYPE_CHECKING:
    from refuge.accounts.models import User
    from refuge.alerts.models import Alert

_SALT = "refuge.alerts.acknowledge"


def absolute(path: str) -> str:
    return settings.REFUGE_BASE_URL.rstrip("/") + path


def ack_token(alert: Alert, user: User) -> str:
    return signing.TimestampSigner(salt=_SALT).sign_object({"a": str(alert.code), "u": str(user.code)})


def ack_url(alert: Alert, user: User) -> str:
    return absolute(reverse("alert_ack_link", args=[ack_token(alert, user)]))


def read_ack_token(token: str) -> tuple[str, str] | None:
    """(alert code, user code) of a good, unexpired token; None otherwise."""
    try:
        data = signing.TimestampSigner(salt=_SALT).unsign_object(
            token, max_age=timedelta(days=settings.REFUGE_ACK_LINK_DAYS)
        )
    except signing.BadSignature:  # SignatureExpired is a BadSignature
        return None
    if not isinstance(data, dict) or not isinstance(data.get("a"), str) or not isinstance(data.get("u"), str):
        return None
    return data["a"], data["u"]

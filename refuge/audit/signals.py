"""Receivers: every login, failed login and logout appends an audit entry.

A failed login records a keyed hash of the username that was tried, never the password, and
records it the same way whether or not such a user exists (no actor, no organisation): the log
cannot be used to learn which usernames are real.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from refuge.audit.actions import keyed_hash, record
from refuge.audit.events import EventType


@receiver(user_logged_in, dispatch_uid="audit-login-succeeded")
def login_succeeded(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    record(type=EventType.LOGIN_SUCCEEDED, actor=user, target=user, request=request)


@receiver(user_login_failed, dispatch_uid="audit-login-failed")
def login_failed(sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any) -> None:
    username = str(credentials.get("username") or "")
    data = {"username_hmac": keyed_hash("username", username.casefold())} if username else {}
    record(type=EventType.LOGIN_FAILED, actor=None, data=data, request=request)


@receiver(user_logged_out, dispatch_uid="audit-logout")
def logged_out(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if user is not None and user.is_authenticated:
        record(type=EventType.LOGOUT, actor=user, target=user, request=request)

"""Receivers: every login, failed login and logout appends an audit entry (refuge/wiring/subscribers.py).

A failed login records a keyed hash of the username that was tried, never the password, with no
actor. It goes to the chain of the organisation the name belongs to, so that organisation's admin
sees the attempts on her people and no other admin does; a name nobody has goes to the server's
chain. Nothing of this reaches the person trying: the page answers the same either way.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model

from refuge.audit.actions import keyed_hash, record
from refuge.audit.events import EventType


def login_succeeded(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    record(type=EventType.LOGIN_SUCCEEDED, actor=user, target=user, request=request)


def login_failed(sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any) -> None:
    username = str(credentials.get("username") or "")
    data = {"username_hmac": keyed_hash("username", username.casefold())} if username else {}
    user = get_user_model().objects.filter(username=username).first() if username else None
    member = user.membership() if user is not None else None
    organisation = member.organisation if member is not None else None
    record(type=EventType.LOGIN_FAILED, actor=None, data=data, request=request, organisation=organisation)


def logged_out(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if user is not None and user.is_authenticated:
        record(type=EventType.LOGOUT, actor=user, target=user, request=request)

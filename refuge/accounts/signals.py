"""Receivers: a login starts the session's clocks, records whose it is, and marks the device as known."""

from __future__ import annotations

import logging
from typing import Any

from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.dispatch import receiver
from django.http import HttpRequest

from refuge.accounts import sessions
from refuge.accounts.middleware import REMEMBER_ATTR
from refuge.accounts.models import User

logger = logging.getLogger("refuge.accounts")


@receiver(user_logged_in, dispatch_uid="refuge-session-login")
def start_session(sender: Any, request: HttpRequest, user: User, **kwargs: Any) -> None:
    sessions.stamp(request.session)
    sessions.record(user, request.session)
    # login() runs once the second factor is done (or not needed): this browser is now known for the name.
    setattr(request, REMEMBER_ATTR, user.get_username())


@receiver(user_logged_out, dispatch_uid="refuge-session-logout")
def forget_session(sender: Any, request: HttpRequest, user: User | None, **kwargs: Any) -> None:
    sessions.forget(request.session.session_key)

"""Receivers: a login starts the session's clocks and records whose it is; a lockout ends sessions."""

from __future__ import annotations

import logging
from typing import Any

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.dispatch import receiver
from django.http import HttpRequest

from refuge.accounts import sessions
from refuge.accounts.models import User

logger = logging.getLogger("refuge.accounts")


@receiver(user_logged_in, dispatch_uid="refuge-session-login")
def start_session(sender: Any, request: HttpRequest, user: User, **kwargs: Any) -> None:
    sessions.stamp(request.session)
    sessions.record(user, request.session)


@receiver(user_logged_out, dispatch_uid="refuge-session-logout")
def forget_session(sender: Any, request: HttpRequest, user: User | None, **kwargs: Any) -> None:
    sessions.forget(request.session.session_key)


@receiver(user_locked_out, dispatch_uid="refuge-lockout-ends-sessions")
def end_sessions_on_lockout(sender: Any, request: HttpRequest, username: str | None, **kwargs: Any) -> None:
    """Five wrong passwords for a name, at the login page or a re-authentication: its sessions end too."""
    user = User.objects.filter(username=username).first() if username else None
    if user is not None:
        ended = sessions.end_sessions(user)
        logger.warning("accounts: user %s locked out after repeated failures; %d sessions ended", user.code, ended)

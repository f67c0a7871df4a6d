"""Receivers: a login starts the session's clocks, records whose it is, and marks the device as known.

Connected in refuge/wiring/subscribers.py.
"""

from __future__ import annotations

import logging
from typing import Any

from django.http import HttpRequest

from refuge.accounts import sessions
from refuge.accounts.middleware import REMEMBER_ATTR
from refuge.accounts.models import User

logger = logging.getLogger("refuge.accounts")


def start_session(sender: Any, request: HttpRequest, user: User, **kwargs: Any) -> None:
    sessions.stamp(request.session)
    sessions.record(user, request.session)
    # login() runs once the second factor is done (or not needed): this browser is now known for the name.
    setattr(request, REMEMBER_ATTR, user.get_username())


def forget_session(sender: Any, request: HttpRequest, user: User | None, **kwargs: Any) -> None:
    sessions.forget(request.session.session_key)

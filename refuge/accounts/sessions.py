"""Sessions: when they began, when they were last used, whose they are, and ending them.

Every authenticated session carries three instants (seconds since the epoch):
- AUTH_AT: when the user logged in (the absolute limit counts from here);
- SEEN_AT: the last request (the idle limit counts from here);
- REAUTH_AT: the last time the user typed the password (and code, or used her passkey):
  `require_recent_auth` reads it. A login by a code instead of the user's passkey leaves it unset.
Login sets all three. A session found without them (made before this code, or by hand) is
adopted: stamped and recorded as if it had just logged in.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from django.contrib.sessions.models import Session
from django.utils import timezone

from refuge.accounts.models import User, UserSession, end_sessions

__all__ = ["end_sessions", "forget", "live_count", "record", "stamp"]  # end_sessions lives beside UserSession

if TYPE_CHECKING:
    from django.contrib.sessions.backends.base import SessionBase

AUTH_AT = "refuge_auth_at"
SEEN_AT = "refuge_seen_at"
REAUTH_AT = "refuge_reauth_at"


def stamp(session: SessionBase, *, now: float | None = None) -> None:
    """A fresh login: every clock starts now."""
    now = time.time() if now is None else now
    session[AUTH_AT] = session[SEEN_AT] = session[REAUTH_AT] = now


def record(user: User, session: SessionBase) -> None:
    """Note that this session is the user's; forget the user's sessions that no longer exist."""
    if session.session_key is None:
        session.save()
    UserSession.objects.update_or_create(session_key=session.session_key, defaults={"user": user})
    UserSession.objects.filter(user=user).exclude(session_key__in=Session.objects.values("session_key")).delete()


def forget(session_key: str | None) -> None:
    if session_key:
        UserSession.objects.filter(session_key=session_key).delete()


def live_count(user: User) -> int:
    """The user's sessions that have not ended."""
    keys = UserSession.objects.filter(user=user).values("session_key")
    return Session.objects.filter(session_key__in=keys, expire_date__gt=timezone.now()).count()

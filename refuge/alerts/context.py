"""The bell in every page's header: how many alerts the user has not read."""

from __future__ import annotations

from typing import TYPE_CHECKING

from refuge.alerts.models import Notification

if TYPE_CHECKING:
    from django.http import HttpRequest


BELL_MAX = 99  # more unread than this shows as "99+"


def bell(request: HttpRequest) -> dict[str, str]:
    """The unread count, read off the partial index with a bound (no COUNT over a long history)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    unread = len(Notification.objects.filter(user=user, read_at=None).values_list("pk", flat=True)[: BELL_MAX + 1])
    return {"alerts_unread": f"{BELL_MAX}+" if unread > BELL_MAX else str(unread) if unread else ""}

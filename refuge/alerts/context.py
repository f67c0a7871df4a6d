"""The bell in every page's header: how many alerts the user has not read."""

from __future__ import annotations

from typing import TYPE_CHECKING

from refuge.alerts.models import Notification
from refuge.lib.prepared import Prepared

if TYPE_CHECKING:
    from django.http import HttpRequest


BELL_MAX = 99  # more unread than this shows as "99+"

# The user's unread notifications off the partial index, at most BELL_MAX + 1: compiled once per
# connection (refuge.lib.prepared), as every page asks.
UNREAD = Prepared(
    lambda user_id: Notification.objects.filter(user_id=user_id, read_at=None).values_list("pk")[: BELL_MAX + 1]
)


def bell(request: HttpRequest) -> dict[str, str]:
    """The unread count, read off the partial index with a bound (no COUNT over a long history)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    unread = len(UNREAD.rows(user.pk))
    return {"alerts_unread": f"{BELL_MAX}+" if unread > BELL_MAX else str(unread) if unread else ""}

"""The bell: an alert's notification row is its in-app delivery."""

from __future__ import annotations

from typing import TYPE_CHECKING

from refuge.alerts.channels.base import Channel

if TYPE_CHECKING:
    from refuge.accounts.models import User
    from refuge.alerts.models import AlertSettings, Delivery


class InAppChannel(Channel):
    kind = "inapp"
    label = "In Refuge (the bell)"
    outbox = False

    def address_for(self, user: User, prefs: AlertSettings) -> str | None:
        return ""

    def send(self, delivery: Delivery) -> None:
        raise TypeError("in-app alerts have no outbox rows")

"""Delivery channels: a registry of kind → channel (STYLE.md §8), each in its own module.

A channel says where a user's message goes (`address_for`) and sends one outbox row (`send`),
raising TransportError(permanent=…) when the far end refused it: permanent errors are not retried.
The in-app channel has no outbox: its notification row is the delivery.
"""

from __future__ import annotations

from refuge.alerts.channels.base import Channel, TransportError
from refuge.alerts.channels.email import EmailChannel
from refuge.alerts.channels.inapp import InAppChannel
from refuge.alerts.channels.webhook import WebhookChannel

registry: dict[str, Channel] = {c.kind: c for c in (InAppChannel(), EmailChannel(), WebhookChannel())}

__all__ = ["Channel", "TransportError", "registry"]

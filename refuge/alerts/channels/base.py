"""What every channel is, and the error a transport raises."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import TYPE_CHECKING, ClassVar

if TYPE_CHECKING:
    from refuge.accounts.models import User
    from refuge.alerts.models import AlertSettings, Delivery


class TransportError(Exception):
    """The channel did not accept the message; `permanent` when sending again cannot help."""

    def __init__(self, message: str, *, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent


class Channel(ABC):
    kind: ClassVar[str]
    label: ClassVar[str]
    outbox: ClassVar[bool] = True  # False: delivered by its notification row, nothing to send

    @abstractmethod
    def address_for(self, user: User, prefs: AlertSettings) -> str | None:
        """Where this user's messages go on this channel; None when the user has no address for it."""

    @abstractmethod
    def send(self, delivery: Delivery) -> None:
        """Hand one outbox row to the far end; return only once it has accepted it."""

"""Password login: Django's own, refusing the people of an organisation that is locked down."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend


class RefugeBackend(ModelBackend):
    def user_can_authenticate(self, user: Any) -> bool:
        """Active, and not of an organisation locked down (checked at login and on every request)."""
        if not super().user_can_authenticate(user):
            return False
        member = user.membership()
        return member is None or member.organisation.locked_down_at is None

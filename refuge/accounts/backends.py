"""Password login: Django's own, throttled (refuge.accounts.throttle), refusing the people of an
organisation that is locked down."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.http import HttpRequest

from refuge.accounts import throttle
from refuge.lib.prepared import Prepared

THROTTLED_ATTR = "refuge_throttled"  # on the request: seconds to wait, when an attempt was refused

# The session's user with its membership and organisation, compiled once per connection (every request).
SESSION_USER = Prepared(
    lambda user_id: get_user_model()._default_manager.select_related("membership_row__organisation").filter(pk=user_id)
)


class RefugeBackend(ModelBackend):
    def authenticate(
        self, request: HttpRequest | None, username: str | None = None, password: str | None = None, **kwargs: Any
    ) -> Any:
        if username is None:
            username = kwargs.get(get_user_model().USERNAME_FIELD)
        if username is None or password is None:
            return None
        verdict = throttle.check(request, username)
        if verdict.wait:
            if request is not None:
                setattr(request, THROTTLED_ATTR, verdict.wait)
            raise PermissionDenied  # no password is checked; Django records the failed login
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is None:
            throttle.failed(request, username)
        return user

    def get_user(self, user_id: Any) -> Any:
        """The session's user, read with its membership and organisation in one query (every request
        asks for both: the lock-down check below, the pages' roles) instead of two, compiled once per
        connection (refuge.lib.prepared)."""
        user = SESSION_USER.first(int(user_id)) if user_id is not None else None
        if user is None:
            return None
        try:
            user._membership_cache = user.membership_row  # what User.membership() would read
        except ObjectDoesNotExist:
            user._membership_cache = None
        return user if self.user_can_authenticate(user) else None

    def user_can_authenticate(self, user: Any) -> bool:
        """Active, and not of an organisation locked down (checked at login and on every request)."""
        if not super().user_can_authenticate(user):
            return False
        member = user.membership()
        return member is None or member.organisation.locked_down_at is None

"""Users, organisations and their roles."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    is_operator = models.BooleanField(
        default=False,
        help_text="Runs the server for every organisation: may seal it (granted with `refuge operator`)",
    )
    name_cyrillic = models.CharField(
        max_length=200, blank=True, help_text="The full name in Cyrillic, as it signs a Russian letter"
    )
    # The interface's language after login; blank follows the browser (settings.LANGUAGES).
    language = models.CharField(
        max_length=8,
        blank=True,
        default="",
        choices=[("", _("The browser's language")), ("en", "English"), ("ru", "Русский"), ("ko", "한국어")],
    )

    class Meta:
        db_table = "accounts_user"

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    def save(self, *args: Any, **kwargs: Any) -> None:
        # set_password() keeps the new raw password in `_password` until the save (Django's own
        # flag for password_changed(); a hash upgrade at login clears it first and ends nothing).
        password_changed = self._password is not None
        super().save(*args, **kwargs)
        if password_changed or not self.is_active:
            from refuge.accounts.sessions import end_sessions  # noqa: PLC0415  # sessions imports models

            end_sessions(self)
        if not self.is_active:
            from refuge.api.tokens import revoke_tokens_of  # noqa: PLC0415  # the API's models import this module

            revoke_tokens_of(user=self, reason="disabled")  # tokens end with the sessions

    def membership(self) -> Membership | None:
        """The user's membership (a user belongs to one organisation)."""
        cached = getattr(self, "_membership_cache", False)
        if cached is not False:
            return cached  # type: ignore[no-any-return]  # cache set below
        member = Membership.objects.select_related("organisation").filter(user=self).first()
        self._membership_cache = member
        return member

    def is_server_operator(self) -> bool:
        """May seal the server: an operator, or an admin of the deployment's only organisation.

        With one organisation its admins run the server too, so the panic button stays with them;
        once a second organisation exists, only those granted `refuge operator grant` may seal.
        """
        if not (self.is_authenticated and self.is_active):
            return False
        if self.is_operator:
            return True
        member = self.membership()
        return bool(member and member.role == Role.ADMIN and Organisation.objects.count() == 1)


class Organisation(models.Model):
    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(max_length=200, unique=True)
    name_cyrillic = models.CharField(max_length=300, blank=True, help_text="The name in Cyrillic, for Russian letters")
    created_at = models.DateTimeField(auto_now_add=True)
    locked_down_at = models.DateTimeField(
        null=True, blank=True, help_text="Locked down by its admin: nobody of it logs in until an operator lifts it"
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    ADMIN = "admin", _("Admin")
    LAWYER = "lawyer", _("Lawyer")
    CASEWORKER = "caseworker", _("Caseworker")
    ANALYST = "analyst", _("Analyst")


class Membership(models.Model):
    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="membership_row")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.CASEWORKER)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["organisation", "user__username"]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()}, {self.organisation})"

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN

    @property
    def is_analyst(self) -> bool:
        return self.role == Role.ANALYST

    @property
    def can_see_identity(self) -> bool:
        return self.role != Role.ANALYST


class UserSession(models.Model):
    """Which database session belongs to whom, so that one user's sessions can be ended.

    A row is written at login (and for a session first seen without one); deleting the user's
    rows' sessions from Django's session table ends them. Rows whose session is gone are swept at
    the next login. No foreign key to the session table: sealing empties it with one DELETE.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="sessions")
    session_key = models.CharField(max_length=40, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["user", "created_at"], name="accounts_session_user")]

    def __str__(self) -> str:
        return f"session of {self.user} since {self.created_at:%Y-%m-%d %H:%M}"


class LoginThrottle(models.Model):
    """Failed logins counted for one key, shared by every server process (refuge.accounts.throttle).

    The key is a keyed hash of its scope and values (a username, an address, both, or a known
    device's nonce): neither names nor addresses are stored.
    """

    key = models.CharField(max_length=64, unique=True)
    username_key = models.CharField(max_length=64, db_index=True, help_text="Keyed hash of the username, if any")
    failures = models.PositiveIntegerField(default=0)
    last_failure_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.failures} failures, last {self.last_failure_at:%Y-%m-%d %H:%M}"

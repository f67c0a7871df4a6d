"""Users, organisations and their roles."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any, ClassVar

from django.contrib.auth.models import AbstractUser
from django.contrib.sessions.models import Session
from django.db import models
from django.utils.translation import gettext_lazy as _

from refuge import hooks

if TYPE_CHECKING:
    from django.db.models.fields.related_descriptors import RelatedManager

    class Device(models.Model):  # django-otp has no types: Passkey declares the fields it takes from it
        class Meta:
            abstract = True

else:
    from django_otp.models import Device


class User(AbstractUser):  # type: ignore[django-manager-missing]  # Passkey's manager is django-otp's (untyped)
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

    passkeys: RelatedManager[Passkey]  # the reverse of Passkey.user (django-otp's base is untyped)
    # Not fields, for the type checker: set on the instance by Django's authenticate() (and by
    # two-factor before login()), by set_password() until the save, and by membership() below.
    backend: str | None
    _password: str | None
    _membership_cache: Membership | None

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
            end_sessions(self)
        if not self.is_active:
            hooks.USER_DEACTIVATED.fire(self)  # e.g. API tokens end with the sessions (refuge/wiring/subscribers.py)

    def membership(self) -> Membership | None:
        """The user's membership (a user belongs to one organisation)."""
        if "_membership_cache" in self.__dict__:  # set below
            return self._membership_cache
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
    is_demo = models.BooleanField(
        default=False, help_text="The fictional demo organisation (`refuge demo`): its users' password is public"
    )
    passkeys_required = models.BooleanField(
        default=False, help_text="Admins and lawyers must log in with a passkey (set by an admin)"
    )
    totp_fallback = models.BooleanField(
        default=True, help_text="Where passkeys are required, a code from the authenticator app still logs in"
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


def end_sessions(user: User, *, keep: str | None = None) -> int:
    """End every session of the user (but `keep`, the caller's own). Returns how many ended.

    Here beside UserSession, not in sessions.py, because `User.save` ends sessions too."""
    keys = list(UserSession.objects.filter(user=user).values_list("session_key", flat=True))
    keys = [k for k in keys if k != keep]
    if not keys:
        return 0
    ended, _ = Session.objects.filter(session_key__in=keys).delete()
    UserSession.objects.filter(session_key__in=keys).delete()
    return ended


class Passkey(Device):
    """A WebAuthn credential (security key or platform passkey): the second factor no fake page can relay.

    A django-otp device, so that a login verified by it is verified as a TOTP login is (the
    session holds its persistent id, OTPMiddleware loads it). Nothing here is secret: the public
    key verifies, the credential id names the key to the browser, the sign count detects clones.
    The columns are in clear as the user's other account data is (not under the vault's keys):
    the login page answers while the vault is sealed, and a passkey must work there too. The name
    is the user's own label ("blue key"), never a client's.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="passkeys")
    name = models.CharField(max_length=64, help_text="The human-readable name of this device.")  # as Device's
    confirmed = models.BooleanField(default=True, help_text="Is this device ready for use?")  # as Device's
    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    credential_id = models.BinaryField(unique=True)
    public_key = models.BinaryField(help_text="COSE public key")
    sign_count = models.PositiveBigIntegerField(default=0)
    user_handle = models.BinaryField(
        help_text="The random WebAuthn user handle, the same for all of a user's passkeys (not the user id)"
    )
    transports = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    objects: ClassVar[models.Manager[Passkey]]  # django-otp's DeviceManager, inherited (untyped)

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"passkey {self.name} of {self.user}"

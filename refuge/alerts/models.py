"""Alerts: what happened on a case, who was told, by which channel, and who acknowledged it.

An Alert is one thing a person must know (a conflict raised, a deadline moved, a reminder, a
digest). Each recipient gets a Notification (the in-app bell) and, per channel they chose for the
alert's severity, a Delivery: the outbox row `refuge worker` sends at least once (STYLE.md §7).
Alerts carry the case's pseudonymous reference and what happened, never a client's name.
"""

from __future__ import annotations

import hashlib
import uuid
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from refuge.alerts import texts
from refuge.cases.derived import Severity

if TYPE_CHECKING:
    from refuge.accounts.models import User


class AlertKind(models.TextChoices):
    CONFLICT_RAISED = "conflict_raised", _("Conflict raised")
    CONFLICT_CLEARED = "conflict_cleared", _("Conflict cleared")
    DEADLINE_ADDED = "deadline_added", _("New deadline")
    DEADLINE_MOVED = "deadline_moved", _("Deadline moved")
    DEADLINE_MISSED = "deadline_missed", _("Deadline missed")
    DEADLINE_CLOSED = "deadline_closed", _("Deadline met or cancelled")
    DEADLINE_REMOVED = "deadline_removed", _("Deadline removed")
    REMINDER = "reminder", _("Reminder")
    DIGEST = "digest", _("Daily digest")
    SYSTEM = "system", _("System")


class Level(models.IntegerChoices):
    """Who an alert has reached: the case team, then the on-call rota, then every admin."""

    TEAM = 0, _("Case team")
    ONCALL = 1, _("On-call rota")
    ADMINS = 2, _("All admins")


class Alert(models.Model):
    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.CASCADE, related_name="+")
    case = models.ForeignKey("cases.Case", null=True, blank=True, on_delete=models.CASCADE, related_name="alerts")
    kind = models.CharField(max_length=20, choices=AlertKind.choices)
    severity = models.CharField(max_length=10, choices=Severity.choices)
    subject = models.CharField(max_length=300, help_text="Case reference and what happened; never a name")
    body = models.TextField(blank=True)
    facts = models.JSONField(
        default=dict,
        blank=True,
        help_text="What it is about, language-free (codes, event keys, instants); shown in the reader's language",
    )
    item_key = models.CharField(max_length=200, blank=True, help_text="The deadline's or conflict's key")
    due_at = models.DateTimeField(null=True, blank=True)
    dedupe_key = models.CharField(
        max_length=200, null=True, blank=True, unique=True, help_text="Set where one alert must never be made twice"
    )
    created_at = models.DateTimeField()
    level = models.PositiveSmallIntegerField(choices=Level.choices, default=Level.TEAM)
    escalate_at = models.DateTimeField(null=True, blank=True, help_text="Set while a critical alert waits")
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    acknowledged_via = models.CharField(max_length=10, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(
                fields=["escalate_at"], name="alert_escalate_at", condition=models.Q(escalate_at__isnull=False)
            ),
            models.Index(fields=["case", "-created_at"], name="alert_case_created"),
        ]

    def __str__(self) -> str:
        return self.subject

    def get_absolute_url(self) -> str:
        return reverse("alert_detail", args=[self.code])

    @property
    def title(self) -> str:
        """The subject in the active language (refuge.alerts.texts); `subject` is the server's record."""
        return texts.subject(self)

    @property
    def text(self) -> str:
        """The body in the active language (refuge.alerts.texts); `body` is the server's record."""
        return texts.body(self)


class Notification(models.Model):
    """An alert in one user's in-app list (the bell)."""

    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="notifications")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    level = models.PositiveSmallIntegerField(choices=Level.choices, default=Level.TEAM)
    created_at = models.DateTimeField()
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["alert", "user"], name="notification_unique")]
        indexes = [
            models.Index(fields=["user", "-created_at"], name="notification_user"),
            models.Index(fields=["user"], name="notification_unread", condition=models.Q(read_at__isnull=True)),
        ]

    def __str__(self) -> str:
        return f"{self.alert} for {self.user}"


# How an alert reaches a person, in her words (the settings' boxes, the alert's deliveries).
CHANNEL_LABELS = {"inapp": _("In-app (the bell)"), "email": _("E-mail"), "webhook": _("Webhook")}


class DeliveryState(models.TextChoices):
    PENDING = "pending", _("Pending")
    LEASED = "leased", _("Being sent")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


class Delivery(models.Model):
    """The outbox: one row per recipient and channel, sent at least once by `refuge worker`.

    A worker claims a row with a conditional UPDATE (state and lease as read), sends it, and marks
    it sent only after the channel accepted it; a row whose lease ran out is claimed again. The
    idempotency key travels with the message (Message-ID, Idempotency-Key) so that a message sent
    again after a crash between acceptance and marking is recognised as the same one.
    """

    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="deliveries")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="deliveries"
    )
    channel = models.CharField(max_length=20)
    address = models.CharField(max_length=500, help_text="Where it goes (e-mail address, webhook URL)")
    idempotency_key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    state = models.CharField(max_length=10, choices=DeliveryState.choices, default=DeliveryState.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    lease_until = models.DateTimeField(null=True, blank=True)
    leased_by = models.CharField(max_length=64, blank=True)
    last_error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name_plural = "deliveries"
        indexes = [
            # The worker's two questions, on the few rows still to send.
            models.Index(fields=["next_attempt_at"], name="delivery_pending", condition=models.Q(state="pending")),
            models.Index(fields=["lease_until"], name="delivery_leased", condition=models.Q(state="leased")),
            models.Index(fields=["alert", "channel"], name="delivery_alert"),
        ]

    def __str__(self) -> str:
        return f"{self.channel} for {self.alert_id} ({self.state})"

    @property
    def channel_label(self) -> str:
        return str(CHANNEL_LABELS.get(self.channel, self.channel))


def default_channels() -> dict[str, list[str]]:
    return {
        Severity.CRITICAL: ["inapp", "email", "webhook"],
        Severity.HIGH: ["inapp", "email"],
        Severity.MEDIUM: ["inapp"],
        Severity.INFO: ["inapp"],
    }


class AlertSettings(models.Model):
    """One user's choices: channels per severity, the daily digest, a webhook."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="alert_settings")
    channels = models.JSONField(default=default_channels, help_text="{severity: [channel kinds]}")
    digest = models.BooleanField(default=True, help_text="A daily e-mail of the next 7 days")
    webhook_url = models.URLField(max_length=500, blank=True)
    webhook_key_version = models.PositiveSmallIntegerField(
        default=1, help_text="Raised to replace the webhook's signing key"
    )

    def __str__(self) -> str:
        return f"alert settings of {self.user}"

    def channels_for(self, severity: str) -> list[str]:
        chosen = self.channels.get(severity)
        return list(chosen) if isinstance(chosen, list) else default_channels()[severity]


class EscalationPolicy(models.Model):
    """How long a critical alert may wait unacknowledged before it climbs a level."""

    organisation = models.OneToOneField(
        "accounts.Organisation", on_delete=models.CASCADE, related_name="escalation_policy"
    )
    escalate_after_minutes = models.PositiveIntegerField()

    def __str__(self) -> str:
        return f"escalate after {self.escalate_after_minutes} min"


class OnCallShift(models.Model):
    """Who is on call in an organisation for a week (Monday to Sunday)."""

    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.CASCADE, related_name="oncall")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="oncall_shifts")
    week_start = models.DateField(help_text="The Monday the week starts")

    class Meta:
        ordering = ["week_start", "user__username"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "week_start", "user"], name="oncall_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user} on call from {self.week_start}"


class Reminder(models.Model):
    """A reminder of an open deadline at one of its rule's offsets, fired once by the worker."""

    deadline = models.ForeignKey("cases.Deadline", on_delete=models.CASCADE, related_name="reminder_rows")
    at = models.DateTimeField()
    fired_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["at"]
        constraints = [models.UniqueConstraint(fields=["deadline", "at"], name="reminder_unique")]
        indexes = [models.Index(fields=["at"], name="reminder_due", condition=models.Q(fired_at__isnull=True))]

    def __str__(self) -> str:
        return f"reminder at {self.at:%Y-%m-%d %H:%M}"


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class FeedToken(models.Model):
    """A secret calendar URL for a user (all their cases) or one case; only its hash is stored."""

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="feed_tokens")
    case = models.ForeignKey("cases.Case", null=True, blank=True, on_delete=models.CASCADE, related_name="feed_tokens")
    digest = models.CharField(max_length=64, unique=True)
    hint = models.CharField(max_length=8, help_text="The token's first characters, to tell URLs apart")
    created_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"feed {self.hint}… of {self.user}"

    @classmethod
    def lookup(cls, token: str) -> FeedToken | None:
        return cls.objects.select_related("user", "case").filter(digest=token_digest(token), revoked_at=None).first()


def settings_for(user: User) -> AlertSettings:
    """The user's alert settings; the defaults (unsaved) if they never chose."""
    found = AlertSettings.objects.filter(user=user).first()
    return found if found is not None else AlertSettings(user=user)

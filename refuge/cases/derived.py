"""What the law engine derives from a case's timeline, stored for pages, alerts and queries.

The engine (refuge.rules) is pure; these rows are its last output per case, rewritten in the same
transaction as the change of events that caused them (refuge.cases.recompute).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, NamedTuple

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

SEVERITY_RANK = {"critical": 0, "high": 1, "medium": 2, "info": 3}


class Severity(models.TextChoices):
    CRITICAL = "critical", _("Critical")
    HIGH = "high", _("High")
    MEDIUM = "medium", _("Medium")
    INFO = "info", _("Info")


class CaseCheck(models.Model):
    """The whole last check report of a case (refuge.check/1), with when it was made."""

    case = models.OneToOneField("cases.Case", on_delete=models.CASCADE, related_name="last_check")
    report = models.JSONField()
    today = models.DateField()
    packs_version = models.CharField(max_length=64, blank=True)
    computed_at = models.DateTimeField()
    recheck_at = models.DateTimeField(
        null=True, blank=True, help_text="When a conflict provider's answer may change with no new event"
    )
    next_check_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When the check is due again: the case's next local midnight, or recheck_at if sooner (none: now)",
    )
    claimed_by = models.CharField(max_length=100, blank=True, default="", help_text="The worker re-checking it")
    claimed_until = models.DateTimeField(null=True, blank=True, help_text="Until when that worker's claim holds")

    class Meta:
        indexes = [
            models.Index(fields=["today"], name="casecheck_today"),
            models.Index(
                fields=["recheck_at"], name="casecheck_recheck_at", condition=models.Q(recheck_at__isnull=False)
            ),
            models.Index(fields=["next_check_at"], name="casecheck_next_check_at"),
        ]

    def __str__(self) -> str:
        return f"check of {self.case_id} on {self.today}"


class Deadline(models.Model):
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="deadlines")
    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=200, help_text="kind|rule|trigger: stable across recomputations")
    kind = models.CharField(max_length=40)
    rule = models.CharField(max_length=80)
    trigger = models.CharField(max_length=40, blank=True)
    due_date = models.DateField(null=True)
    due_at = models.DateTimeField(null=True)
    timezone = models.CharField(max_length=64)
    status = models.CharField(max_length=10)
    met_by = models.CharField(max_length=40, blank=True)
    severity = models.CharField(max_length=10, choices=Severity.choices)
    basis = models.TextField()
    verified = models.BooleanField(default=True)
    alternatives = models.JSONField(default=list)
    safe_due_date = models.DateField(null=True)
    reminders = models.JSONField(default=list)
    flags = models.JSONField(default=list)
    calendar = models.JSONField(
        default=dict, help_text="The calendar it was counted on: name, region, source, data version, decrees"
    )
    unconfirmed_years = models.CharField(
        max_length=60, blank=True, default="", help_text="Years counted without a decree (CALENDAR_UNCONFIRMED)"
    )

    class Meta:
        ordering = ["due_at", "kind"]
        constraints = [models.UniqueConstraint(fields=["case", "key"], name="deadline_key_unique_in_case")]
        indexes = [
            models.Index(fields=["organisation", "status", "due_at"], name="deadline_org_status_due"),
            models.Index(fields=["case", "due_at"], name="deadline_case_due"),
            models.Index(
                fields=["organisation", "unconfirmed_years"],
                name="deadline_unconfirmed",
                condition=~models.Q(unconfirmed_years=""),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} due {self.due_at}"

    @property
    def unconfirmed_year_list(self) -> str:
        """The years counted without a decree, for people: "2028, 2029"."""
        return ", ".join(self.unconfirmed_years.split())


class Conflict(models.Model):
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="conflicts")
    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=200, help_text="kind|events: stable across recomputations")
    kind = models.CharField(max_length=60)
    severity = models.CharField(max_length=10, choices=Severity.choices)
    severity_rank = models.PositiveSmallIntegerField()
    rule = models.CharField(max_length=80, blank=True)
    events = models.JSONField(default=list)
    basis = models.TextField()
    flags = models.JSONField(default=list)
    notify = models.JSONField(default=list)
    raised_at = models.DateTimeField()

    class Meta:
        ordering = ["severity_rank", "raised_at"]
        constraints = [models.UniqueConstraint(fields=["case", "key"], name="conflict_key_unique_in_case")]
        indexes = [models.Index(fields=["organisation", "severity_rank", "raised_at"], name="conflict_org_rank")]

    def __str__(self) -> str:
        return f"{self.kind} ({self.severity})"


class DerivedChange(models.Model):
    """History: which deadline or conflict appeared, moved or went, from what to what, and why."""

    class Change(models.TextChoices):
        ADDED = "added", _("Added")
        MOVED = "moved", _("Moved")
        STATUS = "status", _("Status changed")
        REMOVED = "removed", _("Removed")

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="derived_changes")
    item = models.CharField(max_length=10, choices=[("deadline", "Deadline"), ("conflict", "Conflict")])
    key = models.CharField(max_length=200)
    kind = models.CharField(max_length=60)
    change = models.CharField(max_length=10, choices=Change.choices)
    before = models.JSONField(null=True)
    after = models.JSONField(null=True)
    cause_event = models.CharField(max_length=40, blank=True, help_text="The event whose change caused it")
    cause = models.CharField(max_length=40, blank=True, help_text="event_added, event_changed, ..., recompute")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField()

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["case", "-at"], name="derived_change_case_at")]

    def __str__(self) -> str:
        return f"{self.item} {self.kind} {self.change}"


class Change(NamedTuple):
    """One entry of the history as a recomputation records it (the values of a `DerivedChange` row):
    the alerts read these; the row is made from them when the history is written (`row`, `values`)."""

    case: Any  # the Case
    item: str
    key: str
    kind: str
    change: str  # a DerivedChange.Change
    before: Any
    after: Any
    cause_event: str
    cause: str
    actor: Any  # the User, or None
    at: datetime

    def row(self) -> DerivedChange:
        return DerivedChange(**self._asdict())

    def values(self) -> tuple[Any, ...]:
        """Its values in `CHANGE_FIELDS`' order, for `refuge.cases.bulk.insert_rows`."""
        return (
            self.case.pk, self.item, self.key, self.kind, self.change, self.before, self.after,
            self.cause_event, self.cause, self.actor.pk if self.actor is not None else None, self.at,
        )  # fmt: skip


CHANGE_FIELDS = Change._fields


class NewRow:
    """A deadline or conflict of a case just created (`refuge import`), held as its values rather
    than as a model instance: the alerts and reminders read it as they read a row (`row.severity`,
    `row.due_at`, `row.case`); `pk` once it is stored (refuge.cases.recompute.recompute_new_cases)."""

    __slots__ = ("case", "pk", "values")

    def __init__(self, case: Any, values: dict[str, Any]) -> None:
        self.case = case  # the Case
        self.values = values  # every other field by name ("organisation": its id), in one order per model
        self.pk: int | None = None

    def __getattr__(self, name: str) -> Any:
        try:
            return self.values[name]
        except KeyError:
            raise AttributeError(name) from None

"""What the statistics are made of: per-case counts from the engine, settings and releases.

A ``StatCount`` row is one unit a case adds to one row of one table (refuge.rules.outcomes),
rewritten with the case's deadlines each time the engine runs on it. It carries the period and
the two dimensions a table may be cut by, and never an identity or an event.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models

from refuge.stats.disclosure import DEFAULT_THRESHOLD, MINIMUM_THRESHOLD


class StatCount(models.Model):
    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.CASCADE, related_name="+")
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="stat_counts")
    table = models.CharField(max_length=20)
    row = models.CharField(max_length=60)
    year = models.PositiveSmallIntegerField()
    quarter = models.PositiveSmallIntegerField()
    host_state = models.CharField(max_length=2)
    nationality = models.CharField(max_length=2, blank=True, help_text="blank: stateless or unknown")

    class Meta:
        indexes = [models.Index(fields=["organisation", "table"], name="statcount_org_table")]

    def __str__(self) -> str:
        return f"{self.table}/{self.row} {self.year}Q{self.quarter}"


class StatTotal(models.Model):
    """The organisation's counts added up per cell of the finest grain, kept with StatCount.

    Each refresh of a case adds the difference between its new and old counts (UPDATE n = n + d),
    so the page reads a few thousand totals instead of adding up millions of per-case rows.
    """

    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.CASCADE, related_name="+")
    table = models.CharField(max_length=20)
    row = models.CharField(max_length=60)
    year = models.PositiveSmallIntegerField()
    quarter = models.PositiveSmallIntegerField()
    host_state = models.CharField(max_length=2)
    nationality = models.CharField(max_length=2, blank=True)
    n = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "table", "row", "year", "quarter", "host_state", "nationality"],
                name="stat_total_unique_cell",
            )
        ]

    def __str__(self) -> str:
        return f"{self.table}/{self.row} {self.year}Q{self.quarter}: {self.n}"


class StatsSettings(models.Model):
    """An organisation's disclosure threshold, and a counter that moves whenever its counts change."""

    organisation = models.OneToOneField("accounts.Organisation", on_delete=models.CASCADE, related_name="stats")
    code = models.UUIDField(default=uuid.uuid4, editable=False, help_text="Tells this row from an earlier one")
    threshold = models.PositiveSmallIntegerField(
        default=DEFAULT_THRESHOLD, validators=[MinValueValidator(MINIMUM_THRESHOLD)]
    )
    version = models.PositiveBigIntegerField(default=0, help_text="Moves on every change of counts (page cache key)")

    class Meta:
        verbose_name_plural = "statistics settings"

    def __str__(self) -> str:
        return f"statistics of {self.organisation_id}: threshold {self.threshold}"


class StatRelease(models.Model):
    """An admin's deliberate, recorded decision to publish one cell below the threshold."""

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.CASCADE, related_name="+")
    table = models.CharField(max_length=20)
    row = models.CharField(max_length=60)
    period = models.CharField(max_length=10, help_text="2019, 2019-Q3 or all")
    group = models.CharField(max_length=20, help_text="* (everyone), nationality:KP or host_state:RU")
    reason = models.TextField()
    released_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    released_at = models.DateTimeField()

    class Meta:
        ordering = ["-released_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "table", "row", "period", "group"], name="stat_release_unique_cell"
            )
        ]

    def __str__(self) -> str:
        return f"{self.table}/{self.row}/{self.period}/{self.group}"

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.row, self.period, self.group)


class StatCube(models.Model):
    """The organisation's protected tables as last built, so a page never builds them from scratch.

    `refuge worker` builds them again after the counts, the threshold or the releases changed
    (``version`` is the StatsSettings version the build read first; a build with a newer one never
    gives way to an older). ``lease_until``/``leased_by``: the worker building them now, so two
    workers side by side do not both build. ``cubes`` is null until the first build is stored.
    """

    organisation = models.OneToOneField("accounts.Organisation", on_delete=models.CASCADE, related_name="+")
    settings_code = models.UUIDField(null=True, help_text="The StatsSettings row whose version this is")
    version = models.PositiveBigIntegerField(null=True, help_text="StatsSettings.version read before the build")
    rules = models.CharField(max_length=64, blank=True, help_text="Digest of the threshold and releases applied")
    built_for = models.DateField(null=True, help_text="The day it was built for (its year ends the tables)")
    built_at = models.DateTimeField(null=True)
    seconds = models.FloatField(null=True, help_text="How long the build took")
    cubes = models.JSONField(null=True, help_text="The protected cells of every table (refuge.stats.builds)")
    lease_until = models.DateTimeField(null=True)
    leased_by = models.CharField(max_length=64, blank=True)

    def __str__(self) -> str:
        return f"statistics of {self.organisation_id} as of {self.built_at}"

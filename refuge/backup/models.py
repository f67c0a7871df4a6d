"""The schedule's one row: which worker holds the backup lease, and when the last backup finished."""

from __future__ import annotations

from django.db import models


class BackupSchedule(models.Model):
    """One row (pk 1). A worker claims it with a conditional UPDATE; the lease frees it if that worker dies."""

    leased_until = models.DateTimeField(null=True, blank=True)
    lease_token = models.UUIDField(null=True, blank=True, help_text="the claiming worker's random token")
    last_started_at = models.DateTimeField(null=True, blank=True)
    last_finished_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"backup schedule (last finished {self.last_finished_at or 'never'})"

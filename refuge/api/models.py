"""Personal access tokens: only a SHA-256 of the token is stored, with its scopes and limits."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Scope(models.TextChoices):
    READ = "read", _("Read cases, deadlines, conflicts and alerts (no identity)")
    WRITE = "write", _("Create cases, change timelines, generate filings, acknowledge alerts")
    IDENTITY = "identity", _("See the client's identity where the account may (audited like the page)")


class ApiToken(models.Model):
    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100, help_text="What the token is for, e.g. the hotline app")
    digest = models.CharField(max_length=64, unique=True, help_text="SHA-256 of the token, in hex")
    hint = models.CharField(max_length=12, help_text="The token's first characters, to tell tokens apart")
    scopes = models.JSONField(default=list)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_reason = models.CharField(max_length=20, blank=True)
    addresses = models.JSONField(default=list, help_text="Keyed hashes of the addresses it was used from")
    # The rate limit's fixed window (its number since the epoch) and the requests counted in it,
    # changed by conditional UPDATEs so that every server process shares one count.
    rate_window = models.BigIntegerField(default=0)
    rate_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["user", "revoked_at"], name="apitoken_user_live")]

    def __str__(self) -> str:
        return f"token {self.hint}… of {self.user}"

    @property
    def scope_set(self) -> frozenset[str]:
        return frozenset(self.scopes)

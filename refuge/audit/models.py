"""The audit entry: appended, never changed, never deleted.

The model refuses updates and deletes (AppendOnlyError); the database refuses them too, with
triggers (migration 0002). Neither stops the database's owner, who can drop a trigger: what
exposes such an edit is the hash chain, and a signed checkpoint held outside the server.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models

from refuge.audit import chain as hashchain
from refuge.audit import events


class AppendOnlyError(Exception):
    """An audit entry may be added, never changed or removed."""


class AuditQuerySet(models.QuerySet["AuditEvent"]):
    def update(self, **kwargs: Any) -> int:
        raise AppendOnlyError("audit entries are never changed")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("audit entries are never deleted")

    def _raw_delete(self, using: Any) -> int:
        raise AppendOnlyError("audit entries are never deleted")


class AuditEvent(models.Model):
    """One entry of the chain. Carries codes, enumerated values and field names; never a decrypted value."""

    id = models.BigAutoField(primary_key=True)
    chain = models.BigIntegerField(help_text="The organisation's key, or 0 for the server's own events")
    seq = models.BigIntegerField(help_text="Position in its chain, from 1, without gaps")
    at = models.DateTimeField()
    type = models.PositiveSmallIntegerField(help_text="refuge.audit.events.EventType")
    # No database constraint and DO_NOTHING: deleting a user or an organisation must not rewrite
    # (or be blocked by) the log; the entry keeps the number it was written with.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,  # audit_actor_seq serves it
        related_name="+",
        help_text="Who acted; empty for the system (a command, the vault, a failed login)",
    )
    organisation = models.ForeignKey(
        "accounts.Organisation",
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,  # audit_org_seq serves it
        related_name="+",
    )
    target_kind = models.CharField(max_length=20, blank=True, help_text="case, user, vault, ...")
    target_code = models.CharField(max_length=64, blank=True, help_text="The target's opaque code, never a name")
    fields = models.JSONField(default=list, blank=True, help_text="Names of the fields touched or read")
    data = models.JSONField(default=dict, blank=True, help_text="Codes and enumerated values only")
    ip_hash = models.CharField(max_length=64, blank=True, help_text="Keyed hash of the client's address, if any")
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    objects = AuditQuerySet.as_manager()

    class Meta:
        ordering = ["chain", "seq"]
        constraints = [models.UniqueConstraint(fields=["chain", "seq"], name="audit_chain_seq")]
        indexes = [
            models.Index(fields=["organisation", "-seq"], name="audit_org_seq"),
            models.Index(fields=["target_code", "-seq"], name="audit_target_seq"),
            models.Index(fields=["actor", "-seq"], name="audit_actor_seq"),
            models.Index(fields=["type", "-seq"], name="audit_type_seq"),
            models.Index(fields=["at"], name="audit_at"),
        ]

    def __str__(self) -> str:
        return f"{self.chain}#{self.seq} {events.label(self.type)}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnlyError("audit entries are never changed")
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("audit entries are never deleted")

    @property
    def type_label(self) -> str:
        return events.label(self.type)

    def as_row(self) -> hashchain.Row:
        return hashchain.Row(
            chain=self.chain,
            seq=self.seq,
            at=self.at,
            type=self.type,
            actor=self.actor_id,
            organisation=self.organisation_id,
            target_kind=self.target_kind,
            target_code=self.target_code,
            fields=self.fields,
            data=self.data,
            ip_hash=self.ip_hash,
            prev_hash=self.prev_hash,
            hash=self.hash,
        )


class AuditHead(models.Model):
    """Each chain's last entry: the one row an append locks (and only appends to that chain).

    Not a trust anchor (the database's owner can edit it as any row): `verify` compares it with
    the chain, which exposes a tail cut without editing it too; checkpoints expose the rest.
    """

    chain = models.BigIntegerField(primary_key=True)
    seq = models.BigIntegerField(default=0)
    hash = models.CharField(max_length=64)

    def __str__(self) -> str:
        return f"chain {self.chain} at {self.seq}"

"""What the vault keeps in the database: public key metadata, wrapped keys, blind indexes. Never a key.

The vault's persistence: below its encrypted fields (which read keys through refuge.vault.state,
which reads these rows), so these models import no field of the vault's own. Django finds them
through refuge.vault.models, which imports them.

Why the database and not a `vault.json` beside it: every server process (and, on PostgreSQL,
every server) must see the same root key version, rotation progress and seal epoch; rotation
switches the active root key in the same transaction that checks no data key is left under the
old one; and a backup restores metadata that matches the wrapped keys it was taken with.
The only vault file on disk is the development key, which is insecure by design.
"""

from __future__ import annotations

from django.db import models


class RootKeySource:
    """Where a root key comes from (plain strings: typed without django-stubs)."""

    DEV = "dev"
    SHARES = "shares"
    PASSPHRASE = "passphrase"  # noqa: S105  # the name of a source, not a password
    choices = [
        (DEV, "Development key file (insecure)"),
        (SHARES, "SLIP-39 shares"),
        (PASSPHRASE, "Passphrase (scrypt)"),
    ]


class RootKeyStatus:
    ACTIVE = "active"
    PENDING = "pending"
    RETIRED = "retired"
    choices = [(ACTIVE, "Active"), (PENDING, "Pending (rotation in progress)"), (RETIRED, "Retired")]


class RootKey(models.Model):
    """One version of the root key, described: its source, its verifier and its public parameters.

    `wrapped_by_previous` exists only while a rotation runs: the new key sealed under the active
    one, so that every process holding the active key can read what the rotation already moved.
    It is erased when the rotation finishes.
    """

    version = models.PositiveIntegerField(unique=True)
    source = models.CharField(max_length=20, choices=RootKeySource.choices)
    status = models.CharField(max_length=10, choices=RootKeyStatus.choices)
    verifier = models.BinaryField(help_text="HKDF(root key, 'verifier'): recognises the right key")
    params = models.JSONField(default=dict, blank=True, help_text="salt and scrypt cost, or share threshold and id")
    wrapped_by_previous = models.BinaryField(null=True, blank=True)
    announced = models.BooleanField(default=False, help_text="its shares or passphrase reached the operators")
    created_at = models.DateTimeField(auto_now_add=True)
    activated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["version"]
        constraints = [
            models.UniqueConstraint(
                fields=["status"], condition=models.Q(status="active"), name="vault_one_active_root_key"
            ),
            models.UniqueConstraint(
                fields=["status"], condition=models.Q(status="pending"), name="vault_one_pending_root_key"
            ),
        ]

    def __str__(self) -> str:
        return f"root key v{self.version} ({self.source}, {self.status})"


class VaultControl(models.Model):
    """The one row every process polls: seal epoch, keyring epoch, failed unseal attempts."""

    seal_epoch = models.PositiveBigIntegerField(default=0)
    keyring_epoch = models.PositiveBigIntegerField(default=0)
    failed_unseals = models.PositiveIntegerField(default=0)
    last_failed_unseal_at = models.DateTimeField(null=True, blank=True)
    sealed_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"vault control (seal epoch {self.seal_epoch})"


class CaseKey(models.Model):
    """A case's data key, wrapped by a root key version. Deleting it shreds the case's ciphertexts."""

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="vault_keys")
    version = models.PositiveIntegerField(default=1)
    root_version = models.PositiveIntegerField()
    wrapped = models.BinaryField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["case", "version"], name="vault_case_key_version_unique")]
        indexes = [models.Index(fields=["root_version"], name="vault_casekey_root_version")]

    def __str__(self) -> str:
        return f"data key v{self.version} of case #{self.case_id} under root v{self.root_version}"


class OrganisationKey(models.Model):
    """An organisation's data key (its authority directory's notes), wrapped by a root key version.

    Deleting the organisation deletes this row: its ciphertexts are shredded, as a case's are.
    """

    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.CASCADE, related_name="vault_keys")
    version = models.PositiveIntegerField(default=1)
    root_version = models.PositiveIntegerField()
    wrapped = models.BinaryField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organisation", "version"], name="vault_organisation_key_version_unique")
        ]
        indexes = [models.Index(fields=["root_version"], name="vault_orgkey_root_version")]

    def __str__(self) -> str:
        return f"data key v{self.version} of organisation #{self.organisation_id} under root v{self.root_version}"


class BlindIndexEntry(models.Model):
    """HMAC of one exact identifier (e.g. a passport number) of one object: equality search, no plaintext."""

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="+")
    scope = models.CharField(max_length=120, help_text="app_label.model.field")
    object_code = models.CharField(max_length=64)
    root_version = models.PositiveIntegerField()
    digest = models.CharField(max_length=64)

    class Meta:
        indexes = [
            models.Index(fields=["scope", "digest"], name="vault_blind_scope_digest"),
            models.Index(fields=["scope", "object_code"], name="vault_blind_scope_object"),
            models.Index(fields=["root_version"], name="vault_blind_root_version"),
        ]

    def __str__(self) -> str:
        return f"{self.scope}:{self.object_code}"

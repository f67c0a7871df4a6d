"""What the filings workflow keeps: each generated file, versioned and hashed, and what was sent.

`GeneratedFiling` is one version of one request or letter (a case, a kind, a language): its bytes
are stored vault-encrypted under the case's data key, with the SHA-256 and size of the plaintext.
`Sending` is one line of the notification log: a filing (or any paper) sent to an authority, or
to a forum's registry, through a channel at an instant, with the proof (a fax report, a postal
receipt) stored encrypted like any document.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models, transaction
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from refuge.vault.fields import EncryptedTextField
from refuge.vault.storage import EncryptedFileField, StoredFile


# The forum that receives each kind of request (interim_measure_requested's `forum`).
# Outside the pages' URL space (`cases/<code>/filings/...`): a server that maps MEDIA_ROOT onto
# the site's root, as Django's live test server does, must never answer a page's URL with a file.
def filing_upload_path(instance: GeneratedFiling, filename: str) -> str:
    return f"filings/{instance.case.code}/{instance.code}"


def proof_upload_path(instance: Sending, filename: str) -> str:
    return f"proofs/{instance.case.code}/{instance.code}"


class GeneratedFiling(models.Model):
    """One version of a generated request or letter; versions count per case, kind and language."""

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="filings")
    kind = models.CharField(max_length=30)
    lang = models.CharField(max_length=8)
    format = models.CharField(max_length=8)
    version = models.PositiveIntegerField()
    forum = models.CharField(max_length=20, blank=True, help_text="The forum a request goes to (echr, un_cat, un_hrc)")
    authority = models.ForeignKey(
        "cases.Authority", null=True, blank=True, on_delete=models.SET_NULL, related_name="filings"
    )
    file = EncryptedFileField(upload_to=filing_upload_path)
    filename = EncryptedTextField()
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField(default=0)
    sha256 = EncryptedTextField()  # the authority holds the letter: in clear it would find the case
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    vault_case_field = "case"
    vault_code_field = "code"

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["case", "kind", "lang", "version"], name="filing_version_unique"),
        ]
        indexes = [models.Index(fields=["case", "-created_at"], name="filing_case_created")]

    def __str__(self) -> str:
        return f"{self.kind} ({self.lang}) v{self.version}"

    def get_absolute_url(self) -> str:
        return reverse("filing_detail", args=[self.case.code, self.code])

    @property
    def stored(self) -> StoredFile:
        return StoredFile(self.file, self.filename or "filing", self.content_type, self.size, "No such filing")


class Channel(models.TextChoices):
    FAX = "fax", _("Fax")
    POST = "post", _("Post")
    EMAIL = "email", _("E-mail")
    EFILING = "efiling", _("E-filing (court or forum website)")
    HAND = "hand", _("Hand delivery")


class Sending(models.Model):
    """One entry of a case's notification log: what was sent, to whom, how, when, with what proof."""

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="sendings")
    filing = models.ForeignKey(
        GeneratedFiling, null=True, blank=True, on_delete=models.SET_NULL, related_name="sendings"
    )
    authority = models.ForeignKey(
        "cases.Authority",
        null=True,
        blank=True,
        on_delete=models.RESTRICT,  # the log keeps naming who was notified (gone only with its case)
        related_name="sendings",
        help_text="Empty for a forum's registry reached by its own channel",
    )
    forum = models.CharField(max_length=20, blank=True, help_text="The forum of a request (echr, un_cat, un_hrc)")
    channel = models.CharField(max_length=10, choices=Channel.choices)
    sent_at = models.DateTimeField()
    reference = EncryptedTextField(blank=True, help_text="The receiving office's number, if any")
    proof = EncryptedFileField(upload_to=proof_upload_path, blank=True)
    proof_filename = EncryptedTextField(blank=True)
    proof_content_type = models.CharField(max_length=100, blank=True)
    proof_size = models.PositiveBigIntegerField(default=0)
    proof_sha256 = EncryptedTextField(blank=True)
    event = models.ForeignKey("cases.Event", null=True, blank=True, on_delete=models.SET_NULL, related_name="sendings")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    vault_case_field = "case"
    vault_code_field = "code"

    class Meta:
        ordering = ["-sent_at", "-id"]
        indexes = [models.Index(fields=["case", "authority", "sent_at"], name="sending_case_authority")]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} at {self.sent_at:%Y-%m-%d %H:%M}"

    @property
    def stored_proof(self) -> StoredFile:
        filename = self.proof_filename or "proof"
        return StoredFile(self.proof, filename, self.proof_content_type, self.proof_size, "No proof stored")


def delete_stored_files(sender: type[models.Model], instance: GeneratedFiling | Sending, **kwargs: object) -> None:
    """After a filing or a sending is deleted (with its case, say), drop its ciphertext from disk too.

    The case's deleted data key already makes it unreadable; this keeps MEDIA_ROOT tidy, once the
    deletion has committed (a rolled-back deletion keeps its files).
    """
    stored = instance.file if isinstance(instance, GeneratedFiling) else instance.proof
    name, storage = stored.name, stored.storage
    if name:
        transaction.on_commit(lambda: storage.delete(name) if storage.exists(name) else None)

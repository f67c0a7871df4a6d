"""Cases and what they hold: the client, proceedings, the timeline, documents, the team."""

from __future__ import annotations

import uuid
import zoneinfo
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from refuge.casefile import vocab
from refuge.casefile.vocab import AUTHORITY_ATTRIBUTES, COMMON_EVENT_ATTRIBUTES, split_text_attributes
from refuge.vault.fields import EncryptedDateField, EncryptedJSONField, EncryptedTextField
from refuge.vault.storage import EncryptedFileField, StoredFile

if TYPE_CHECKING:
    from refuge.accounts.models import User

EVENT_TYPE_CHOICES = [(key, _(vocab.EVENT_LABELS[key])) for key in vocab.EVENT_TYPES]


class CaseStatus(models.TextChoices):
    URGENT = "urgent", _("Urgent")
    OPEN = "open", _("Open")
    DORMANT = "dormant", _("Dormant")
    CLOSED = "closed", _("Closed")


# A closed case is history: never urgent, never alerted, never in a calendar (its rows stay for the record).
QUIET_STATUSES = (CaseStatus.CLOSED,)


class Case(models.Model):
    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="cases")
    reference = models.CharField(max_length=40, help_text="Pseudonymous reference, e.g. SPB-2026-014. Never a name.")
    status = models.CharField(max_length=10, choices=CaseStatus.choices, default=CaseStatus.OPEN)
    host_state = models.CharField(max_length=2, help_text="ISO 3166-1 alpha-2")
    timezone = models.CharField(max_length=64, default="Europe/Moscow")
    timezone_explicit = models.BooleanField(
        default=True, help_text="False when the zone is the host state's default (not written to exports)"
    )
    team: models.ManyToManyField[User, CaseMember] = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="CaseMember", related_name="cases", blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-updated_at"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "reference"], name="case_reference_unique_in_org"),
        ]
        indexes = [
            models.Index(fields=["organisation", "status", "-updated_at"], name="case_org_status_updated"),
            models.Index(fields=["organisation", "-updated_at"], name="case_org_updated"),
        ]

    def __str__(self) -> str:
        return self.reference

    def get_absolute_url(self) -> str:
        return reverse("case_detail", args=[self.code])

    @property
    def tzinfo(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.timezone)


class CaseMember(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="case_memberships")
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["case", "user"], name="case_member_unique")]
        indexes = [models.Index(fields=["user", "case"], name="case_member_user")]

    def __str__(self) -> str:
        return f"{self.user} on {self.case}"


class Person(models.Model):
    """The client. Identifying fields are grouped below the marker: the vault encrypts them."""

    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="person")
    # Facts the engine needs (not identifying on their own).
    nationality = models.CharField(max_length=2, blank=True, help_text="ISO 3166-1 alpha-2; blank if stateless")
    stateless = models.BooleanField(default=False)
    languages = models.JSONField(default=list, blank=True, help_text="ISO 639-1 codes")
    # --- Identifying fields (vault-encrypted) ---
    names = EncryptedJSONField(default=list, blank=True, help_text='[{"value": ..., "script": "Latn"}]')
    birth_date = EncryptedDateField(null=True, blank=True)
    contact_notes = EncryptedTextField(blank=True)
    location_notes = EncryptedTextField(blank=True)
    document_numbers = EncryptedJSONField(default=list, blank=True, blind_index=True)

    IDENTITY_FIELDS = ("names", "birth_date", "contact_notes", "location_notes", "document_numbers")
    vault_case_field = "case"  # whose data key encrypts the fields above
    vault_code_field = "case__code"  # one client per case: ciphertexts are bound to the case's code

    def __str__(self) -> str:
        return f"client of {self.case.reference}"

    def display_name(self) -> str:
        return " / ".join(n["value"] for n in self.names if n.get("value")) or "(no name recorded)"


class Forum(models.TextChoices):
    DOMESTIC_COURT = "domestic_court", _("Domestic court")
    DOMESTIC_AUTHORITY = "domestic_authority", _("Domestic authority")
    ASYLUM_AUTHORITY = "asylum_authority", _("Asylum authority")
    ECHR = "echr", _("European Court of Human Rights")
    UN_CAT = "un_cat", _("UN Committee against Torture")
    UN_HRC = "un_hrc", _("UN Human Rights Committee")


class AuthorityKind(models.TextChoices):
    COURT = "court", _("Court")
    BAILIFFS = "bailiffs", _("Bailiffs")
    MIGRATION = "migration_service", _("Migration service")
    DETENTION_CENTRE = "detention_centre", _("Detention centre")
    BORDER = "border_service", _("Border service")
    PROSECUTOR = "prosecutor", _("Prosecutor")
    ASYLUM = "asylum_authority", _("Asylum authority")
    INTERNATIONAL = "international_body", _("International body")
    OTHER = "other", _("Other")


class Authority(models.Model):
    """The organisation's directory of courts, agencies and international bodies."""

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.CASCADE, related_name="authorities")
    name = models.CharField(max_length=300)
    name_cyrillic = models.CharField(
        max_length=300, blank=True, help_text="The name in Cyrillic (dative), as a Russian letter addresses it"
    )
    kind = models.CharField(max_length=30, choices=AuthorityKind.choices)
    country = models.CharField(max_length=2, blank=True)
    channels = models.JSONField(
        default=list, blank=True, help_text='[{"kind": "fax|post|email|efiling|phone", "value": ...}]'
    )
    languages = models.JSONField(default=list, blank=True)
    notes = EncryptedTextField(blank=True)  # may name the clients an NGO defends before this institution

    CHANNEL_KINDS = ("fax", "post", "email", "efiling", "phone")

    vault_organisation_field = "organisation"  # under the organisation's data key: it has no case
    vault_code_field = "code"

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "authorities"
        constraints = [
            models.UniqueConstraint(fields=["organisation", "name"], name="authority_name_unique_in_org"),
        ]

    def __str__(self) -> str:
        return self.name


class Proceeding(models.Model):
    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="proceedings")
    forum = models.CharField(max_length=30, choices=Forum.choices)
    reference_number = EncryptedTextField(blank=True)  # a court's file number finds the client
    # The court's own case number (public court data, but it links to the client: encrypted too).
    case_number = EncryptedTextField(blank=True, help_text="The court's case number, printed on letters")
    authority = models.ForeignKey(
        Authority, null=True, blank=True, on_delete=models.SET_NULL, related_name="proceedings"
    )
    opened_on = models.DateField(null=True, blank=True)
    is_active = models.BooleanField(default=True)
    note = EncryptedTextField(blank=True)

    vault_case_field = "case"
    vault_code_field = "code"

    class Meta:
        ordering = ["opened_on", "id"]

    def __str__(self) -> str:
        return f"{self.get_forum_display()} {self.reference_number}".strip()


@dataclass(frozen=True, slots=True)
class NewEvent:
    """What the conflict providers read of an event just imported (`hooks.NEW_CASE_CONFLICTS`),
    held instead of an `Event` instance: the bulk import writes its events as rows of values."""

    key: str
    type: str
    at: datetime
    attributes: dict[str, Any]
    authority: Authority | None

    @property
    def authority_id(self) -> int | None:
        return None if self.authority is None else self.authority.pk


def event_at_iso(at: datetime, utc_offset_minutes: int, date_only: bool) -> str:  # a row's columns
    """An event's `at` in the case file: a bare date or a date-time with the offset it was recorded with."""
    local = at.astimezone(timezone(timedelta(minutes=utc_offset_minutes)))
    return local.date().isoformat() if date_only else local.isoformat()


def event_item(  # noqa: PLR0917  # an event row's columns, in order (see EVENT_ROW)
    key: str, type_: str, at: datetime, utc_offset_minutes: int, date_only: bool, attributes: dict[str, Any]
) -> dict[str, Any]:
    """An event as the engine reads it in a case file (no free text): from a model or a row alike."""
    return {"id": key, "type": type_, "at": event_at_iso(at, utc_offset_minutes, date_only), **attributes}


# The columns of an event that `event_item` reads, in its order, after the id and the case's id:
# a batch reads its events as rows of these (values_list) rather than as model instances.
EVENT_ROW = ("id", "case_id", "key", "type", "at", "utc_offset_minutes", "date_only", "attributes", "authority_id")


class Event(models.Model):
    """One dated fact on the case's timeline, in the CASEFILE.md vocabulary."""

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    key = models.CharField(max_length=40, help_text="The event's id in the case file, e.g. e3")
    type = models.CharField(max_length=40, choices=EVENT_TYPE_CHOICES)
    at = models.DateTimeField(help_text="The instant (UTC in the database)")
    utc_offset_minutes = models.SmallIntegerField(default=0, help_text="The offset it was recorded with")
    date_only = models.BooleanField(default=False, help_text="Only the date is known")
    attributes = models.JSONField(
        default=dict, blank=True, help_text="What the engine reads: enums, dates, countries, event ids"
    )
    # The free-text attributes (vocab.TEXT_ATTRIBUTES: a detention's place, a decision's authority).
    text_attributes = EncryptedJSONField(default=dict, blank=True)
    # The directory entry that place or authority names, matched by name while the vault is open:
    # the worker's authority_not_notified check follows this link while sealed, never the text.
    authority = models.ForeignKey(
        Authority, null=True, blank=True, on_delete=models.SET_NULL, related_name="named_by_events"
    )
    proceeding = models.ForeignKey(Proceeding, null=True, blank=True, on_delete=models.SET_NULL, related_name="events")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    source = EncryptedTextField(blank=True, help_text="Where the fact comes from")  # free text, as note
    note = EncryptedTextField(blank=True)  # identifying free text
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    vault_case_field = "case"
    vault_code_field = "code"

    class Meta:
        ordering = ["at", "id"]
        constraints = [models.UniqueConstraint(fields=["case", "key"], name="event_key_unique_in_case")]
        indexes = [
            models.Index(fields=["case", "at"], name="event_case_at"),
            models.Index(fields=["-created_at"], name="event_created"),
            # The cases' removals (the lists' and the dashboard's countdowns) without reading each of
            # their events; partial, so that PostgreSQL's planner prefers it to the index on case.
            models.Index(fields=["case"], condition=models.Q(type="removal_scheduled"), name="event_case_removal"),
        ]

    def __str__(self) -> str:
        return f"{self.key} {self.type}"

    @property
    def label(self) -> str:
        return gettext(vocab.EVENT_LABELS.get(self.type, self.type))

    def local_at(self, tz: zoneinfo.ZoneInfo | None = None) -> datetime:
        """The instant in the given zone (default: the offset it was recorded with)."""
        if tz is not None:
            return self.at.astimezone(tz)
        return self.at.astimezone(timezone(timedelta(minutes=self.utc_offset_minutes)))

    def at_iso(self) -> str:
        """The `at` value of the case file: a bare date or a date-time with its own offset."""
        return event_at_iso(self.at, self.utc_offset_minutes, self.date_only)

    def all_attributes(self) -> dict[str, Any]:
        """Every attribute of the type's vocabulary, free text included (decrypted: needs the vault open)."""
        return {**self.attributes, **self.text_attributes}

    def set_attributes(self, attributes: dict[str, Any]) -> None:
        """Store the attributes: free text into the encrypted column, the rest where the engine reads it."""
        self.attributes, self.text_attributes = split_text_attributes(self.type, attributes)

    def named_authority(self) -> str:
        """The text of the attribute that names an institution ('' if none): a decision's authority, a place."""
        value = self.text_attributes.get(AUTHORITY_ATTRIBUTES.get(self.type, ""))
        return value.strip() if isinstance(value, str) else ""

    def to_casefile(self, *, free_text: bool = True) -> dict[str, Any]:
        """The event as a case file has it; free_text=False leaves out `source`, `note` and the text
        attributes (the engine's view, which a process without the vault's key can build)."""
        item = event_item(self.key, self.type, self.at, self.utc_offset_minutes, self.date_only, self.attributes)
        if free_text:
            item.update(self.text_attributes)
            item.update({name: value for name in COMMON_EVENT_ATTRIBUTES if (value := getattr(self, name))})
        return item


def document_upload_path(instance: Document, filename: str) -> str:
    return f"cases/{instance.case.code}/{instance.code}"


class Document(models.Model):
    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="documents")
    doc_type = models.CharField(max_length=60)
    title = EncryptedTextField()  # "Decision on <name>'s appeal": free text
    date = models.DateField(null=True, blank=True)
    language = models.CharField(max_length=8, blank=True)
    events = models.ManyToManyField(Event, blank=True, related_name="documents")
    file = EncryptedFileField(upload_to=document_upload_path)
    filename = EncryptedTextField()  # people upload passport_<name>.pdf
    content_type = models.CharField(max_length=100)  # sniffed: one of a few types
    size = models.PositiveBigIntegerField(default=0)  # the stored file's own length tells it anyway
    sha256 = EncryptedTextField()  # in clear it would confirm a document its holder already has
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    vault_case_field = "case"
    vault_code_field = "code"

    class Meta:
        ordering = ["-date", "-uploaded_at"]

    def __str__(self) -> str:
        return str(self.title)  # an encrypted text field: a str once read

    def get_absolute_url(self) -> str:
        return reverse("document_download", args=[self.case.code, self.code])

    @property
    def stored(self) -> StoredFile:
        return StoredFile(self.file, self.filename or "document", self.content_type, self.size, "No such document")


from refuge.cases.derived import CaseCheck, Conflict, Deadline, DerivedChange  # noqa: E402, F401  # the engine's stored output

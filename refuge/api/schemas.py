"""The API's request and response bodies (pydantic, through ninja): the OpenAPI document's schemas.

Bodies that are case files (`refuge.case/1`) or check reports (`refuge.check/1`) are objects
whose full schemas are refuge/casefile/schema/*.json; the validator answers with JSON paths.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Literal
from uuid import UUID

from ninja import Field, Schema

from refuge.casefile import vocab

if TYPE_CHECKING:
    EventTypeName = str  # to the type checker a word; at run time pydantic checks it is one of the vocabulary's
else:
    EventTypeName = Literal[tuple(vocab.EVENT_TYPES)]
StatusName = Literal["urgent", "open", "dormant", "closed"]
Country = Field(pattern=r"^[A-Z]{2}$", description="ISO 3166-1 alpha-2")


class Member(Schema):
    code: UUID
    username: str


class CaseSummary(Schema):
    code: UUID
    reference: str = Field(description="Pseudonymous reference; never a name")
    status: StatusName
    host_state: str
    timezone: str
    nationality: str | None
    stateless: bool
    updated_at: datetime
    team: list[Member]


class CasePage(Schema):
    items: list[CaseSummary]
    page: int
    has_next: bool


class CaseDetail(CaseSummary):
    languages: list[str]
    created_at: datetime
    can_write: bool
    events: list[EventOut]


class Name(Schema):
    value: str = Field(min_length=1, max_length=500)
    script: Literal["Latn", "Cyrl", "Hang", "Arab", "Hani", "Geor", "Armn", "Deva", "Other"] | None = None


class PersonIn(Schema):
    nationality: str | None = Field(None, pattern=r"^[A-Z]{2}$")
    stateless: bool = False
    languages: list[str] = []
    names: list[Name] = Field([], description="Written with the write scope; read back only with identity")
    birth_date: date | None = None


class EventItem(Schema):
    """An event of a new case: its id in the case file, type, time and the type's attributes."""

    id: str = Field(pattern=r"^[A-Za-z0-9_-]{1,40}$")
    type: EventTypeName
    at: str = Field(description="YYYY-MM-DD, or a date-time with its UTC offset")
    attributes: dict[str, Any] = {}


class CaseIn(Schema):
    reference: str = Field(min_length=1, max_length=40, description="Pseudonymous; never a name")
    host_state: str = Field(pattern=r"^[A-Z]{2}$")
    timezone: str | None = Field(None, max_length=64, description="IANA zone; default: the host state's pack")
    status: StatusName = "urgent"
    person: PersonIn = PersonIn(nationality=None, names=[])  # the fields' own defaults
    events: list[EventItem] = []


class EventIn(Schema):
    type: EventTypeName
    at: str = Field(description="YYYY-MM-DD, or a date-time with its UTC offset")
    attributes: dict[str, Any] = Field({}, description="The type's attributes (CASEFILE.md), e.g. decision_event")
    source: str = Field("", max_length=200)
    note: str = Field("", max_length=5000, description="Identifying free text: stored encrypted")


class EventChange(Schema):
    at: str
    attributes: dict[str, Any] = {}
    source: str = Field("", max_length=200)
    note: str = Field("", max_length=5000)


class EventOut(Schema):
    code: UUID
    key: str = Field(description="The event's id in the case file (e3)")
    type: str
    label: str
    at: str = Field(description="As the case file writes it: a date, or a date-time with its offset")
    date_only: bool
    attributes: dict[str, Any]
    source: str
    note: str | None = Field(description="Null without the identity scope (identifying free text)")


class DeadlineOut(Schema):
    key: str
    kind: str
    rule: str
    trigger: str
    due_date: date | None
    due_at: datetime | None
    timezone: str
    status: str
    met_by: str
    severity: str
    basis: str
    verified: bool
    safe_due_date: date | None
    flags: list[Any]
    unconfirmed_years: list[int]


class ConflictOut(Schema):
    key: str
    kind: str
    severity: str
    rule: str
    events: list[Any]
    basis: str
    flags: list[Any]
    notify: list[Any]
    raised_at: datetime


class ForumsOut(Schema):
    checked_at: datetime | None
    forums: list[dict[str, Any]] = Field(description="The check report's forums (refuge.check/1)")


class Identity(Schema):
    names: list[Name]
    birth_date: date | None


class PersonOut(Schema):
    nationality: str | None
    stateless: bool
    languages: list[str]
    identity: Identity | None = Field(description="Only with the identity scope, where the account may see it")


# The review's warnings (refuge.filings.checklist.WARNINGS), by code.
WarningCode = Literal[
    "measure_in_force", "forum_unavailable", "removal_passed", "contact_no_phone", "rule_number_unverified"
]


class FilingIn(Schema):
    kind: Literal["rule39", "un-interim", "notify-authority", "client-notice", "removal-update"]
    lang: Literal["en", "ru", "ko"] = "en"
    fmt: Literal["pdf", "docx"] = "pdf"
    forum: Literal["", "un_cat", "un_hrc"] = ""
    authority: UUID | None = Field(None, description="notify-authority: the addressee, from the directory")
    contact_name: str = Field(min_length=1, max_length=200)
    contact_phone: str = Field("", max_length=60)
    contact_email: str = Field("", max_length=254)
    grounds: str = Field("", max_length=5000)
    annexes: list[UUID] = Field([], description="Codes of the case's PDF documents")
    send_by_fax: bool = False
    power_of_attorney_follows: bool = False
    despite_unavailable: bool = False
    acknowledged: list[WarningCode] = Field(
        [], description="The review's warnings the lawyer has read and accepts (a 422 problem names those that apply)"
    )


class FilingOut(Schema):
    code: UUID
    kind: str
    lang: str
    format: str
    version: int
    forum: str
    filename: str
    content_type: str
    size: int
    sha256: str
    created_at: datetime


class AlertOut(Schema):
    code: UUID
    kind: str
    severity: str
    subject: str = Field(description="Case reference and what happened; never a name")
    body: str
    case_code: UUID | None
    case_reference: str | None
    item: str | None
    due_at: datetime | None
    created_at: datetime
    level: int
    acknowledged_at: datetime | None
    acknowledged_via: str


class Acknowledged(Schema):
    acknowledged_now: bool = Field(description="False when someone had acknowledged it already")
    alert: AlertOut


class AlertWebhook(Schema):
    """What `refuge worker` POSTs to a user's webhook: signed with X-Refuge-Signature (HMAC-SHA256)."""

    format: Literal["refuge.alert/1"]
    alert: UUID
    kind: str
    severity: str
    subject: str
    body: str
    case: str | None = Field(description="The case's pseudonymous reference")
    case_code: UUID | None
    item: str | None
    due_at: datetime | None
    created_at: datetime
    level: int
    acknowledge_url: str | None
    url: str
    idempotency_key: UUID


CaseDetail.model_rebuild()

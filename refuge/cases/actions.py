"""Operations on cases that touch several models (STYLE.md §2). Keyword-only, typed."""

from __future__ import annotations

import hashlib
import zoneinfo
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime, time
from typing import TYPE_CHECKING, Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from refuge import hooks
from refuge.audit import actions as audit
from refuge.audit.events import EventType
from refuge.casefile import vocab
from refuge.casefile.validate import CaseFileError, Problem, load_casefile
from refuge.casefile.vocab import COMMON_EVENT_ATTRIBUTES
from refuge.cases.casefiles import casefile_for
from refuge.cases.models import (
    Authority,
    Case,
    CaseMember,
    CaseStatus,
    Document,
    Event,
    Person,
    Proceeding,
)
from refuge.cases.recompute import packs, recompute_case
from refuge.lib.text import clean_names
from refuge.vault import shredlog
from refuge.vault.storage import EncryptedUpload, StoredFile, decrypted_download

if TYPE_CHECKING:
    from django.http import HttpRequest, StreamingHttpResponse

    from refuge.accounts.models import Organisation, User


NO_DEFAULT_ZONE = "required: the host state has no rule pack with a default zone"
REFERENCE_REPEATED = "two files of the batch have the same reference"
REFERENCE_TAKEN = "a case with this reference already exists in the organisation"


def default_timezone(host_state: str) -> str | None:
    """The host state's default zone from its rule pack, if it has one."""
    return packs().default_timezone(host_state)


def _recompute(*, case: Case, cause: str, cause_event: str = "", actor: User | None, quiet: bool = False) -> None:
    """Re-derive the case's deadlines and conflicts inside the caller's transaction."""
    recompute_case(case=case, cause=cause, cause_event=cause_event, actor=actor, quiet=quiet)


def parse_at(value: str, tz: zoneinfo.ZoneInfo) -> tuple[datetime, int, bool]:
    """A case-file `at`: (aware instant, its offset in minutes, date_only)."""
    if len(value) == 10:
        day = date.fromisoformat(value)
        instant = datetime.combine(day, time.min, tzinfo=tz)
        offset = instant.utcoffset()
        return instant, int(offset.total_seconds() // 60) if offset else 0, True
    instant = datetime.fromisoformat(value)
    offset = instant.utcoffset()
    if offset is None:
        raise ValueError("a date-time needs its offset")
    return instant, int(offset.total_seconds() // 60), False


@transaction.atomic
def _person(case: Case, doc: dict[str, Any]) -> Person:
    """The client record of a case file's `person` (not yet saved)."""
    person = doc.get("person") or {}
    return Person(
        case=case,
        nationality=person.get("nationality") or "",
        stateless=bool(person.get("stateless", False)),
        languages=list(person.get("languages", [])),
        names=clean_names(person.get("names", [])),
        birth_date=date.fromisoformat(person["birth_date"]) if person.get("birth_date") else None,
    )


def import_casefile(
    *,
    data: object,
    organisation: Organisation,
    user: User | None,
    source: str = "import",
    status: str | None = None,
) -> Case:
    """Create a case from a case file. Validates the whole file first: nothing is half-imported.

    The status (the argument, else the file's `status`, else open) is set before the engine's first
    run, so a case imported closed or dormant alerts no one (an archive alerts only on what is open)."""
    doc = load_casefile(data)
    status = status or doc.get("status") or CaseStatus.OPEN
    if Case.objects.filter(organisation=organisation, reference=doc["reference"]).exists():
        raise CaseFileError([Problem("$.reference", REFERENCE_TAKEN, code="reference_taken")])
    explicit = "timezone" in doc
    tz_name = doc.get("timezone") or default_timezone(doc["host_state"])
    if tz_name is None:
        raise CaseFileError([Problem("$.timezone", NO_DEFAULT_ZONE, code="no_default_zone")])
    case = Case.objects.create(
        organisation=organisation,
        reference=doc["reference"],
        host_state=doc["host_state"],
        timezone=tz_name,
        timezone_explicit=explicit,
        created_by=user,
        status=status,
    )
    if user is not None:
        CaseMember.objects.create(case=case, user=user)
    _person(case, doc).save(force_insert=True)
    rows = _event_objects(case, doc, user, authority_directory(organisation.pk))
    Event.objects.bulk_create(rows)
    _recompute(case=case, cause="import", actor=user, quiet=status in IMPORT_QUIET)
    audit.record(
        type=EventType.CASE_CREATED,
        actor=user,
        target=case,
        data={"via": "intake" if source == "intake" else "import", "events": len(rows)},  # a source may name a file
    )
    return case


# An imported case in one of these states raises no alert on import (closed ones never alert).
IMPORT_QUIET = (CaseStatus.DORMANT, CaseStatus.CLOSED)


def _event_objects(case: Case, doc: dict[str, Any], user: User | None, directory: dict[str, Authority]) -> list[Event]:
    tz = case.tzinfo
    rows = []
    for item in doc["events"]:
        instant, offset, date_only = parse_at(item["at"], tz)
        attributes = {k: v for k, v in item.items() if k not in ("id", "type", "at", *COMMON_EVENT_ATTRIBUTES)}
        event = Event(
            case=case,
            key=item["id"],
            type=item["type"],
            at=instant,
            utc_offset_minutes=offset,
            date_only=date_only,
            author=user,
            source=item.get("source") or "",  # the file's own; how it came is in the audit entry
            note=item.get("note") or "",
        )
        event.set_attributes(attributes)
        link_authority(event, directory)
        rows.append(event)
    return rows


def export_casefile(*, case: Case) -> dict[str, Any]:
    return casefile_for(case)


@transaction.atomic
def export_case(*, case: Case, actor: User | None, via: str) -> dict[str, Any]:
    """Export a case file, on record first: an export, and the identity it holds."""
    record_disclosure(
        case=case, actor=actor, event=EventType.CASE_EXPORTED, fields=["names", "birth_date"], data={"via": via}
    )
    return casefile_for(case)


def authority_directory(organisation_id: int) -> dict[str, Authority]:
    """The organisation's authorities by their name as matched against events (trimmed, case-folded)."""
    return {a.name.strip().casefold(): a for a in Authority.objects.filter(organisation_id=organisation_id)}


def link_authority(event: Event, directory: dict[str, Authority]) -> None:
    """Point the event at the directory entry its place or authority names (none if it names none).

    Matched by name while the text is readable (the vault open), so that the worker can follow the
    link while sealed (refuge/filings/conflicts.py); the text itself stays encrypted.
    """
    name = event.named_authority()
    event.authority = directory.get(name.casefold()) if name else None


def relink_authorities(organisation_id: int) -> int:
    """After the directory changed: re-match every event of the organisation that names an authority."""
    directory = authority_directory(organisation_id)
    changed = 0
    for event in Event.objects.filter(
        case__organisation_id=organisation_id, type__in=list(vocab.AUTHORITY_ATTRIBUTES)
    ).select_related("case"):
        before = event.authority_id
        link_authority(event, directory)
        if event.authority_id != before:
            event.save(update_fields=["authority"])
            changed += 1
    return changed


def next_event_key(case: Case) -> str:
    used = set(case.events.values_list("key", flat=True))
    n = len(used) + 1
    while f"e{n}" in used:
        n += 1
    return f"e{n}"


@transaction.atomic
def record_event(
    *,
    case: Case,
    user: User | None,
    type: str,  # the case-file vocabulary's own word
    at: str,
    attributes: dict[str, Any],
    source: str = "",
    note: str = "",
    key: str | None = None,
) -> Event:
    """Add an event after validating the whole case file it would produce.

    The case is then recomputed in the same transaction (cases.recompute.recompute_case); what
    follows that (conflicts from filings, statistics, alerts) is listed in refuge/wiring/subscribers.py.
    """
    key = key or next_event_key(case)
    item = {"id": key, "type": type, "at": at, **attributes}
    load_casefile(casefile_for(case, extra_event=item))
    instant, offset, date_only = parse_at(at, case.tzinfo)
    event = Event(
        case=case,
        key=key,
        type=type,
        at=instant,
        utc_offset_minutes=offset,
        date_only=date_only,
        author=user,
        source=source,
        note=note,
    )
    event.set_attributes(attributes)
    link_authority(event, authority_directory(case.organisation_id) if event.named_authority() else {})
    event.save()
    case.save(update_fields=["updated_at"])
    _recompute(case=case, cause="event_added", cause_event=event.key, actor=user)
    audit.record(
        type=EventType.EVENT_ADDED,
        actor=user,
        target=case,
        fields=["type", "at", "attributes", "source", "note"],
        data={"event": event.code, "event_type": type},
    )
    return event


@transaction.atomic
def update_event(
    *, event: Event, user: User | None, at: str, attributes: dict[str, Any], source: str, note: str
) -> Event:
    case = event.case
    item = {"id": event.key, "type": event.type, "at": at, **attributes}
    load_casefile(casefile_for(case, extra_event=item))
    event.at, event.utc_offset_minutes, event.date_only = parse_at(at, case.tzinfo)
    event.set_attributes(attributes)
    link_authority(event, authority_directory(case.organisation_id) if event.named_authority() else {})
    event.source = source
    event.note = note
    event.save(
        update_fields=[
            "at",
            "utc_offset_minutes",
            "date_only",
            "attributes",
            "text_attributes",
            "authority",
            "source",
            "note",
            "updated_at",
        ]
    )
    case.save(update_fields=["updated_at"])
    _recompute(case=case, cause="event_changed", cause_event=event.key, actor=user)
    audit.record(
        type=EventType.EVENT_CHANGED,
        actor=user,
        target=case,
        fields=["at", "attributes", "source", "note"],
        data={"event": event.code, "event_type": event.type},
    )
    return event


@transaction.atomic
def delete_event(*, event: Event, user: User | None) -> None:
    """Delete an event; refuses while other events refer to it."""
    case = event.case
    load_casefile(casefile_for(case, drop_key=event.key))
    key = event.key
    event.delete()
    case.save(update_fields=["updated_at"])
    _recompute(case=case, cause="event_deleted", cause_event=key, actor=user)
    audit.record(
        type=EventType.EVENT_DELETED, actor=user, target=case, data={"event": event.code, "event_type": event.type}
    )


@transaction.atomic
def create_case(
    *,
    organisation: Organisation,
    user: User,
    reference: str,
    host_state: str,
    timezone: str | None,
    status: str = CaseStatus.URGENT,
    person: dict[str, Any],
    events: list[dict[str, Any]],
) -> Case:
    """The intake: a case, its client and its first events, validated as one case file."""
    data: dict[str, Any] = {"format": vocab.FORMAT, "reference": reference, "host_state": host_state}
    if timezone:
        data["timezone"] = timezone
    data["person"] = person
    data["events"] = events
    return import_casefile(data=data, organisation=organisation, user=user, source="intake", status=status)


@transaction.atomic
def set_team(*, case: Case, users: list[User], actor: User) -> None:
    keep = {u.pk for u in users}
    CaseMember.objects.filter(case=case).exclude(user_id__in=keep).delete()
    existing = set(CaseMember.objects.filter(case=case).values_list("user_id", flat=True))
    CaseMember.objects.bulk_create([CaseMember(case=case, user=u) for u in users if u.pk not in existing])
    audit.record(
        type=EventType.TEAM_CHANGED, actor=actor, target=case, data={"members": sorted(str(u.code) for u in users)}
    )


def person_casefile(
    *, nationality: str, stateless: bool, languages: list[str], names: list[dict[str, str]], birth_date: date | None
) -> dict[str, Any]:
    """The `person` object of a case file, as casefile_for writes it."""
    person: dict[str, Any] = {"nationality": nationality or None, "stateless": stateless, "languages": list(languages)}
    if names:
        person["names"] = [dict(n) for n in names]
    if birth_date:
        person["birth_date"] = birth_date.isoformat()
    return person


@transaction.atomic
def update_person(
    *,
    case: Case,
    user: User | None,
    nationality: str,
    stateless: bool,
    languages: list[str],
    names: list[dict[str, str]],
    birth_date: date | None,
    contact_notes: str,
    location_notes: str,
    document_numbers: list[str],
) -> Person:
    """Change the client's record after validating the case file it would produce."""
    names = clean_names(names)
    data = casefile_for(case)
    data["person"] = person_casefile(
        nationality=nationality, stateless=stateless, languages=languages, names=names, birth_date=birth_date
    )
    load_casefile(data)
    person, _ = Person.objects.get_or_create(case=case)
    person.nationality = nationality
    person.stateless = stateless
    person.languages = list(languages)
    person.names = [dict(n) for n in names]
    person.birth_date = birth_date
    person.contact_notes = contact_notes
    person.location_notes = location_notes
    person.document_numbers = list(document_numbers)
    person.save(
        update_fields=[
            "nationality",
            "stateless",
            "languages",
            "names",
            "birth_date",
            "contact_notes",
            "location_notes",
            "document_numbers",
        ]
    )
    case.save(update_fields=["updated_at"])
    _recompute(case=case, cause="person_changed", actor=user)
    audit.record(
        type=EventType.PERSON_CHANGED,
        actor=user,
        target=case,
        fields=[
            "nationality",
            "stateless",
            "languages",
            "names",
            "birth_date",
            "contact_notes",
            "location_notes",
            "document_numbers",
        ],
    )
    return person


@transaction.atomic
def save_proceeding(
    *,
    case: Case,
    user: User | None,
    proceeding: Proceeding | None = None,
    forum: str,
    reference_number: str,
    authority: Authority | None,
    opened_on: date | None,
    is_active: bool,
    note: str,
    case_number: str = "",
) -> Proceeding:
    """Add a proceeding to the case, or change one of its proceedings."""
    if authority is not None and authority.organisation_id != case.organisation_id:
        raise ValueError("the authority belongs to another organisation")
    if proceeding is None:
        proceeding = Proceeding(case=case)
    elif proceeding.case_id != case.pk:
        raise ValueError("the proceeding belongs to another case")
    proceeding.forum = forum
    proceeding.reference_number = reference_number
    proceeding.case_number = case_number
    proceeding.authority = authority
    proceeding.opened_on = opened_on
    proceeding.is_active = is_active
    proceeding.note = note
    audit.record(
        type=EventType.PROCEEDING_ADDED if proceeding._state.adding else EventType.PROCEEDING_CHANGED,
        actor=user,
        target=case,
        fields=["forum", "reference_number", "case_number", "authority", "opened_on", "is_active", "note"],
        data={"proceeding": proceeding.code, "forum": forum},
    )
    proceeding.save()
    case.save(update_fields=["updated_at"])
    return proceeding


@transaction.atomic
def delete_proceeding(*, proceeding: Proceeding, user: User | None) -> None:
    """Delete a proceeding; its events stay on the timeline, unlinked."""
    case = proceeding.case
    proceeding.delete()
    case.save(update_fields=["updated_at"])
    audit.record(type=EventType.PROCEEDING_DELETED, actor=user, target=case, data={"proceeding": proceeding.code})


_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "application/pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
    (b"II*\x00", "image/tiff"),
    (b"MM\x00*", "image/tiff"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "application/msword"),
    (b"{\\rtf", "application/rtf"),
)
_ZIP_KINDS: tuple[tuple[bytes, str], ...] = (
    (b"word/", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    (b"xl/", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    (b"ppt/", "application/vnd.openxmlformats-officedocument.presentationml.presentation"),
    (b"mimetypeapplication/vnd.oasis.opendocument.text", "application/vnd.oasis.opendocument.text"),
)


def _looks_like_text(head: bytes) -> bool:
    if b"\x00" in head:
        return False
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        # A multi-byte character cut at the end of the sample is still text.
        return exc.start >= len(head) - 3
    return True


def sniff_content_type(head: bytes) -> str:
    """The content type from the file's first bytes; the client's claim is never trusted."""
    for magic, kind in _SIGNATURES:
        if head.startswith(magic):
            return kind
    if head.startswith(b"RIFF") and head[8:12] == b"WEBP":
        return "image/webp"
    if head.startswith(b"PK\x03\x04"):
        return next((kind for marker, kind in _ZIP_KINDS if marker in head), "application/zip")
    return "text/plain" if _looks_like_text(head) else "application/octet-stream"


@transaction.atomic
def store_document(
    *,
    case: Case,
    user: User | None,
    content: bytes | EncryptedUpload,
    filename: str,
    doc_type: str,
    title: str,
    date: date | None,
    language: str,
    events: list[Event],
) -> Document:
    """Keep a file (bytes, or an upload sealed as it streamed in) with its hash, size and sniffed type."""
    if any(e.case_id != case.pk for e in events):
        raise ValueError("a linked event belongs to another case")
    body: EncryptedUpload | ContentFile[bytes]
    if isinstance(content, EncryptedUpload):
        head, size, sha256, body = content.head(2048), content.plain_size, content.sha256, content
    else:
        head, size, sha256 = content[:2048], len(content), hashlib.sha256(content).hexdigest()
        body = ContentFile(content)
    document = Document(
        case=case,
        doc_type=doc_type,
        title=title,
        date=date,
        language=language,
        filename=filename[-255:],
        content_type=sniff_content_type(head),
        size=size,
        sha256=sha256,
        uploaded_by=user,
    )
    document.file.save(document.code.hex, body, save=False)
    document.save()
    document.events.set(events)
    case.save(update_fields=["updated_at"])
    audit.record(
        type=EventType.DOCUMENT_UPLOADED,
        actor=user,
        target=case,
        data={"document": document.code, "doc_type": doc_type, "size": size},
    )
    return document


@transaction.atomic
def save_authority(
    *,
    organisation: Organisation,
    user: User | None,
    authority: Authority | None = None,
    name: str,
    kind: str,
    country: str,
    channels: list[dict[str, str]],
    languages: list[str],
    notes: str,
    name_cyrillic: str = "",
) -> Authority:
    """Add an authority to the organisation's directory, or change one (from a page or a command: audited)."""
    adding = authority is None
    if authority is None:
        authority = Authority(organisation=organisation)
    elif authority.organisation_id != organisation.pk:
        raise ValueError("the authority belongs to another organisation")
    before = {f: getattr(authority, f) for f in AUTHORITY_FIELDS}
    bad = [c["kind"] for c in channels if c.get("kind") not in Authority.CHANNEL_KINDS]
    if bad:
        raise ValueError(f"unknown channel kind {bad[0]!r}")
    authority.name = name
    authority.name_cyrillic = name_cyrillic
    authority.kind = kind
    authority.country = country
    authority.channels = [{"kind": c["kind"], "value": c["value"]} for c in channels]
    authority.languages = list(languages)
    authority.notes = notes
    authority.save()  # the events naming it are re-matched on save (refuge/cases/apps.py)
    changed = [f for f in AUTHORITY_FIELDS if adding or getattr(authority, f) != before[f]]
    audit.record(
        type=EventType.AUTHORITY_ADDED if adding else EventType.AUTHORITY_CHANGED,
        actor=user,
        target=authority,
        organisation=organisation,
        fields=changed,
    )
    return authority


AUTHORITY_FIELDS = ("name", "name_cyrillic", "kind", "country", "channels", "languages", "notes")


@transaction.atomic
def delete_case(*, case: Case, actor: User | None, confirm_reference: str) -> None:
    """Delete a case for good: its rows, its stored files, and its data key (crypto-shredding).

    Once the case's key rows are gone, any copy of its ciphertext — in SQLite's free pages, on a
    seized disk — can no longer be decrypted. A backup still holds the key: the deletion goes to
    the shredding log too, which a restore applies again (refuge/vault/shredlog.py). The audit
    entry names the case by code; `actor` is None when a restore deletes it again.
    """
    if confirm_reference.strip() != case.reference:
        raise ValueError("type the case's reference exactly to confirm")
    code = case.code
    shredlog.record(case_code=str(code), key_ids=list(case.vault_keys.values_list("pk", flat=True)), at=timezone.now())
    files = [d.file.name for d in case.documents.all() if d.file]
    storage = Document._meta.get_field("file").storage
    audit.record(
        type=EventType.CASE_DELETED,
        actor=actor,
        target=("case", code),
        organisation=case.organisation,
        data={"documents": len(files)},
    )
    hooks.CASE_DELETING.fire(case)  # e.g. its counts leave the organisation's statistics (refuge/wiring/subscribers.py)
    case.delete()  # cascades to events, person, documents, derived rows and the case's key rows

    def remove_files() -> None:
        for name in files:
            if storage.exists(name):
                storage.delete(name)

    transaction.on_commit(remove_files)


# Reveals and downloads: every read of a client's identity goes on record here, whichever door it
# came through (a page, the API, a command), before the data leaves.


@transaction.atomic
def record_reveals(
    *,
    user: Any,
    cases: Iterable[Case],
    fields: Sequence[str] = audit.IDENTITY_FIELDS,
    via: str,
    request: HttpRequest | None = None,
) -> None:
    """The identity of each case's client shown to `user`, one entry each, in one transaction."""
    for case in cases:
        audit.record(
            type=EventType.IDENTITY_REVEALED,
            actor=user,
            target=case,
            fields=fields,
            data={"via": via},
            request=request,
        )


def record_reveal(
    *,
    user: Any,
    case: Case,
    fields: Sequence[str] = audit.IDENTITY_FIELDS,
    via: str,
    request: HttpRequest | None = None,
) -> None:
    """The client's identity shown to `user` (the case page, the client's form, the API): one entry, no savepoint."""
    audit.record(
        type=EventType.IDENTITY_REVEALED, actor=user, target=case, fields=fields, data={"via": via}, request=request
    )


@transaction.atomic
def record_disclosure(  # one keyword per fact of the entries
    *,
    case: Case,
    actor: Any,
    event: EventType,
    data: Mapping[str, object],
    fields: Sequence[str] = (),
    request: HttpRequest | None = None,
) -> None:
    """On record before a byte leaves: `event` (a download, an export), and the reveal of identity it is."""
    for kind in (event, EventType.IDENTITY_REVEALED):
        audit.record(type=kind, actor=actor, target=case, fields=fields, data=data, request=request)


def download(  # one keyword per fact of the entries
    *,
    case: Case,
    user: Any,
    stored: StoredFile,
    event: EventType,
    data: Mapping[str, object],
    request: HttpRequest | None = None,
) -> StreamingHttpResponse:
    """A stored file of a case, decrypted as it streams; on record first: `event`, and the reveal of identity it is."""
    return decrypted_download(
        stored,
        on_record=lambda: record_disclosure(case=case, actor=user, event=event, data=data, request=request),
    )


def download_document(*, document: Document, user: Any, request: HttpRequest | None = None) -> StreamingHttpResponse:
    """The document, decrypted as it streams; on record first: the download, and the reveal of identity it is."""
    data = {"via": "document_download", "document": document.code}
    event = EventType.DOCUMENT_DOWNLOADED
    return download(case=document.case, user=user, stored=document.stored, event=event, data=data, request=request)

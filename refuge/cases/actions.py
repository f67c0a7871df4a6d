"""Operations on cases that touch several models (STYLE.md §2). Keyword-only, typed."""

from __future__ import annotations

import zoneinfo
from datetime import date, datetime, time
from typing import TYPE_CHECKING, Any

from django.db import transaction

from refuge.casefile import vocab
from refuge.casefile.validate import CaseFileError, load_casefile
from refuge.cases.models import Case, CaseMember, CaseStatus, Event, Person

if TYPE_CHECKING:
    from refuge.accounts.models import Organisation, User


def default_timezone(host_state: str) -> str | None:
    """The host state's default zone from its rule pack, if it has one."""
    from refuge.rules import load_packs  # noqa: PLC0415  # packs are loaded lazily, once

    return load_packs().default_timezone(host_state)


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


def casefile_for(
    case: Case, *, extra_event: dict[str, Any] | None = None, drop_key: str | None = None
) -> dict[str, Any]:
    """The case as a `refuge.case/1` document (what export writes and the engine reads)."""
    person: dict[str, Any] = {}
    try:
        p = case.person
    except Person.DoesNotExist:
        p = None
    if p is not None:
        person = {"nationality": p.nationality or None, "stateless": p.stateless, "languages": list(p.languages)}
        if p.names:
            person["names"] = [dict(n) for n in p.names]
        if p.birth_date:
            person["birth_date"] = p.birth_date.isoformat()
    events = [e.to_casefile() for e in case.events.all() if e.key != drop_key]
    if extra_event is not None:
        events = [e for e in events if e["id"] != extra_event["id"]] + [extra_event]
    data: dict[str, Any] = {
        "format": vocab.FORMAT,
        "reference": case.reference,
        "host_state": case.host_state,
    }
    if case.timezone_explicit:
        data["timezone"] = case.timezone
    data["person"] = person
    data["events"] = events
    return data


@transaction.atomic
def import_casefile(*, data: object, organisation: Organisation, user: User | None, source: str = "import") -> Case:
    """Create a case from a case file. Validates the whole file first: nothing is half-imported."""
    doc = load_casefile(data)
    if Case.objects.filter(organisation=organisation, reference=doc["reference"]).exists():
        raise CaseFileError.single("$.reference", "a case with this reference already exists in the organisation")
    explicit = "timezone" in doc
    tz_name = doc.get("timezone") or default_timezone(doc["host_state"])
    if tz_name is None:
        raise CaseFileError.single("$.timezone", "required: the host state has no rule pack with a default zone")
    case = Case.objects.create(
        organisation=organisation,
        reference=doc["reference"],
        host_state=doc["host_state"],
        timezone=tz_name,
        timezone_explicit=explicit,
        created_by=user,
    )
    if user is not None:
        CaseMember.objects.create(case=case, user=user)
    person = doc.get("person") or {}
    Person.objects.create(
        case=case,
        nationality=person.get("nationality") or "",
        stateless=bool(person.get("stateless", False)),
        languages=list(person.get("languages", [])),
        names=list(person.get("names", [])),
        birth_date=date.fromisoformat(person["birth_date"]) if person.get("birth_date") else None,
    )
    tz = case.tzinfo
    rows = []
    for item in doc["events"]:
        instant, offset, date_only = parse_at(item["at"], tz)
        attributes = {k: v for k, v in item.items() if k not in ("id", "type", "at")}
        rows.append(
            Event(
                case=case,
                key=item["id"],
                type=item["type"],
                at=instant,
                utc_offset_minutes=offset,
                date_only=date_only,
                attributes=attributes,
                author=user,
                source=source,
            )
        )
    Event.objects.bulk_create(rows)
    return case


def export_casefile(*, case: Case) -> dict[str, Any]:
    return casefile_for(case)


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
    """Add an event after validating the whole case file it would produce."""
    key = key or next_event_key(case)
    item = {"id": key, "type": type, "at": at, **attributes}
    load_casefile(casefile_for(case, extra_event=item))
    instant, offset, date_only = parse_at(at, case.tzinfo)
    event = Event.objects.create(
        case=case,
        key=key,
        type=type,
        at=instant,
        utc_offset_minutes=offset,
        date_only=date_only,
        attributes=attributes,
        author=user,
        source=source,
        note=note,
    )
    case.save(update_fields=["updated_at"])
    return event


@transaction.atomic
def update_event(
    *, event: Event, user: User | None, at: str, attributes: dict[str, Any], source: str, note: str
) -> Event:
    case = event.case
    item = {"id": event.key, "type": event.type, "at": at, **attributes}
    load_casefile(casefile_for(case, extra_event=item))
    event.at, event.utc_offset_minutes, event.date_only = parse_at(at, case.tzinfo)
    event.attributes = attributes
    event.source = source
    event.note = note
    event.save(update_fields=["at", "utc_offset_minutes", "date_only", "attributes", "source", "note", "updated_at"])
    case.save(update_fields=["updated_at"])
    return event


@transaction.atomic
def delete_event(*, event: Event, user: User | None) -> None:
    """Delete an event; refuses while other events refer to it."""
    case = event.case
    load_casefile(casefile_for(case, drop_key=event.key))
    event.delete()
    case.save(update_fields=["updated_at"])


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
    case = import_casefile(data=data, organisation=organisation, user=user, source="intake")
    if case.status != status:
        case.status = status
        case.save(update_fields=["status"])
    return case


@transaction.atomic
def set_team(*, case: Case, users: list[User], actor: User) -> None:
    keep = {u.pk for u in users}
    CaseMember.objects.filter(case=case).exclude(user_id__in=keep).delete()
    existing = set(CaseMember.objects.filter(case=case).values_list("user_id", flat=True))
    CaseMember.objects.bulk_create([CaseMember(case=case, user=u) for u in users if u.pk not in existing])

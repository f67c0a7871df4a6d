"""Cases, their timelines, what the engine derives from them, and the client: the case pages' twin.

Every case comes through refuge.cases.access (missing and forbidden both answer 404), every change
through refuge.cases.actions (validation, recomputation, alerts and audit as on the pages).
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any
from uuid import UUID

from django.conf import settings
from django.db.models import Prefetch
from django.http import Http404
from django.utils import timezone
from ninja import Body, Query, Router, Schema, Status
from ninja.errors import HttpError

from refuge.api.auth import caller, has_scope
from refuge.api.models import Scope
from refuge.api.problems import Problem
from refuge.api.schemas import (
    CaseDetail,
    CaseIn,
    CasePage,
    ConflictOut,
    DeadlineOut,
    EventChange,
    EventIn,
    EventOut,
    ForumsOut,
    PersonOut,
    StatusName,
)
from refuge.casefile.validate import load_casefile
from refuge.cases import access, actions
from refuge.cases.derived import CaseCheck
from refuge.cases.models import Case, CaseMember, Event, Person
from refuge.cases.recompute import packs
from refuge.cases.views.pages import ListFilters, filtered_cases
from refuge.rules import check as run_check

if TYPE_CHECKING:
    from django.http import HttpRequest

    from refuge.accounts.models import User

router = Router(tags=["cases"])
R, W, ID = Scope.READ.value, Scope.WRITE.value, Scope.IDENTITY.value


def problems(ok: dict[int, Any], *extra: int) -> dict[int, Any]:
    """The operation's answers: its own, and the problems every operation may answer."""
    codes = {400, 401, 403, 404, 422, 429, 503, *extra}  # 503: the vault is sealed
    return {**ok, **dict.fromkeys(sorted(codes), Problem)}


def _summary(case: Case) -> dict[str, Any]:
    person = getattr(case, "person", None) if _has_person(case) else None
    return {
        "code": case.code,
        "reference": case.reference,
        "status": case.status,
        "host_state": case.host_state,
        "timezone": case.timezone,
        "nationality": (person.nationality or None) if person else None,
        "stateless": bool(person.stateless) if person else False,
        "updated_at": case.updated_at,
        "team": [{"code": m.user.code, "username": m.user.username} for m in case.members.all()],
    }


def _has_person(case: Case) -> bool:
    try:
        case.person  # noqa: B018  # the reverse one-to-one raises when there is none
    except Person.DoesNotExist:
        return False
    return True


def event_out(event: Event, *, identity: bool) -> dict[str, Any]:
    return {
        "code": event.code,
        "key": event.key,
        "type": event.type,
        "label": event.label,
        "at": event.at_iso(),
        "date_only": event.date_only,
        "attributes": event.attributes,
        "source": event.source,
        "note": event.note if identity else None,
    }


def _sees_identity(request: HttpRequest, user: User, case: Case) -> bool:
    return has_scope(request, ID) and access.can_see_identity(user, case)


def _detail(request: HttpRequest, user: User, case: Case) -> dict[str, Any]:
    case = (
        access.cases_for_user(user)
        .select_related("person")
        .prefetch_related(Prefetch("members", queryset=CaseMember.objects.select_related("user")))
        .get(pk=case.pk)
    )
    identity = _sees_identity(request, user, case)
    events = list(case.events.all())
    if identity and any(e.note for e in events):
        actions.record_reveal(user=user, case=case, fields=["note"], via="api", request=request)
    return {
        **_summary(case),
        "languages": list(case.person.languages) if _has_person(case) else [],
        "created_at": case.created_at,
        "can_write": access.can_write(user, case),
        "events": [event_out(e, identity=identity) for e in events],
    }


class CaseFilters(Schema):
    status: StatusName | None = None
    host_state: str | None = None
    nationality: str | None = None
    member: UUID | None = None
    sort: str = "-updated"
    page: int = 1


@router.get("/cases", response=problems({200: CasePage}), operation_id="case_list", url_name="case_list")
def case_list(request: HttpRequest, filters: Query[CaseFilters]) -> dict[str, Any]:
    """The cases the caller may see, filtered and sorted as on the case list page."""
    user = caller(request, R)
    access.require_case_reader(user)  # a filtered list would undo the statistics' suppression (issue 14)
    f = ListFilters.parse({k: "" if v is None else str(v) for k, v in filters.dict().items()})
    size = settings.REFUGE_PAGE_SIZE
    start = (f.page - 1) * size
    rows = list(
        filtered_cases(user, f)
        .select_related("person")
        .prefetch_related(Prefetch("members", queryset=CaseMember.objects.select_related("user")))[
            start : start + size + 1
        ]
    )
    return {"items": [_summary(c) for c in rows[:size]], "page": f.page, "has_next": len(rows) > size}


@router.post("/cases", response=problems({201: CaseDetail}), operation_id="case_create", url_name="case_create")
def case_create(request: HttpRequest, payload: CaseIn) -> Status[Any]:
    """Open a case (the intake): the client's facts and first events, validated as one case file."""
    user = caller(request, W)
    member = access.require_writer(user)
    person = payload.person.dict(exclude_none=True)
    if person.get("birth_date"):
        person["birth_date"] = person["birth_date"].isoformat()
    person["names"] = [{k: v for k, v in n.items() if v is not None} for n in person.get("names", [])]
    case = actions.create_case(
        organisation=member.organisation,
        user=user,
        reference=payload.reference,
        host_state=payload.host_state,
        timezone=payload.timezone,
        status=payload.status,
        person=person,
        events=[{"id": e.id, "type": e.type, "at": e.at, **e.attributes} for e in payload.events],
    )
    return Status(201, _detail(request, user, case))


@router.post("/cases/import", response=problems({201: CaseDetail}), operation_id="case_import", url_name="case_import")
def case_import(request: HttpRequest, payload: Body[dict[str, Any]]) -> Status[Any]:
    """Create a case from a whole case file (`refuge.case/1`); nothing is stored unless all of it is valid."""
    user = caller(request, W)
    member = access.require_writer(user)
    case = actions.import_casefile(data=payload, organisation=member.organisation, user=user, source="api")
    return Status(201, _detail(request, user, case))


@router.get(
    "/cases/{uuid:code}", response=problems({200: CaseDetail}), operation_id="case_detail", url_name="case_detail"
)
def case_detail(request: HttpRequest, code: UUID) -> dict[str, Any]:
    user = caller(request, R)
    return _detail(request, user, access.get_case_for_user(user, code))


@router.get(
    "/cases/{uuid:code}/export",
    response=problems({200: dict[str, Any]}),
    operation_id="case_export",
    url_name="case_export",
)
def case_export(request: HttpRequest, code: UUID) -> dict[str, Any]:
    """The case file with the client's identity: the identity scope, never an analyst; audited as an export."""
    user = caller(request, R, ID)
    case = access.get_case_for_user(user, code)
    if not access.can_see_identity(user, case):
        raise Http404("No such case")
    return actions.export_case(case=case, actor=user, via="api")


@router.get(
    "/cases/{uuid:code}/person",
    response=problems({200: PersonOut}),
    operation_id="person_detail",
    url_name="person_detail",
)
def person_detail(request: HttpRequest, code: UUID) -> dict[str, Any]:
    """The client: facts for every reader; names and birth date with the identity scope, audited as a reveal."""
    user = caller(request, R)
    case = access.get_case_for_user(user, code)
    person = Person.objects.filter(case=case).first()
    if person is None:
        return {"nationality": None, "stateless": False, "languages": [], "identity": None}
    identity = None
    if _sees_identity(request, user, case):
        actions.record_reveal(user=user, case=case, fields=["names", "birth_date"], via="api", request=request)
        identity = {"names": [dict(n) for n in person.names], "birth_date": person.birth_date}
    return {
        "nationality": person.nationality or None,
        "stateless": person.stateless,
        "languages": list(person.languages),
        "identity": identity,
    }


@router.get(
    "/cases/{uuid:code}/events",
    response=problems({200: list[EventOut]}),
    operation_id="event_list",
    url_name="event_list",
)
def event_list(request: HttpRequest, code: UUID) -> list[dict[str, Any]]:
    user = caller(request, R)
    case = access.get_case_for_user(user, code)
    identity = _sees_identity(request, user, case)
    events = list(case.events.all())
    if identity and any(e.note for e in events):
        actions.record_reveal(user=user, case=case, fields=["note"], via="api", request=request)
    return [event_out(e, identity=identity) for e in events]


@router.post(
    "/cases/{uuid:code}/events", response=problems({201: EventOut}), operation_id="event_add", url_name="event_add"
)
def event_add(request: HttpRequest, code: UUID, payload: EventIn) -> Status[Any]:
    """Add an event through the page's action: the whole case file is validated, then recomputed and alerted."""
    user = caller(request, W)
    case = access.get_case_for_user(user, code, write=True)
    event = actions.record_event(
        case=case,
        user=user,
        type=payload.type,
        at=payload.at,
        attributes=payload.attributes,
        source=payload.source,
        note=payload.note,
    )
    return Status(201, event_out(event, identity=_sees_identity(request, user, case)))


@router.get(
    "/cases/{uuid:code}/events/{uuid:event_code}",
    response=problems({200: EventOut}),
    operation_id="event_detail",
    url_name="event_detail",
)
def event_detail(request: HttpRequest, code: UUID, event_code: UUID) -> dict[str, Any]:
    user = caller(request, R)
    event = access.get_event_for_user(user, code, event_code)
    identity = _sees_identity(request, user, event.case)
    if identity and event.note:
        actions.record_reveal(user=user, case=event.case, fields=["note"], via="api", request=request)
    return event_out(event, identity=identity)


@router.put(
    "/cases/{uuid:code}/events/{uuid:event_code}",
    response=problems({200: EventOut}),
    operation_id="event_edit",
    url_name="event_edit",
)
def event_edit(request: HttpRequest, code: UUID, event_code: UUID, payload: EventChange) -> dict[str, Any]:
    """Change an event's time, attributes, source and note (its type stays)."""
    user = caller(request, W)
    event = access.get_event_for_user(user, code, event_code, write=True)
    event = actions.update_event(
        event=event, user=user, at=payload.at, attributes=payload.attributes, source=payload.source, note=payload.note
    )
    return event_out(event, identity=_sees_identity(request, user, event.case))


@router.delete(
    "/cases/{uuid:code}/events/{uuid:event_code}",
    response=problems({204: None}),
    operation_id="event_delete",
    url_name="event_delete",
)
def event_delete(request: HttpRequest, code: UUID, event_code: UUID) -> Status[Any]:
    """Delete an event; refused (422, with the paths of the events referring to it) while others refer to it."""
    user = caller(request, W)
    event = access.get_event_for_user(user, code, event_code, write=True)
    actions.delete_event(event=event, user=user)
    return Status(204, None)


def _deadline(d: Any) -> dict[str, Any]:
    return {
        **{k: getattr(d, k) for k in ("key", "kind", "rule", "trigger", "due_date", "due_at", "timezone")},
        **{k: getattr(d, k) for k in ("status", "met_by", "severity", "basis", "verified", "safe_due_date")},
        "flags": list(d.flags),
        "unconfirmed_years": [int(y) for y in d.unconfirmed_years.split()],
    }


@router.get(
    "/cases/{uuid:code}/deadlines",
    response=problems({200: list[DeadlineOut]}),
    operation_id="deadline_list",
    url_name="deadline_list",
)
def deadline_list(request: HttpRequest, code: UUID) -> list[dict[str, Any]]:
    """The deadlines the rule packs derive from the timeline, as last recomputed."""
    user = caller(request, R)
    case = access.get_case_for_user(user, code)
    return [_deadline(d) for d in case.deadlines.all()]


@router.get(
    "/cases/{uuid:code}/conflicts",
    response=problems({200: list[ConflictOut]}),
    operation_id="conflict_list",
    url_name="conflict_list",
)
def conflict_list(request: HttpRequest, code: UUID) -> list[Any]:
    user = caller(request, R)
    case = access.get_case_for_user(user, code)
    return list(case.conflicts.all())


@router.get(
    "/cases/{uuid:code}/forums", response=problems({200: ForumsOut}), operation_id="forum_list", url_name="forum_list"
)
def forum_list(request: HttpRequest, code: UUID) -> dict[str, Any]:
    """Which international bodies are open to the case, and why, from its last check."""
    user = caller(request, R)
    case = access.get_case_for_user(user, code)
    last = CaseCheck.objects.filter(case=case).only("report", "computed_at").first()
    if last is None:
        return {"checked_at": None, "forums": []}
    return {"checked_at": last.computed_at, "forums": list(last.report.get("forums", []))}


@router.post("/check", response=problems({200: dict[str, Any]}), operation_id="check", url_name="check")
def check(request: HttpRequest, payload: Body[dict[str, Any]], today: date | None = None) -> dict[str, Any]:
    """Check a posted case file against the rule packs (`refuge.check/1` report); nothing is stored."""
    caller(request, R)
    doc = load_casefile(payload)
    if today is None:
        today = timezone.now().date()
    if not date(1900, 1, 1) <= today <= date(2200, 1, 1):
        raise HttpError(422, "today is out of range")
    return run_check(doc, today=today, packs=packs())

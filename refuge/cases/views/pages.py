"""Dashboard, case list, intake and the case page."""

from __future__ import annotations

import uuid
import zoneinfo
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db.models import prefetch_related_objects
from django.http import QueryDict
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from refuge.accounts.models import Role
from refuge.casefile.validate import CaseFileError
from refuge.cases import access, actions
from refuge.cases.derived import CaseCheck, Conflict, Deadline
from refuge.cases.forms.common import add_problems, timezone_names
from refuge.cases.forms.events import EventForm
from refuge.cases.forms.people import INTAKE_SECTIONS, IntakeForm, NameFormSet
from refuge.cases.models import QUIET_STATUSES, Case, CaseMember, CaseStatus, Document, Event, Person, Proceeding
from refuge.cases.protection import removal_views, unprotecting_events
from refuge.cases.removals import next_removal, removals_of, upcoming
from refuge.cases.urgent import urgent_items
from refuge.cases.views._common import INVALID, has_errors, page
from refuge.lib import countries
from refuge.lib.prepared import Prepared
from refuge.vault.fields import open_fields

if TYPE_CHECKING:
    from django.db.models import QuerySet
    from django.http import HttpResponse

    from refuge.accounts.requests import AuthenticatedRequest
    from refuge.cases.models import Case

# The case page's reads of one case's rows, compiled once per connection (refuge.lib.prepared).
CASE_EVENTS = Prepared(lambda case_id: Event.objects.filter(case_id=case_id), parent="case")
CASE_PROCEEDINGS = Prepared(
    lambda case_id: Proceeding.objects.filter(case_id=case_id).select_related("authority"), parent="case"
)
CASE_TEAM = Prepared(
    lambda case_id: CaseMember.objects.filter(case_id=case_id).select_related("user").order_by("user__username"),
    parent="case",
)
CASE_DOCUMENTS = Prepared(lambda case_id: Document.objects.filter(case_id=case_id), parent="case")
CASE_DEADLINES = Prepared(lambda case_id: Deadline.objects.filter(case_id=case_id), parent="case")
CASE_CONFLICTS = Prepared(lambda case_id: Conflict.objects.filter(case_id=case_id), parent="case")

LATEST_EVENTS = 15
# What the dashboard's feed shows of an event: its case (the dashboard's row of it), label and instant.
LATEST_EVENT_FIELDS = ("code", "case", "key", "type", "at", "utc_offset_minutes", "date_only", "created_at")
MY_CASES = 12
# What a row of the case list and of the dashboard shows of a case (refuge_rows).
CASE_ROW_FIELDS = (
    "code",
    "reference",
    "status",
    "host_state",
    "timezone",
    "updated_at",
    "person__nationality",
    "person__stateless",
)
RECENT_CASES = 50

# Sort orders of the case list, each a walk of an index on (organisation, …) that stops at the
# page: the tie-breaker follows the index's implicit rowid (ascending under "-updated_at").
SORTS: dict[str, tuple[str, ...]] = {
    "-updated": ("-updated_at", "id"),
    "updated": ("updated_at", "-id"),
    "reference": ("reference",),
    "-reference": ("-reference",),
    # "urgent" > "open" > "dormant" > "closed": descending is the order of urgency.
    "status": ("-status", "-updated_at", "id"),
    "-status": ("status", "-updated_at", "id"),
}
SORT_LABELS = {
    "-updated": gettext_lazy("Recently updated"),
    "updated": gettext_lazy("Least recently updated"),
    "reference": gettext_lazy("Reference A–Z"),
    "-reference": gettext_lazy("Reference Z–A"),
    "status": gettext_lazy("Status, urgent first"),
    "-status": gettext_lazy("Status, closed first"),
}


@require_GET
@login_required
def dashboard(request: AuthenticatedRequest) -> HttpResponse:
    member = request.user.membership()
    if member is not None and not access.reads_cases(member):
        return redirect("stats_page")  # an analyst's home: the statistics, the one thing they see
    visible = access.listed_cases(request.user)
    # The most recently updated cases: the first few are "my cases", and the latest events are
    # theirs: every event change touches its case, so the newest events are there, and the query
    # reads a bounded number of rows whatever the organisation's size (an admin sees 70,000 cases;
    # a scan of all their events is seconds).
    newest = list(visible.select_related("person").only(*CASE_ROW_FIELDS).order_by(*SORTS["-updated"])[:RECENT_CASES])
    my_cases = newest[:MY_CASES]
    recent = [case.pk for case in newest]
    latest = list(
        Event.objects.filter(case_id__in=recent)
        .only(*LATEST_EVENT_FIELDS)  # not the notes, attributes and ciphertexts the feed does not show
        .order_by("-created_at", "-id")[:LATEST_EVENTS]
    )
    cases = {case.pk: case for case in newest}
    for event in latest:
        event.case = cases[event.case_id]  # read just above, with what the feed shows of it
    context = {
        "my_cases": my_cases,
        "latest_events": latest,
        "urgent_items": urgent_items(request.user, now=timezone.now()),
        "now": timezone.now(),
        "can_create": _can_create(request),
    }
    return page(request, "cases/dashboard.html", context)


def _can_create(request: AuthenticatedRequest) -> bool:
    member = request.user.membership()
    return member is not None and not member.is_analyst


@dataclass
class ListFilters:
    status: str = ""
    host_state: str = ""
    nationality: str = ""
    member: str = ""
    sort: str = "-updated"
    page: int = 1
    unknown: tuple[str, ...] = ()  # filters naming no country: refused, not guessed

    @classmethod
    def parse(cls, query: Any) -> ListFilters:
        f = cls()
        status = query.get("status", "")
        f.status = status if status in CaseStatus.values else ""
        unknown = []
        for name in ("host_state", "nationality"):
            typed = query.get(name, "").strip()[:64]
            code = countries.resolve(typed) if typed else ""
            if code is None:
                unknown.append(name)
            setattr(f, name, code or "")
        f.unknown = tuple(unknown)
        try:
            f.member = str(uuid.UUID(query.get("member", "").strip()))
        except ValueError:
            f.member = ""
        sort = query.get("sort", "-updated")
        f.sort = sort if sort in SORTS else "-updated"
        try:
            f.page = max(1, min(int(query.get("page", "1")), 100_000))
        except ValueError:
            f.page = 1
        return f

    def query(self, **changes: Any) -> str:
        """The list's query string with some values changed (for sort links and pages)."""
        values = {k: getattr(self, k) for k in ("status", "host_state", "nationality", "member", "sort", "page")}
        values.update(changes)
        q = QueryDict(mutable=True)
        for key, value in values.items():
            if value and not (key == "page" and value == 1) and not (key == "sort" and value == "-updated"):
                q[key] = str(value)
        return q.urlencode()

    @property
    def active(self) -> bool:
        return bool(self.status or self.host_state or self.nationality or self.member or self.unknown)


def filtered_cases(user: Any, f: ListFilters) -> QuerySet[Case]:
    """The cases the user may see that pass the list's filters (the page's and the API's), in its order."""
    cases = access.listed_cases(user)
    if f.status:
        cases = cases.filter(status=f.status)
    if f.unknown:
        cases = cases.none()
    if f.host_state:
        cases = cases.filter(host_state=f.host_state)
    if f.nationality:
        cases = cases.filter(person__nationality=f.nationality)
    if f.member:
        # Driven from the member's rows (index on user, case), not by probing every case.
        cases = cases.filter(pk__in=CaseMember.objects.filter(user__code=f.member).values("case_id"))
    return cases.order_by(*SORTS[f.sort])


@require_GET
@login_required
def case_list(request: AuthenticatedRequest) -> HttpResponse:
    # Not even an empty list for an analyst: a filtered case list would undo the statistics' suppression.
    member = access.require_case_reader(request.user)
    f = ListFilters.parse(request.GET)
    cases = filtered_cases(request.user, f)
    size = settings.REFUGE_PAGE_SIZE
    start = (f.page - 1) * size
    # No COUNT: a count over 100,000 filtered rows costs more than the page. One row more than
    # a page says whether there is a next page.
    rows = list(cases.select_related("person").only(*CASE_ROW_FIELDS)[start : start + size + 1])
    has_next = len(rows) > size
    rows = rows[:size]
    # The teams' names as pairs of values, not a hundred member and user instances.
    teams: dict[int, list[str]] = {}
    members = CaseMember.objects.filter(case_id__in=[row.pk for row in rows]).order_by("user__username")
    for case_id, username in members.values_list("case_id", "user__username"):
        teams.setdefault(case_id, []).append(username)
    for row in rows:
        row.team_names = teams.get(row.pk, [])  # type: ignore[attr-defined]  # read by the template
    now = timezone.now()
    live = [row.pk for row in rows if row.status not in QUIET_STATUSES]
    soonest = {r.case.pk: r for r in upcoming(live, now)} if live else {}
    for row in rows:
        row.next_removal = soonest.get(row.pk)  # type: ignore[attr-defined]  # read by the template
    # (code, username) pairs, not model instances: a large organisation has a thousand people. Someone
    # who sees only their own cases is offered only the people on those cases' teams: filtering by
    # anyone else finds nothing they may see (an admin sees every case, so everyone is offered).
    people: Iterable[tuple[uuid.UUID, str]]
    if member.role == Role.ADMIN:
        people = member.organisation.memberships.order_by("user__username").values_list("user__code", "user__username")
    else:
        own = CaseMember.objects.filter(user_id=request.user.pk).values("case_id")
        people = (
            CaseMember.objects.filter(case_id__in=own, case__organisation_id=member.organisation_id)
            .order_by("user__username")
            .values_list("user__code", "user__username")
            .distinct()
        )
    people_offered = [(str(code), name) for code, name in people]
    if f.member and f.member not in {code for code, _name in people_offered}:
        # A member chosen elsewhere (a shared link): still shown as the filter in force.
        chosen = member.organisation.memberships.filter(user__code=f.member)
        people_offered += [(str(code), name) for code, name in chosen.values_list("user__code", "user__username")]
    context = {
        "cases": rows,
        "filters": f,
        "statuses": CaseStatus.choices,
        "people": people_offered,
        "sort_labels": SORT_LABELS,
        "first_row": start + 1,
        "last_row": start + len(rows),
        "has_next": has_next,
        "has_previous": f.page > 1,
        "now": now,
        "next_query": f.query(page=f.page + 1),
        "previous_query": f.query(page=f.page - 1),
    }
    return page(request, "cases/case_list.html", context)


@require_http_methods(["GET", "POST"])
@login_required
def case_new(request: AuthenticatedRequest) -> HttpResponse:
    member = access.require_writer(request.user)
    today = timezone.now().date()
    if request.method == "POST":
        form = IntakeForm(request.POST, today=today)
        names = NameFormSet(request.POST, prefix="names")
        if form.is_valid() and names.is_valid():
            form.today = timezone.now().astimezone(zoneinfo.ZoneInfo(form.zone_name)).date()
            try:
                case = actions.create_case(
                    organisation=member.organisation,
                    user=request.user,
                    reference=form.cleaned_data["reference"],
                    host_state=form.cleaned_data["host_state"],
                    timezone=form.cleaned_data["timezone"] or None,  # None: the host state's default
                    status=form.cleaned_data["status"],
                    person=form.person(names.names()),
                    events=form.events(),
                )
            except CaseFileError as exc:
                add_problems(form, exc.problems, field_for=form.field_for)
            else:
                return redirect(case)
    else:
        form = IntakeForm(today=today)
        names = NameFormSet(prefix="names")
    context = {
        "form": form,
        "names": names,
        "sections": [(key, label, form.section_fields(key)) for key, _type, label in INTAKE_SECTIONS],
        "timezones": timezone_names(),
    }
    return page(request, "cases/case_new.html", context, status=INVALID if has_errors(form, names) else 200)


def case_context(
    request: AuthenticatedRequest, case: Any, *, team_rows: list[CaseMember] | None = None, **extra: Any
) -> dict[str, Any]:
    """What the case page and its timeline fragment show.

    `team_rows`: the case's team as the page has read it (then whether the user may write needs no query)."""
    user = request.user
    events = CASE_EVENTS.read(case.pk, case)  # case.events.all()
    open_fields(events)  # the timeline shows each one's source, note and text attributes: one cipher
    can_write = access.can_write(user, case, team_rows)
    identity = access.can_see_identity(user, case)
    context: dict[str, Any] = {
        "case": case,
        "events": events,
        "events_by_key": {e.key: e for e in events},
        "can_write": can_write,
        "can_see_identity": identity,
    }
    last = _last_check(case)
    context["last_check"] = last
    context["unprotecting"] = unprotecting_events(last.report if last else None, context["events_by_key"])
    if can_write and "add_form" not in extra and extra.get("focus") == "add":
        # Right after an event was added, the form again for the next one; otherwise the page shows a
        # link that fetches the form when asked for (htmx), or opens it as a page without JavaScript.
        context["add_form"] = EventForm(case=case, case_events=events, prefix="new")
        context["add_form"].set_focus()
    context.update(extra)
    return context


def _last_check(case: Case) -> CaseCheck | None:
    """The case's last check: read with the case (the case page), else here."""
    if Case.last_check.is_cached(case):
        try:
            return case.last_check
        except CaseCheck.DoesNotExist:
            return None
    return CaseCheck.objects.filter(case=case).only("report", "computed_at").first()


@require_GET
@login_required
def case_detail(request: AuthenticatedRequest, code: str) -> HttpResponse:
    # The client and the last check in the case's own query; the team before the rest, as it says
    # whether the user may write.
    case = access.get_case_for_user(request.user, code, related=("person", "last_check"))
    team = CASE_TEAM.read(case.pk, case)
    context = case_context(request, case, team_rows=team)
    try:
        context["person"] = case.person  # kept on the case: the filings panel's timeline reads it too
    except Person.DoesNotExist:
        context["person"] = None
    context["proceedings"] = CASE_PROCEEDINGS.read(case.pk, case)
    context["team"] = team
    if context["can_see_identity"]:
        context["documents"] = CASE_DOCUMENTS.read(case.pk, case)
        prefetch_related_objects(context["documents"], "events")
        if context["person"] is not None:
            actions.record_reveal(user=request.user, case=case, via="case_page", request=request)
    context["deadlines"] = CASE_DEADLINES.read(case.pk, case)
    context["conflicts"] = CASE_CONFLICTS.read(case.pk, case)
    last = context["last_check"]
    context["removals"] = removal_views(last.report if last else None, context["deadlines"])
    if last is not None:
        context["milestones"] = last.report.get("milestones", [])
        context["forums"] = last.report.get("forums", [])
        context["checked_at"] = last.computed_at
    now = timezone.now()
    context["next_removal"] = next_removal(removals_of(case, last.report if last else None), now)
    context["now"] = now
    return page(request, "cases/case_detail.html", context)

"""Timeline events: add, edit and delete, inline with htmx or as whole pages without JavaScript.

With htmx a form answers with itself (errors, input kept) or, once saved, with the timeline
(HX-Retarget) and a status line for screen readers (out-of-band). Without JavaScript the same
URLs answer with whole pages and redirect after a change.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_http_methods

from refuge.casefile.validate import CaseFileError
from refuge.cases import access, actions
from refuge.cases.forms.common import add_problems, describe_problem
from refuge.cases.forms.events import EventForm
from refuge.cases.views._common import INVALID, is_htmx, page
from refuge.cases.views.pages import case_context

if TYPE_CHECKING:
    from django.http import HttpResponse

    from refuge.accounts.requests import AuthenticatedRequest
    from refuge.cases.models import Case, Event

ADD_PREFIX = "new"


def edit_prefix(event: Event) -> str:
    return f"ev-{event.code.hex[:12]}"


def _timeline(request: AuthenticatedRequest, case: Case, status_message: str, **extra: Any) -> HttpResponse:
    """The timeline fragment; `focus` says where keyboard focus lands: add, timeline or an event's code."""
    context = case_context(request, case, status_message=status_message, **extra)
    status = INVALID if extra.get("delete_error") else 200
    return page(request, "cases/_timeline.html", context, status=status, retarget="#timeline")


def _after_change(
    request: AuthenticatedRequest, case: Case, event: Event | None, message: str, *, focus: str
) -> HttpResponse:
    if is_htmx(request):
        return _timeline(request, case, message, focus=focus)
    messages.success(request, message)
    anchor = f"#event-{event.code}" if event is not None else "#timeline"
    return redirect(case.get_absolute_url() + anchor)


def _posted_initial(request: AuthenticatedRequest, prefix: str) -> dict[str, Any]:
    """The posted values as a fresh form's initial values (for "show the fields", no errors)."""
    start = f"{prefix}-"
    return {k.removeprefix(start): v for k, v in request.POST.items() if k.startswith(start)}


@require_http_methods(["GET", "POST"])
@login_required
def event_add(request: AuthenticatedRequest, code: str) -> HttpResponse:
    case = access.get_case_for_user(request.user, code, write=True)
    if request.method == "POST" and "_fields" in request.POST:
        # Without JavaScript: the type was chosen, show its fields and keep what was typed.
        form = EventForm(case=case, prefix=ADD_PREFIX, initial=_posted_initial(request, ADD_PREFIX))
    elif request.method == "POST":
        form = EventForm(request.POST, case=case, prefix=ADD_PREFIX)
        if form.is_valid():
            key = actions.next_event_key(case)
            try:
                event = actions.record_event(
                    case=case,
                    user=request.user,
                    type=form.event_type,
                    at=form.at_value(),
                    attributes=form.attributes(),
                    source=form.cleaned_data["source"],
                    note=form.cleaned_data["note"],
                    key=key,
                )
            except CaseFileError as exc:
                add_problems(
                    form,
                    exc.problems,
                    event_keys=form.event_keys_for_problems(key),
                    event_types={**form.event_types(), key: form.event_type},
                )
            else:
                added = gettext("Event %(key)s (%(label)s) added.") % {"key": event.key, "label": event.label}
                return _after_change(request, case, event, added, focus="add")
    else:
        form = EventForm(case=case, prefix=ADD_PREFIX, event_type=request.GET.get("type", ""))
    context = {"case": case, "form": form, "mode": "add"}
    status = INVALID if form.is_bound and form.errors else 200
    form.set_focus()
    return page(request, "cases/event_form.html", context, fragment="cases/_event_add.html", status=status)


@require_GET
@login_required
def event_fields(request: AuthenticatedRequest, code: str) -> HttpResponse:
    """The fields of the chosen event type, for the add form (htmx swaps them in)."""
    case = access.get_case_for_user(request.user, code, write=True)
    event_type = request.GET.get(f"{ADD_PREFIX}-type", "") or request.GET.get("type", "")
    form = EventForm(case=case, prefix=ADD_PREFIX, event_type=event_type)
    return page(request, "cases/_event_attrs.html", {"case": case, "form": form})


@require_http_methods(["GET", "POST"])
@login_required
def event_edit(request: AuthenticatedRequest, code: str, event_code: str) -> HttpResponse:
    event = access.get_event_for_user(request.user, code, event_code, write=True)
    case = event.case
    prefix = edit_prefix(event)
    if request.method == "POST":
        form = EventForm(request.POST, case=case, event=event, prefix=prefix)
        if form.is_valid():
            try:
                actions.update_event(
                    event=event,
                    user=request.user,
                    at=form.at_value(),
                    attributes=form.attributes(),
                    source=form.cleaned_data["source"],
                    note=form.cleaned_data["note"],
                )
            except CaseFileError as exc:
                add_problems(
                    form,
                    exc.problems,
                    event_keys=form.event_keys_for_problems(event.key),
                    event_types=form.event_types(),
                )
            else:
                message = gettext("Event %(key)s (%(label)s) saved.") % {"key": event.key, "label": event.label}
                return _after_change(request, case, event, message, focus=str(event.code))
    else:
        form = EventForm(case=case, event=event, prefix=prefix)
    context = {
        "case": case,
        "event": event,
        "form": form,
        "mode": "edit",
        "can_see_identity": access.can_see_identity(request.user, case),
    }
    status = INVALID if form.is_bound and form.errors else 200
    form.set_focus()
    return page(request, "cases/event_form.html", context, fragment="cases/_event_edit.html", status=status)


@require_http_methods(["GET", "POST"])
@login_required
def event_delete(request: AuthenticatedRequest, code: str, event_code: str) -> HttpResponse:
    event = access.get_event_for_user(request.user, code, event_code, write=True)
    case = event.case
    problems: list[str] = []
    if request.method == "POST":
        label = gettext("Event %(key)s (%(label)s) deleted.") % {"key": event.key, "label": event.label}
        try:
            actions.delete_event(event=event, user=request.user)
        except CaseFileError as exc:
            others = [e for e in case.events.all() if e.pk != event.pk]
            keys = [e.key for e in others]
            types = {e.key: e.type for e in others}
            problems = [describe_problem(p, event_keys=keys, event_types=types) for p in exc.problems]
            if is_htmx(request):
                return _timeline(
                    request,
                    case,
                    gettext("Event %(key)s was not deleted.") % {"key": event.key},
                    delete_error={"code": event.code, "problems": problems},
                    focus=str(event.code),
                )
        else:
            return _after_change(request, case, None, label, focus="timeline")
    context = {"case": case, "event": event, "problems": problems}
    return page(request, "cases/event_delete.html", context, status=INVALID if problems else 200)

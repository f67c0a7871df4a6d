"""The client's record, the proceedings and the team of a case."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from refuge.accounts.decorators import require_recent_auth
from refuge.casefile.validate import CaseFileError
from refuge.cases import access, actions
from refuge.cases.forms.common import add_problems
from refuge.cases.forms.people import NameFormSet, PersonForm, person_field_for
from refuge.cases.forms.records import ProceedingForm, TeamForm
from refuge.cases.models import Case, Person, Proceeding
from refuge.cases.views._common import INVALID, has_errors, page

if TYPE_CHECKING:
    from refuge.accounts.requests import AuthenticatedRequest


@require_http_methods(["GET", "POST"])
@login_required
def person_edit(request: AuthenticatedRequest, code: str) -> HttpResponse:
    # Writers may always see identity (analysts never write), so the form can show it.
    case = access.get_case_for_user(request.user, code, write=True)
    person = Person.objects.filter(case=case).first()
    if request.method == "POST":
        form = PersonForm(request.POST)
        names = NameFormSet(request.POST, prefix="names")
        if form.is_valid() and names.is_valid():
            d = form.cleaned_data
            try:
                actions.update_person(
                    case=case,
                    user=request.user,
                    nationality=d["nationality"],
                    stateless=d["stateless"],
                    languages=d["languages"],
                    names=names.names(),
                    birth_date=d["birth_date"],
                    contact_notes=d["contact_notes"],
                    location_notes=d["location_notes"],
                    document_numbers=form.document_number_list(),
                )
            except CaseFileError as exc:
                add_problems(form, exc.problems, field_for=person_field_for)
            else:
                messages.success(request, _("Client record saved."))
                return redirect(case.get_absolute_url() + "#person")
    else:
        form = PersonForm(initial=PersonForm.initial_for(person))
        names = NameFormSet(prefix="names", initial=list(person.names) if person else [])
        if person is not None:
            actions.record_reveal(user=request.user, case=case, via="person_form", request=request)
    context = {"case": case, "form": form, "names": names}
    return page(request, "cases/person_form.html", context, status=INVALID if has_errors(form, names) else 200)


@require_http_methods(["GET", "POST"])
@login_required
def proceeding_add(request: AuthenticatedRequest, code: str) -> HttpResponse:
    case = access.get_case_for_user(request.user, code, write=True)
    return _proceeding_form(request, case, None)


@require_http_methods(["GET", "POST"])
@login_required
def proceeding_edit(request: AuthenticatedRequest, code: str, proceeding_code: str) -> HttpResponse:
    proceeding = access.get_proceeding_for_user(request.user, code, proceeding_code, write=True)
    return _proceeding_form(request, proceeding.case, proceeding)


def _proceeding_form(request: AuthenticatedRequest, case: Case, proceeding: Proceeding | None) -> HttpResponse:
    """The proceeding form of a case, new (`proceeding` None) or to change one; saved when valid."""
    authorities = access.authorities_for_user(request.user)
    # A new proceeding's form stays unbound on an empty POST, as it always has.
    posted = request.method == "POST" and (proceeding is not None or bool(request.POST))
    if posted:
        form = ProceedingForm(request.POST, authorities=authorities)
    else:
        initial = None if proceeding is None else ProceedingForm.initial_for(proceeding)
        form = ProceedingForm(initial=initial, authorities=authorities)
    if posted and form.is_valid():
        actions.save_proceeding(case=case, user=request.user, proceeding=proceeding, **form.cleaned_data)
        messages.success(request, _("Proceeding added.") if proceeding is None else _("Proceeding saved."))
        return redirect(case.get_absolute_url() + "#proceedings")
    context = {"case": case, "form": form, "proceeding": proceeding}
    return page(request, "cases/proceeding_form.html", context, status=INVALID if form.errors else 200)


@require_http_methods(["GET", "POST"])
@login_required
def proceeding_delete(request: AuthenticatedRequest, code: str, proceeding_code: str) -> HttpResponse:
    proceeding = access.get_proceeding_for_user(request.user, code, proceeding_code, write=True)
    case = proceeding.case
    if request.method == "POST":
        actions.delete_proceeding(proceeding=proceeding, user=request.user)
        messages.success(request, _("Proceeding deleted."))
        return redirect(case.get_absolute_url() + "#proceedings")
    return page(request, "cases/proceeding_delete.html", {"case": case, "proceeding": proceeding})


@require_http_methods(["GET", "POST"])
@login_required
def case_team(request: AuthenticatedRequest, code: str) -> HttpResponse:
    """Who works on the case. Everyone who sees the case sees its team; writers change it."""
    write = request.method == "POST"
    case = access.get_case_for_user(request.user, code, write=write)
    can_write = write or access.can_write(request.user, case)
    candidates = access.team_candidates(case)
    current = list(case.members.select_related("user").order_by("user__username"))
    form = None
    if can_write:
        if write:
            form = TeamForm(request.POST, candidates=candidates)
            if form.is_valid():
                actions.set_team(case=case, users=list(form.cleaned_data["members"]), actor=request.user)
                messages.success(request, _("Team saved."))
                if access.cases_for_user(request.user).filter(pk=case.pk).exists():
                    return redirect("case_team", code=case.code)
                return redirect("dashboard")
        else:
            form = TeamForm(initial={"members": [m.user.code for m in current]}, candidates=candidates)
    context = {"case": case, "form": form, "team": current}
    return page(
        request, "cases/case_team.html", context, status=INVALID if form is not None and has_errors(form) else 200
    )


@require_http_methods(["GET", "POST"])
@login_required
def case_delete(request: AuthenticatedRequest, code: str) -> HttpResponse:
    """Admins only: delete a case and destroy its data key (after asking for the password again)."""
    case = access.get_case_for_user(request.user, code, write=True)
    if not access.is_org_admin(request.user):
        raise Http404("No such case")
    return _case_delete_confirmed(request, case)


@require_recent_auth
def _case_delete_confirmed(request: AuthenticatedRequest, case: Case) -> HttpResponse:
    error = ""
    if request.method == "POST":
        try:
            actions.delete_case(case=case, actor=request.user, confirm_reference=request.POST.get("reference", ""))
        except ValueError as exc:
            error = str(exc)
        else:
            messages.success(request, _("Case deleted; its data key is destroyed."))
            return redirect("case_list")
    return page(request, "cases/case_delete.html", {"case": case, "error": error}, status=INVALID if error else 200)


@require_GET
@login_required
def case_export(request: AuthenticatedRequest, code: str) -> HttpResponse:
    """Download the case file (refuge.case/1). It holds identity: never for analysts; re-authenticate."""
    case = access.get_case_for_user(request.user, code)
    if not access.can_see_identity(request.user, case):
        raise Http404("No such case")
    return _case_export_confirmed(request, case)


@require_recent_auth
def _case_export_confirmed(request: AuthenticatedRequest, case: Case) -> HttpResponse:
    data = actions.export_case(case=case, actor=request.user, via="case_page")
    response = HttpResponse(
        json.dumps(data, ensure_ascii=False, indent=2) + "\n", content_type="application/json; charset=utf-8"
    )
    # The reference is pseudonymous; the file name carries nothing else.
    safe = "".join(c if c.isalnum() or c in "-_" else "_" for c in case.reference)
    response["Content-Disposition"] = f'attachment; filename="{safe}.case.json"'
    return response

"""The organisation's directory of authorities: courts, agencies, international bodies."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from refuge.cases import access, actions
from refuge.cases.forms.records import AuthorityForm, ChannelFormSet
from refuge.cases.models import Authority
from refuge.cases.views._common import INVALID, has_errors, page

if TYPE_CHECKING:
    from django.http import HttpResponse

    from refuge.accounts.requests import AuthenticatedRequest


@require_GET
@login_required
def authority_list(request: AuthenticatedRequest) -> HttpResponse:
    access.require_case_reader(request.user)  # not analysts: the notes are free text about cases
    authorities = access.authorities_for_user(request.user).order_by("name")
    context = {"authorities": authorities, "can_write": True}
    return page(request, "cases/authority_list.html", context)


def _authority_form(request: AuthenticatedRequest, authority: Authority | None) -> HttpResponse:
    member = access.require_writer(request.user)
    if request.method == "POST":
        form = AuthorityForm(request.POST)
        channels = ChannelFormSet(request.POST, prefix="channels")
        form_ok, channels_ok = form.is_valid(), channels.is_valid()
        if form_ok:
            taken = access.authorities_for_user(request.user).filter(name=form.cleaned_data["name"].strip())
            if authority is not None:
                taken = taken.exclude(pk=authority.pk)
            if taken.exists():
                form.add_error("name", _("The directory already has an authority with this name."))
        if form_ok and channels_ok and not form.errors:
            saved = actions.save_authority(
                organisation=member.organisation,
                user=request.user,
                authority=authority,
                name=form.cleaned_data["name"].strip(),
                name_cyrillic=form.cleaned_data["name_cyrillic"].strip(),
                kind=form.cleaned_data["kind"],
                country=form.cleaned_data["country"],
                channels=channels.channels(),
                languages=form.cleaned_data["languages"],
                notes=form.cleaned_data["notes"],
            )
            messages.success(request, _("%(name)s saved.") % {"name": saved.name})
            return redirect("authority_list")
    elif authority is not None:
        form = AuthorityForm(initial=AuthorityForm.initial_for(authority))
        channels = ChannelFormSet(prefix="channels", initial=list(authority.channels))
    else:
        form = AuthorityForm()
        channels = ChannelFormSet(prefix="channels")
    context = {"form": form, "channels": channels, "authority": authority}
    status = INVALID if has_errors(form, channels) else 200
    return page(request, "cases/authority_form.html", context, status=status)


@require_http_methods(["GET", "POST"])
@login_required
def authority_new(request: AuthenticatedRequest) -> HttpResponse:
    return _authority_form(request, None)


@require_http_methods(["GET", "POST"])
@login_required
def authority_edit(request: AuthenticatedRequest, code: str) -> HttpResponse:
    authority = access.get_authority_for_user(request.user, code, write=True)
    return _authority_form(request, authority)

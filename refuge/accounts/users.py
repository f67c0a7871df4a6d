"""The organisation admin's user pages: who is there, and ending sessions, disabling, clearing throttles.

An admin sees and acts on the users of their own organisation only; any other code answers 404.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from refuge.accounts import actions, passkeys, sessions, twofactor
from refuge.accounts.decorators import require_recent_auth
from refuge.accounts.models import Membership, Role, User

if TYPE_CHECKING:
    from uuid import UUID


def _admin_membership(request: HttpRequest) -> Membership:
    user = request.user
    member = user.membership() if user.is_authenticated and user.is_active else None
    if member is None or member.role != Role.ADMIN:
        raise Http404("No such page")
    return member


def _target(request: HttpRequest, code: UUID) -> User:
    """A user of the admin's own organisation, by code; anyone else is missing."""
    member = _admin_membership(request)
    user = User.objects.filter(code=code, membership_row__organisation_id=member.organisation_id).first()
    if user is None:
        raise Http404("No such user")
    return user


def _row(user: User) -> dict[str, object]:
    return {
        "user": user,
        "member": user.membership(),
        "twofactor": twofactor.status(user),
        "slowed": actions.is_slowed(user.username),
        "session_count": sessions.live_count(user),
    }


@require_GET
@login_required
def user_list(request: HttpRequest) -> HttpResponse:
    member = _admin_membership(request)
    users = User.objects.filter(membership_row__organisation_id=member.organisation_id).order_by("username")
    context = {
        "rows": [_row(u) for u in users],
        "organisation": member.organisation,
        "passkeys_available": passkeys.available(),
        "operator": request.user.is_server_operator(),  # type: ignore[union-attr]  # login_required: a User
    }
    return render(request, "accounts/user_list.html", context)


@require_POST
@login_required
@require_recent_auth  # a stolen, still-open admin session cannot stop the organisation on its own
def organisation_lock_down(request: HttpRequest) -> HttpResponse:
    """End every session and feed of the admin's organisation, and suspend its logins; no other is touched."""
    member = _admin_membership(request)
    if request.POST.get("confirm") != "lock-down":
        messages.error(request, _("Tick the box to confirm the lock-down."))
        return HttpResponseRedirect(reverse("user_list"))
    actions.lock_down_organisation(organisation=member.organisation, actor=request.user)  # type: ignore[arg-type]
    return HttpResponseRedirect(reverse("login"))


@require_POST
@login_required
@require_recent_auth  # a stolen, still-open admin session cannot weaken the login of everyone
def organisation_passkeys(request: HttpRequest) -> HttpResponse:
    """The organisation's policy: passkeys required of admins and lawyers, and whether a TOTP code may stand in."""
    member = _admin_membership(request)
    required = request.POST.get("passkeys_required") == "on"
    fallback = request.POST.get("totp_fallback") == "on"
    try:
        changed = actions.set_passkey_policy(
            organisation=member.organisation,
            required=required,
            totp_fallback=fallback,
            actor=request.user,  # type: ignore[arg-type]  # login_required: a User
        )
    except passkeys.PasskeyError as exc:
        messages.error(request, _("%(reason)s The policy was not changed.") % {"reason": exc})
        return HttpResponseRedirect(reverse("user_list"))
    if not changed:
        messages.info(request, _("The passkey policy is unchanged."))
    elif required and fallback:
        messages.success(
            request,
            _("Admins and lawyers now need a passkey; who has none adds one at next login, "
              "and may still use a code from the app instead."),
        )
    elif required:
        messages.success(
            request,
            _("Admins and lawyers now need a passkey; who has none adds one at next login; "
              "codes from the app no longer do."),
        )
    else:
        messages.success(request, _("Passkeys are no longer required."))
    return HttpResponseRedirect(reverse("user_list"))


@require_GET
@login_required
def user_detail(request: HttpRequest, code: UUID) -> HttpResponse:
    user = _target(request, code)
    return render(request, "accounts/user_detail.html", {"row": _row(user), "is_self": user.pk == request.user.pk})


def _back(user: User) -> HttpResponse:
    return HttpResponseRedirect(reverse("user_detail", args=[user.code]))


@require_POST
@login_required
def user_end_sessions(request: HttpRequest, code: UUID) -> HttpResponse:
    user = _target(request, code)
    keep = request.session.session_key if user.pk == request.user.pk else None
    ended = actions.end_user_sessions(user=user, actor=request.user, keep=keep)  # type: ignore[arg-type]
    messages.success(
        request, _("%(count)s session(s) of %(username)s ended.") % {"count": ended, "username": user.username}
    )
    return _back(user)


@require_POST
@login_required
def user_disable(request: HttpRequest, code: UUID) -> HttpResponse:
    user = _target(request, code)
    if user.pk == request.user.pk:
        messages.error(request, _("You cannot disable your own account."))
        return _back(user)
    actions.set_active(user=user, active=False, actor=request.user)  # type: ignore[arg-type]
    messages.success(request, _("%(username)s is disabled; their sessions ended.") % {"username": user.username})
    return _back(user)


@require_POST
@login_required
def user_enable(request: HttpRequest, code: UUID) -> HttpResponse:
    user = _target(request, code)
    actions.set_active(user=user, active=True, actor=request.user)  # type: ignore[arg-type]
    messages.success(request, _("%(username)s is enabled.") % {"username": user.username})
    return _back(user)


@require_POST
@login_required
def user_unlock(request: HttpRequest, code: UUID) -> HttpResponse:
    user = _target(request, code)
    actions.unlock(username=user.username, actor=request.user)  # type: ignore[arg-type]
    messages.success(
        request, _("The failed logins counted for %(username)s are forgotten.") % {"username": user.username}
    )
    return _back(user)


@require_POST
@login_required
@require_recent_auth
def user_reset_2fa(request: HttpRequest, code: UUID) -> HttpResponse:
    user = _target(request, code)
    actions.reset_second_factor(user=user, actor=request.user)  # type: ignore[arg-type]
    messages.success(
        request, _("%(username)s's second factor was removed; they set up a new one at their next login.")
        % {"username": user.username}
    )
    return _back(user)

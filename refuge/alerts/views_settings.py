"""One's own alert settings (channels, digest, webhook and its key, calendar feeds) and, for
admins, the organisation's on-call rota and escalation time."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from refuge.accounts.models import User
from refuge.alerts import actions
from refuge.alerts.channels.webhook import signing_key
from refuge.alerts.feeds import feeds_of, may_have_feeds
from refuge.alerts.forms import AlertSettingsForm, EscalationForm, ShiftForm
from refuge.alerts.models import EscalationPolicy, OnCallShift, settings_for
from refuge.alerts.queue import escalate_after
from refuge.alerts.rota import oncall_candidates, weeks_ahead
from refuge.cases import access
from refuge.cases.views._common import INVALID, page
from refuge.lib import humantime

if TYPE_CHECKING:
    from datetime import date

    from django.http import HttpRequest, HttpResponse

    from refuge.accounts.models import Membership


def _settings_page(request: HttpRequest, form: AlertSettingsForm, *, status: int = 200) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]  # login_required: a User
    prefs = settings_for(user)
    context = {
        "form": form,
        "signing_key": signing_key(user, prefs.webhook_key_version),
        "key_version": prefs.webhook_key_version,
        "has_webhook": bool(prefs.webhook_url),
        "feeds": list(feeds_of(user)) if may_have_feeds(user) else None,
        "member": access.require_membership(user),
    }
    return page(request, "alerts/settings.html", context, status=status)


@require_http_methods(["GET", "POST"])
@login_required
def alert_settings(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]  # login_required: a User
    access.require_membership(user)
    if request.method == "POST":
        form = AlertSettingsForm(request.POST, user=user)
        if form.is_valid():
            changed = actions.save_alert_settings(
                user=user,
                channels=form.channels(),
                digest=form.cleaned_data["digest"],
                webhook_url=form.cleaned_data["webhook_url"],
                request=request,
            )
            messages.success(request, _("Alert settings saved.") if changed else "Nothing changed.")
            return redirect("alert_settings")
        return _settings_page(request, form, status=INVALID)
    form = AlertSettingsForm(initial=AlertSettingsForm.initial_for(settings_for(user)), user=user)
    return _settings_page(request, form)


@require_POST
@login_required
def webhook_key_replace(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]  # login_required: a User
    access.require_membership(user)
    actions.replace_webhook_key(user=user, request=request)
    messages.success(request, _("Webhook signing key replaced: give the new key to the receiving service."))
    return redirect("alert_settings")


# --- The on-call rota (admins) -------------------------------------------------------------------


def _require_admin(user: Any) -> Membership:
    member = access.require_membership(user)
    if not member.is_admin:
        raise Http404("Admins only")
    return member


def _rota_page(
    request: HttpRequest,
    member: Membership,
    *,
    escalation: EscalationForm | None = None,
    shift: ShiftForm | None = None,
    status: int = 200,
) -> HttpResponse:
    organisation = member.organisation
    weeks = weeks_ahead()
    candidates = list(oncall_candidates(organisation))
    shifts = OnCallShift.objects.filter(organisation=organisation, week_start__in=weeks).select_related("user")
    by_week: dict[date, list[User]] = {week: [] for week in weeks}
    for row in shifts:
        by_week[row.week_start].append(row.user)
    rows = [
        {
            "week": week,
            "end": week + timedelta(days=6),
            "people": sorted(by_week[week], key=lambda u: u.username),
            "others": [u for u in candidates if u not in by_week[week]],
            "failed": shift is not None and shift.data.get("week") == week.isoformat(),
        }
        for week in weeks
    ]
    current_minutes = int(escalate_after(organisation).total_seconds() // 60)
    if escalation is None:
        escalation = EscalationForm(initial={"minutes": current_minutes})
    context = {
        "rows": rows,
        "escalation": escalation,
        "shift": shift,
        "has_policy": EscalationPolicy.objects.filter(organisation=organisation).exists(),
        "has_candidates": bool(candidates),
        "rota_timezone": settings.REFUGE_ROTA_TIMEZONE,
        "current_minutes": current_minutes,
    }
    return page(request, "alerts/rota.html", context, status=status)


@require_GET
@login_required
def oncall_rota(request: HttpRequest) -> HttpResponse:
    return _rota_page(request, _require_admin(request.user))


@require_POST
@login_required
def oncall_shift(request: HttpRequest) -> HttpResponse:
    member = _require_admin(request.user)
    organisation = member.organisation
    # Taking someone off is allowed whoever they are now (they may since have become an analyst).
    if request.POST.get("op") == "remove":
        people = User.objects.filter(membership_row__organisation=organisation)
    else:
        people = oncall_candidates(organisation)
    form = ShiftForm(request.POST, people=people, weeks=weeks_ahead())
    if not form.is_valid():
        return _rota_page(request, member, shift=form, status=INVALID)
    person: User = form.cleaned_data["user"]
    on_call = form.cleaned_data["op"] == "add"
    week = form.cleaned_data["week"]
    actions.set_oncall(
        organisation=organisation,
        actor=request.user,  # type: ignore[arg-type]  # login_required: a User
        user=person,
        week_start=week,
        on_call=on_call,
        request=request,
    )
    when = _("the week of %(week)s") % {"week": humantime.calendar_date(week)}
    text = _("%(person)s is on call %(when)s.") if on_call else _("%(person)s is off call %(when)s.")
    messages.success(request, text % {"person": person, "when": when})
    return redirect("oncall_rota")


@require_POST
@login_required
def escalation_policy(request: HttpRequest) -> HttpResponse:
    member = _require_admin(request.user)
    form = EscalationForm(request.POST)
    if not form.is_valid():
        return _rota_page(request, member, escalation=form, status=INVALID)
    minutes = form.cleaned_data["minutes"]
    changed = actions.set_escalation_policy(
        organisation=member.organisation,
        actor=request.user,  # type: ignore[arg-type]  # login_required: a User
        minutes=minutes,
        request=request,
    )
    text = _("Critical alerts now escalate after %(minutes)s minutes.") if changed else _("No change.")
    messages.success(request, text % {"minutes": minutes} if changed else text)
    return redirect("oncall_rota")

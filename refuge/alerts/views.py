"""The bell's list, an alert's page, and acknowledging (from the page, or from an e-mail's link)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from refuge.accounts.models import User
from refuge.alerts.access import get_alert_for_user
from refuge.alerts.actions import acknowledge_alert, mark_read
from refuge.alerts.links import read_ack_token
from refuge.alerts.models import Alert, Delivery, Notification
from refuge.cases import access

if TYPE_CHECKING:
    from django.http import HttpRequest, HttpResponse

    from refuge.accounts.requests import AuthenticatedRequest
    from refuge.cases.models import Case


@require_GET
@login_required
def alert_list(request: AuthenticatedRequest) -> HttpResponse:
    access.require_case_reader(request.user)  # alerts are about cases: not for analysts (issue 14)
    notes = Notification.objects.filter(user=request.user).select_related("alert__case", "alert__acknowledged_by")
    unread_only = request.GET.get("show") == "unread"
    if unread_only:
        notes = notes.filter(read_at=None)
    page = Paginator(notes, settings.REFUGE_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request, "alerts/list.html", {"page": page, "groups": _by_case(list(page)), "unread_only": unread_only}
    )


@dataclass
class CaseGroup:
    """The bell's alerts of one case (or of none: system alerts, digests), newest first."""

    case: Case | None
    notes: list[Notification] = field(default_factory=list)

    @property
    def unread(self) -> int:
        return sum(1 for n in self.notes if n.read_at is None)


def _by_case(notes: list[Notification]) -> list[CaseGroup]:
    """Group a page of the bell by case, the case with the newest alert first; each note gets
    `told`, the people its alert reached (in one query for the page)."""
    told: dict[int, list[str]] = defaultdict(list)
    rows = Notification.objects.filter(alert_id__in={n.alert_id for n in notes}).select_related("user")
    for row in rows.order_by("level", "created_at", "id"):
        told[row.alert_id].append(str(row.user))
    groups: dict[int | None, CaseGroup] = {}
    for note in notes:
        note.told = told.get(note.alert_id, [])  # type: ignore[attr-defined]  # read by the template
        groups.setdefault(note.alert.case_id, CaseGroup(case=note.alert.case)).notes.append(note)
    return list(groups.values())


@require_POST
@login_required
def alerts_read(request: AuthenticatedRequest) -> HttpResponse:
    access.require_case_reader(request.user)
    mark_read(user=request.user)
    return redirect("alert_list")


@require_GET
@login_required
def alert_detail(request: AuthenticatedRequest, code: str) -> HttpResponse:
    alert = get_alert_for_user(request.user, code)
    deliveries = Delivery.objects.filter(alert=alert).select_related("user").order_by("created_at", "id")
    notified = Notification.objects.filter(alert=alert).select_related("user").order_by("level", "created_at")
    return render(request, "alerts/detail.html", {"alert": alert, "deliveries": deliveries, "notified": notified})


@require_POST
@login_required
def alert_ack(request: AuthenticatedRequest, code: str) -> HttpResponse:
    alert = get_alert_for_user(request.user, code, acknowledge=True)
    acknowledge_alert(alert=alert, user=request.user, via="page", request=request)
    return redirect(alert.get_absolute_url())


def _from_token(token: str) -> tuple[Alert, User] | None:
    found = read_ack_token(token)
    if found is None:
        return None
    alert_code, user_code = found
    user = User.objects.filter(code=user_code, is_active=True).first()
    if user is None:
        return None
    alert = Alert.objects.filter(code=alert_code, notifications__user=user).select_related("case").first()
    return (alert, user) if alert is not None else None


@require_http_methods(["GET", "POST"])
def alert_ack_link(request: HttpRequest, token: str) -> HttpResponse:
    """The e-mail's link: a page with one button (GET never writes); the POST acknowledges."""
    found = _from_token(token)
    if found is None:
        return render(request, "alerts/ack_link.html", {"invalid": True}, status=404)
    alert, user = found
    done = False
    if request.method == "POST":
        done = acknowledge_alert(alert=alert, user=user, via="email", request=request)
        alert.refresh_from_db()
    return render(request, "alerts/ack_link.html", {"alert": alert, "done": done})

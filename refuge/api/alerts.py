"""Alerts: the caller's list (the bell's door, refuge.alerts.access) and acknowledgement (its action)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from uuid import UUID

from ninja import Router

from refuge.alerts.access import alerts_for_user, get_alert_for_user
from refuge.alerts.actions import acknowledge_alert
from refuge.api.auth import caller
from refuge.api.cases import R, W, problems
from refuge.api.schemas import Acknowledged, AlertOut
from refuge.cases import access

if TYPE_CHECKING:
    from django.http import HttpRequest

    from refuge.alerts.models import Alert

router = Router(tags=["alerts"])
PAGE = 100


def alert_out(alert: Alert) -> dict[str, Any]:
    return {
        "code": alert.code,
        "kind": alert.kind,
        "severity": alert.severity,
        "subject": alert.title,
        "body": alert.text,
        "case_code": alert.case.code if alert.case else None,
        "case_reference": alert.case.reference if alert.case else None,
        "item": alert.item_key or None,
        "due_at": alert.due_at,
        "created_at": alert.created_at,
        "level": alert.level,
        "acknowledged_at": alert.acknowledged_at,
        "acknowledged_via": alert.acknowledged_via,
    }


@router.get("/alerts", response=problems({200: list[AlertOut]}), operation_id="alert_list", url_name="alert_list")
def alert_list(request: HttpRequest, unacknowledged: bool = False) -> list[dict[str, Any]]:
    """The newest alerts the caller may see (at most 100), those still unacknowledged first if asked."""
    user = caller(request, R)
    access.require_case_reader(user)  # alerts are about cases: not an analyst's (issue 14), a 404
    alerts = alerts_for_user(user).select_related("case")
    if unacknowledged:
        alerts = alerts.filter(acknowledged_at=None)
    return [alert_out(a) for a in alerts.order_by("-created_at", "-id")[:PAGE]]


@router.get(
    "/alerts/{uuid:code}", response=problems({200: AlertOut}), operation_id="alert_detail", url_name="alert_detail"
)
def alert_detail(request: HttpRequest, code: UUID) -> dict[str, Any]:
    user = caller(request, R)
    return alert_out(get_alert_for_user(user, code))


@router.post(
    "/alerts/{uuid:code}/acknowledge",
    response=problems({200: Acknowledged}),
    operation_id="alert_acknowledge",
    url_name="alert_acknowledge",
)
def alert_acknowledge(request: HttpRequest, code: UUID) -> dict[str, Any]:
    """Acknowledge for everyone and stop the escalation (those it was sent to, or who change its case)."""
    user = caller(request, W)
    alert = get_alert_for_user(user, code, acknowledge=True)
    won = acknowledge_alert(alert=alert, user=user, via="api", request=request)
    return {"acknowledged_now": won, "alert": alert_out(alert)}

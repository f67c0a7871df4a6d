"""The door to alerts: a user sees those addressed to them and those of cases they may see."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet
from django.http import Http404

from refuge.alerts.models import Alert
from refuge.cases import access

if TYPE_CHECKING:
    from uuid import UUID

    from refuge.accounts.models import User


def alerts_for_user(user: User) -> QuerySet[Alert]:
    member = access._membership(user)  # the one reading of a user's membership
    if member is None or not access.reads_cases(member):  # analysts: statistics only (issue 14)
        return Alert.objects.none()
    mine = Q(notifications__user_id=user.pk)
    if member.is_admin:
        mine |= Q(case__isnull=True)
    visible = Q(case__in=access.cases_for_user(user)) | mine
    return Alert.objects.filter(visible, organisation_id=member.organisation_id).distinct()


def get_alert_for_user(user: User, code: UUID | str, *, acknowledge: bool = False) -> Alert:
    """An alert the user may see; with acknowledge=True, one they were sent or whose case they change."""
    try:
        alert = alerts_for_user(user).select_related("case", "acknowledged_by").get(code=code)
    except (Alert.DoesNotExist, ValueError, TypeError):
        raise Http404("No such alert") from None
    if acknowledge and not (
        alert.notifications.filter(user_id=user.pk).exists() or (alert.case and access.can_write(user, alert.case))
    ):
        raise Http404("No such alert")
    return alert

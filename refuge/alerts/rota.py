"""The on-call rota: which weeks the page shows and who may be put on call.

Weeks start on Monday on the rota's clock (settings.REFUGE_ROTA_TIMEZONE), as the escalation in
refuge.alerts.queue.oncall_of reads them. Analysts are never on call: they see no identity and do
not act on cases.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone

from refuge.accounts.models import Role, User
from refuge.alerts.queue import week_start

if TYPE_CHECKING:
    from django.db.models import QuerySet

    from refuge.accounts.models import Organisation

ROTA_WEEKS = 8


def this_week(now: datetime | None = None) -> date:
    """The Monday of the current week on the rota's clock."""
    today = timezone.localdate(now or timezone.now(), ZoneInfo(settings.REFUGE_ROTA_TIMEZONE))
    return week_start(today)


def weeks_ahead(now: datetime | None = None) -> list[date]:
    """The Mondays of this week and the next ROTA_WEEKS - 1."""
    first = this_week(now)
    return [first + timedelta(weeks=n) for n in range(ROTA_WEEKS)]


def oncall_candidates(organisation: Organisation) -> QuerySet[User]:
    """Who may be on call: the organisation's active members, analysts never."""
    return (
        User.objects.filter(membership_row__organisation=organisation, is_active=True)
        .exclude(membership_row__role=Role.ANALYST)
        .order_by("username")
    )

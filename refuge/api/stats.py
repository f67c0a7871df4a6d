"""Statistics: the organisation's controlled tables, as the statistics page's JSON export gives them.

Only the controlled tables travel here (cells below the threshold and those that would give them
away are hidden); the exact counts stay on the page, for admins, where each view is on record.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.utils import timezone
from ninja import Router

from refuge.api.auth import caller
from refuge.api.cases import R, problems
from refuge.cases import access
from refuge.stats import actions, builds, exports
from refuge.stats.tables import EVERYONE, TABLES, cut

if TYPE_CHECKING:
    from django.http import HttpRequest

router = Router(tags=["statistics"])


@router.get("/stats", response=problems({200: dict[str, Any]}), operation_id="stats_tables", url_name="stats_tables")
def stats_tables(request: HttpRequest, period: str = "years", group: str = EVERYONE) -> dict[str, Any]:
    """The fixed outcome tables: by year (`period=years`) or one year's quarters (`period=2026`), for
    everyone (`group=*`) or one group the page offers (e.g. `nationality:KP`)."""
    user = caller(request, R)
    member = access.require_membership(user)
    cubes = builds.latest(member.organisation, fresh=True).cubes  # an export: the counts as they are
    views = [cut(cubes[t.id], period=period, group=group or EVERYONE, exact=False) for t in TABLES]
    actions.record_export(user=user, organisation=member.organisation, fmt="json", exact=False, request=request)
    return exports.to_json(
        views,
        threshold=actions.settings_for(member.organisation).threshold,
        organisation=member.organisation.name,
        today=timezone.localdate(),
    )

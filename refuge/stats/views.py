"""The statistics pages: fixed tables with charts, their exports, releases and the threshold.

Every member of an organisation (analysts included) sees the *controlled* tables of their own
organisation: cells below the threshold and the cells that would give them away are hidden. The
raw counts (`?exact=1`) are for the organisation's admins only and every view of them is audited.
No page here names a case, a person or an event. For analysts these pages are all there is: they
see no case, event, person, alert or search (refuge.cases.access), since a list of cases they
could filter would undo the suppression.

The page shows the tables as `refuge worker` last built them (refuge.stats.builds) and says as of
when; the exports are built from the counts as they are.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.http import content_disposition_header, urlencode
from django.utils.translation import get_language, gettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from refuge.accounts.models import User
from refuge.cases import access
from refuge.cases.views._common import INVALID, page
from refuge.lib import countries
from refuge.stats import actions, builds, exports
from refuge.stats.charts import bar_chart
from refuge.stats.disclosure import MINIMUM_THRESHOLD
from refuge.stats.models import StatRelease
from refuge.stats.tables import ALL, EVERYONE, NONE, TABLES, Slice, cut, offered_groups

if TYPE_CHECKING:
    from django.http import HttpRequest

    from refuge.accounts.models import Membership


def group_label(group: str) -> str:
    """A group as the reader reads it: "nationality:KP" is "Nationality: <the country, in the reader's language>"."""
    dimension, _, value = group.partition(":")
    country = gettext("none or unknown") if value == NONE else countries.name(value, get_language() or "en")
    if dimension == "nationality":
        return gettext("Nationality: %(country)s") % {"country": country}
    if dimension == "host_state":
        return gettext("Host state: %(country)s") % {"country": country}
    return group


def _released(release: StatRelease) -> dict[str, Any]:
    """A released cell as the list shows it: the table's title, the row's label, the period and the group in words."""
    found = [t for t in TABLES if t.id == release.table]
    table = found[0] if found else None
    rows = dict(table.rows) if table is not None else {}
    return {
        "release": release,
        "table": str(table.title) if table is not None else release.table,
        "row": str(rows.get(release.row, release.row)),
        "period": gettext("All years") if release.period == ALL else release.period,
        "group": gettext("everyone") if release.group == EVERYONE else group_label(release.group),
    }


def _user(request: HttpRequest) -> User:
    """The signed-in user (every view here is login_required)."""
    if not isinstance(request.user, User):
        raise Http404("No such page")
    return request.user


def _params(request: HttpRequest, member: Membership) -> tuple[str, str, bool]:
    period = request.GET.get("period", "years")
    group = request.GET.get("group", EVERYONE) or EVERYONE
    exact = request.GET.get("exact") == "1"
    if exact and not member.is_admin:
        raise Http404("No such view")
    return period, group, exact


def _views(
    member: Membership, period: str, group: str, exact: bool, *, fresh: bool = False
) -> tuple[list[Slice], dict[str, Any]]:
    built = builds.latest(member.organisation, fresh=fresh)
    cubes = built.cubes
    views = [cut(cubes[t.id], period=period, group=group, exact=exact) for t in TABLES]
    years = cubes[TABLES[0].id].years
    return views, {"cubes": cubes, "years": years, "built": built}


def _audit_exact(request: HttpRequest, member: Membership, what: str, exact: bool) -> None:
    if exact:
        actions.record_exact_view(user=_user(request), organisation=member.organisation, what=what, request=request)


@require_GET
@login_required
def stats_page(request: HttpRequest) -> HttpResponse:
    member = access.require_membership(_user(request))
    period, group, exact = _params(request, member)
    views, info = _views(member, period, group, exact)
    _audit_exact(request, member, "page", exact)
    query = request.GET.urlencode()
    context = {
        "sections": [(v, bar_chart(v)) for v in views],
        "years": info["years"],
        "groups": [(g, group_label(g)) for g in offered_groups(info["cubes"].values())],
        "period": period,
        "group": group,
        "exact": exact,
        "is_admin": member.is_admin,
        "threshold": actions.settings_for(member.organisation).threshold,
        "query": query,
        # The same view without exact=1: what an admin publishes instead.
        "controlled_url": "?" + urlencode({**({} if period == "years" else {"period": period}), "group": group}),
        "built": info["built"],
    }
    return page(request, "stats/page.html", context)


def _filename(member: Membership, ext: str) -> str:
    return f"outcomes-{timezone.localdate().isoformat()}.{ext}"


@require_GET
@login_required
def stats_json(request: HttpRequest) -> HttpResponse:
    member, views, _ = _export(request, "json")
    body = exports.to_json(
        views,
        threshold=actions.settings_for(member.organisation).threshold,
        organisation=member.organisation.name,
        today=timezone.localdate(),
    )
    return _attachment(JsonResponse(body, json_dumps_params={"ensure_ascii": False, "indent": 1}), member, "json")


@require_GET
@login_required
def stats_csv(request: HttpRequest) -> HttpResponse:
    member, views, _ = _export(request, "csv")
    return _attachment(HttpResponse(exports.to_csv(views), content_type="text/csv; charset=utf-8"), member, "csv")


@require_GET
@login_required
def stats_pdf(request: HttpRequest) -> HttpResponse:
    member, views, info = _export(request, "pdf")
    years = info["years"]
    content = exports.to_pdf(
        views,
        threshold=actions.settings_for(member.organisation).threshold,
        organisation=member.organisation.name,
        years=(years[0], years[-1]),
        today=timezone.localdate(),
    )
    return _attachment(HttpResponse(content, content_type="application/pdf"), member, "pdf")


def _export(request: HttpRequest, fmt: str) -> tuple[Membership, list[Slice], dict[str, Any]]:
    """The tables an export carries, with the export on record (exact counts for admins only)."""
    member = access.require_membership(_user(request))
    period, group, exact = _params(request, member)
    views, info = _views(member, period, group, exact, fresh=True)
    actions.record_export(user=_user(request), organisation=member.organisation, fmt=fmt, exact=exact, request=request)
    return member, views, info


def _attachment(response: HttpResponse, member: Membership, fmt: str) -> HttpResponse:
    response["Content-Disposition"] = content_disposition_header(True, _filename(member, fmt)) or "attachment"
    return response


def _require_admin(request: HttpRequest) -> Membership:
    member = access.require_membership(_user(request))
    if not member.is_admin:
        raise Http404("No such page")
    return member


@require_http_methods(["GET", "POST"])
@login_required
def stats_releases(request: HttpRequest) -> HttpResponse:
    """An admin's releases of cells below the threshold, and the form to make one (with a reason)."""
    member = _require_admin(request)
    organisation = member.organisation
    errors: list[str] = []
    status = 200
    if request.method == "POST":
        form = request.POST
        if "threshold" in form:
            try:
                actions.set_threshold(user=_user(request), organisation=organisation, threshold=int(form["threshold"]))
            except ValueError:
                errors.append(
                    gettext("The threshold is a whole number, at least %(minimum)s.") % {"minimum": MINIMUM_THRESHOLD}
                )
            else:
                messages.success(request, gettext("Threshold saved."))
                return redirect("stats_releases")
        else:
            table, _, row = form.get("row_key", "").partition("|")
            try:
                actions.release_cell(
                    user=_user(request),
                    organisation=organisation,
                    table=table,
                    row=row,
                    period=form.get("period", ALL) or ALL,
                    group=form.get("group", EVERYONE) or EVERYONE,
                    reason=form.get("reason", ""),
                )
            except (ValueError, StopIteration):
                errors.append(
                    gettext("Choose a table, a row, a period and a group, and give the reason for the release.")
                )
            else:
                messages.success(request, gettext("Cell released."))
                return redirect("stats_releases")
        status = INVALID
    context = {
        "releases": [
            _released(r) for r in StatRelease.objects.filter(organisation=organisation).select_related("released_by")
        ],
        "tables": TABLES,
        "threshold": actions.settings_for(organisation).threshold,
        "minimum": MINIMUM_THRESHOLD,
        "errors": errors,
        "form": request.POST if request.method == "POST" else {},
    }
    return page(request, "stats/releases.html", context, status=status)


@require_POST
@login_required
def stats_release_withdraw(request: HttpRequest, code: str) -> HttpResponse:
    member = _require_admin(request)
    release = StatRelease.objects.filter(organisation=member.organisation, code=code).first()
    if release is None:
        raise Http404("No such release")
    actions.withdraw_release(user=_user(request), release=release)
    messages.success(request, gettext("Release withdrawn."))
    return redirect("stats_releases")

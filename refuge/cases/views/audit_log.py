"""The organisation admins' audit page: their organisation's chain, newest first, by pages of REFUGE_PAGE_SIZE.

Only entries of the admin's own organisation's chain are shown (a failed login for a name of
another organisation is in that organisation's chain), and only those the chain verifies up to:
an entry numbered 0 or below, past a gap, or after a broken link is not shown, and the page says
where the chain breaks. Each entry shown is hashed again as it is read.

Here in the cases app, above the audit chain it reads, because it goes through the one door
(refuge.cases.access); its URL stays /audit/ (refuge/urls.py).
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import Http404
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.views.decorators.http import require_GET

from refuge.audit import chain
from refuge.audit.models import AuditEvent
from refuge.audit.verify import verified_up_to
from refuge.cases import access, audit_words
from refuge.cases.forms.audit_log import SYSTEM, AuditFilterForm

if TYPE_CHECKING:
    from django.http import HttpResponse

    from refuge.accounts.requests import AuthenticatedRequest


def _day_start(day: Any) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def _filtered(entries: QuerySet[AuditEvent], f: dict[str, Any], people: dict[str, int]) -> QuerySet[AuditEvent]:
    if f.get("type") is not None:
        entries = entries.filter(type=f["type"])
    actor = f.get("actor")
    if actor == SYSTEM:
        entries = entries.filter(actor__isnull=True)
    elif actor:
        entries = entries.filter(actor_id=people[actor])
    if f.get("target"):
        entries = entries.filter(target_code=f["target"])
    if f.get("date_from"):
        entries = entries.filter(at__gte=_day_start(f["date_from"]))
    if f.get("date_to"):
        entries = entries.filter(at__lt=_day_start(f["date_to"]) + timedelta(days=1))
    return entries


def _show(value: Any) -> str:
    return ",".join(str(v) for v in value) if isinstance(value, list) else str(value)


def _row(entry: AuditEvent, names: dict[int, str]) -> dict[str, Any]:
    """What the page shows of an entry: codes, enumerated values and field names, as stored."""
    who = "" if entry.actor_id is None else (names.get(entry.actor_id) or f"user #{entry.actor_id}")
    link = ""
    if entry.target_kind == "case" and entry.target_code:
        try:
            link = reverse("case_detail", args=[entry.target_code])
        except NoReverseMatch:
            link = ""
    return {
        "entry": entry,
        "type_label": audit_words.label(entry.type),
        "target_kind": audit_words.target_kind(entry.target_kind),
        "who": who,
        "link": link,
        "fields": ", ".join(entry.fields),
        "details": "; ".join(f"{key}={_show(value)}" for key, value in entry.data.items()),
    }


@require_GET
@login_required
def audit_log(request: AuthenticatedRequest) -> HttpResponse:
    if not access.is_org_admin(request.user):
        raise Http404("No such page")
    member = access.require_membership(request.user)
    rows = member.organisation.memberships.order_by("user__username").values_list(
        "user_id", "user__code", "user__username"
    )
    people = {str(code): int(pk) for pk, code, _name in rows}
    form = AuditFilterForm(request.GET, people=[(str(code), name) for _pk, code, name in rows])
    form.is_valid()
    f = getattr(form, "cleaned_data", {})
    # Operators also read the server's own chain (the vault, commands, failed logins of unknown names).
    operator = request.user.is_server_operator()
    server = operator and request.GET.get("chain") == "server"
    number = chain.SERVER_CHAIN if server else chain.chain_of(member.organisation_id)
    verified = verified_up_to(number)
    entries: QuerySet[AuditEvent] = AuditEvent.objects.filter(chain=number, seq__gte=1, seq__lte=verified.count)
    entries = _filtered(entries, f, people)
    if f.get("before"):
        entries = entries.filter(seq__lt=f["before"])
    size = int(settings.REFUGE_PAGE_SIZE)
    # Hashed again as read: an entry changed since the chain was last walked is not shown.
    read = list(entries.order_by("-seq")[: size + 1])
    page = [e for e in read if chain.row_hash(e.as_row()) == e.hash]
    broken = verified.problem
    if len(page) < len(read) and broken is None:
        changed = min(e.seq for e in read if e not in page)
        broken = chain.Problem(changed, "its content does not match its hash (the entry was changed)", number)
    has_older = len(page) > size
    page = page[:size]
    actors = {e.actor_id for e in page if e.actor_id is not None}
    names = dict(get_user_model().objects.filter(pk__in=actors).values_list("pk", "username"))
    older = request.GET.copy()
    if page:
        older["before"] = str(page[-1].seq)
    newest = request.GET.copy()
    newest.pop("before", None)
    context = {
        "form": form,
        "entries": [_row(e, names) for e in page],
        "first_seq": page[0].seq if page else None,
        "last_seq": page[-1].seq if page else None,
        "has_older": has_older,
        "older_query": older.urlencode(),
        "newest_query": newest.urlencode(),
        "paged": bool(f.get("before")),
        "broken": broken,
        "operator": operator,
        "server": server,
        "filtered": any(f.get(k) for k in ("type", "actor", "target", "date_from", "date_to")),
    }
    return render(request, "audit/log.html", context)

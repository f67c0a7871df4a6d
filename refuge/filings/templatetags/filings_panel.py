"""The case page's Filings panel, gathered here so that the case view needs no change but one include."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import template
from django.utils import timezone
from django.utils.translation import gettext

from refuge.cases.models import Authority, Event
from refuge.filings import wizard
from refuge.filings.conflicts import Read, updates_due, waiting_notifications
from refuge.filings.forms import FORUM_LABELS
from refuge.filings.kinds import KINDS, UPDATE_KINDS
from refuge.filings.models import GeneratedFiling, Sending
from refuge.lib.prepared import Prepared

if TYPE_CHECKING:
    from collections.abc import Sequence

    from refuge.cases.models import Case

register = template.Library()

RECENT = 20  # versions listed on the case page (the filing's own page lists all of its kind)
# The panel's reads of a case's rows, compiled once per connection (refuge.lib.prepared).
CASE_FILINGS = Prepared(
    lambda case_id: GeneratedFiling.objects.filter(case_id=case_id).order_by("-created_at", "-id")[:RECENT],
    parent="case",
)
CASE_SENDINGS = Prepared(
    lambda case_id: Sending.objects.filter(case_id=case_id).order_by("-sent_at", "-id"), parent="case"
)


@register.inclusion_tag("filings/_case_panel_body.html", takes_context=True)
def filings_panel(context: template.Context) -> dict[str, Any]:
    case = context["case"]
    user = context["user"]
    identity = bool(context.get("can_see_identity"))
    can_write = bool(context.get("can_write"))
    now = timezone.now()
    filings = CASE_FILINGS.read(case.pk, case)  # who made one is not shown: no join on the users
    events = context.get("events")
    events = list(case.events.all()) if events is None else events
    sendings = notification_log(case, filings, events)
    log: dict[str, list[Any]] = {}
    for sending in sendings:
        name = sending.authority.name if sending.authority is not None else gettext("Forum registries")
        log.setdefault(name, []).append(sending)
    # Both questions run the engine's timeline over the case; a case without a granted measure has
    # no measure in force, and one without a rescheduled removal no update to send (the events are
    # the page's own, already read).
    types = {(e.type, bool(e.attributes.get("replaces"))) for e in events}
    granted = any(t == "interim_measure_granted" for t, _ in types)
    rescheduled = ("removal_scheduled", True) in types
    waiting = []
    if granted:
        # The page's proceedings and this panel's sendings too: the authorities in one query, the
        # notifications from the log already read.
        proceedings = context.get("proceedings")
        if proceedings is None:
            proceedings = list(case.proceedings.all())
        read = Read(events=events, proceedings=proceedings, sendings=sendings)
        waiting = [w for w in waiting_notifications(case, now, read=read) if w.authorities]
    updates = updates_due(case, events) if identity and can_write and rescheduled else []
    return {
        "case": case,
        "user": user,
        "now": now,
        "may_file": identity and can_write,
        "can_see_identity": identity,
        "filings": [(f, wizard.kind_label(f.kind)) for f in filings],
        "log": sorted(log.items()),
        "waiting": waiting,
        "updates": [(due, FORUM_LABELS.get(due.forum, due.forum)) for due in updates],
        "update_kind": KINDS[UPDATE_KINDS[0]],
        "contact_name": user.get_full_name() or user.get_username(),
        "contact_cyrillic": getattr(user, "name_cyrillic", ""),
    }


def notification_log(case: Case, filings: list[GeneratedFiling], events: Sequence[Event]) -> list[Sending]:
    """The case's sendings, newest first, each with its authority, filing and event, as select_related
    would give them, without its three joins: most cases have no log, and the filings and events are
    mostly those the page has read already."""
    sendings = CASE_SENDINGS.read(case.pk, case)
    if not sendings:
        return sendings
    filings_by_id = {f.pk: f for f in filings}
    events_by_id = {e.pk: e for e in events}
    wanted = {s.filing_id for s in sendings if s.filing_id is not None and s.filing_id not in filings_by_id}
    filings_by_id.update(GeneratedFiling.objects.in_bulk(wanted) if wanted else {})
    wanted = {s.event_id for s in sendings if s.event_id is not None and s.event_id not in events_by_id}
    events_by_id.update(Event.objects.in_bulk(wanted) if wanted else {})
    wanted = {s.authority_id for s in sendings if s.authority_id is not None}
    authorities = Authority.objects.in_bulk(wanted) if wanted else {}
    for sending in sendings:
        sending.filing = filings_by_id[sending.filing_id] if sending.filing_id is not None else None
        sending.event = events_by_id[sending.event_id] if sending.event_id is not None else None
        sending.authority = authorities[sending.authority_id] if sending.authority_id is not None else None
    return sendings


@register.filter
def filing_kind_label(name: str) -> str:
    """A filing kind's words (rule39 -> "ECtHR Rule 39 request")."""
    kind = KINDS.get(name)
    return gettext(kind.label) if kind is not None else name

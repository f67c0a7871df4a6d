"""Calendar feeds: a live iCalendar view of the open deadlines and urgent conflicts a user may see.

A feed is a secret URL (`/feeds/<token>.ics`) for all of a user's cases or for one case. Only the
token's SHA-256 is stored (FeedToken); the token itself is shown once, when the feed is made. The
calendar is built on each request from the user's access *now* (refuge.cases.access): a user taken
off a team stops getting that case's deadlines, a disabled user's feeds answer 404, and a case
feed whose case the user can no longer see answers 404.

What a feed carries: case references, deadline and conflict labels, rule ids and their legal
basis, and a link to the case page (which asks for a login). Never a client's name.

Decisions:
- Analysts have no feeds. They see cases' facts for statistics and have no deadline to meet; a
  feed would be a standing bearer credential to the whole organisation's schedule, read outside
  the pages. A user who becomes an analyst keeps their feed rows, but the URLs answer 404.
- A deadline is an event at its instant (DTSTART = DTEND = due_at, in UTC), with one absolute
  VALARM per reminder of its rule (refuge.alerts.queue.reminder_instants), and one a day before
  when its rule has none: no open deadline goes without an alarm.
- A case's next scheduled removal is an event at its instant with alarms 72, 24 and 6 hours
  before (refuge.cases.removals.ALARMS). Like every entry it names the case by reference only:
  no destination, which would say where the client comes from.
- An open critical or high conflict is an all-day event on *today* (on the case's clock): it is
  not scheduled, it is a standing danger, so it sits on the day the calendar is looked at, every
  day, until the engine clears it; its UID is stable, so calendars move one event, never pile up
  copies. The time it was raised is in its description.
- A feed speaks its owner's language (User.language, else the server's): summaries, descriptions,
  alarms, the labels and legal bases of the packs (refuge.cases.law); codes and instants stay as they are.
- Each GET notes when the feed was last used (at most once an hour per feed), so its owner can
  tell a feed in use from a forgotten or leaked one: the one write a GET makes in this project
  (tests/accounts/test_csrf.py exempts that column).
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import icalendar
from django.db.models import Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop

from refuge.alerts.links import absolute
from refuge.alerts.models import FeedToken
from refuge.alerts.queue import reminder_instants
from refuge.cases import access, law
from refuge.cases.derived import Conflict, Deadline, Severity
from refuge.cases.law import conflict_label, deadline_label
from refuge.cases.models import QUIET_STATUSES
from refuge.cases.removals import ALARMS, Removal, upcoming
from refuge.lib import humantime

if TYPE_CHECKING:
    from uuid import UUID

    from django.db.models import QuerySet

    from refuge.accounts.models import Organisation, User
    from refuge.cases.models import Case

PRODID = "-//Refuge//Case deadlines//EN"
ALL_CASES_NAME = gettext_noop("Refuge deadlines")
URGENT_CONFLICTS = (Severity.CRITICAL, Severity.HIGH)
# Last use is noted at most this often: a calendar polling every few minutes writes once an hour.
LAST_USE_EVERY = timedelta(hours=1)
DEFAULT_ALARM = timedelta(hours=24)  # before an open deadline whose rule sets no reminder
# secrets.token_urlsafe(32) is 43 characters; anything much longer is not one of ours.
MAX_TOKEN = 100


def may_have_feeds(user: User) -> bool:
    """An active member of an organisation who is not an analyst."""
    member = access._membership(user)  # the one reading of a user's membership
    return member is not None and not member.is_analyst


def feeds_of(user: User) -> QuerySet[FeedToken]:
    """The user's feeds that still work, newest first."""
    return FeedToken.objects.filter(user_id=user.pk, revoked_at=None).select_related("case")


def get_feed_for_user(user: User, code: UUID | str) -> FeedToken:
    """One of the user's own live feeds; 404 for anyone else's, a revoked one, or a bad code."""
    try:
        return feeds_of(user).get(code=code)
    except (FeedToken.DoesNotExist, ValueError, TypeError):
        raise Http404("No such feed") from None


def revoke_feeds_of(organisation: Organisation, *, now: datetime) -> int:
    """Revoke every live feed of an organisation's people (its lock-down). Returns how many."""
    return FeedToken.objects.filter(user__membership_row__organisation=organisation, revoked_at=None).update(
        revoked_at=now
    )


def feed_url(token: str) -> str:
    from django.urls import reverse  # noqa: PLC0415  # the URLconf imports the views, which import this

    return absolute(reverse("calendar_feed", args=[token]))


def open_feed(token: str) -> tuple[FeedToken, QuerySet[Case]]:
    """The feed of a token and the cases it shows now; 404 when it is unknown, revoked or no longer allowed."""
    feed = FeedToken.lookup(token) if len(token) <= MAX_TOKEN else None
    if feed is None or not may_have_feeds(feed.user):
        raise Http404("No such feed")
    cases = access.cases_for_user(feed.user)
    if feed.case_id is not None:
        cases = cases.filter(pk=feed.case_id)
        if not cases.exists():
            raise Http404("No such feed")
    return feed, cases


def note_use(feed: FeedToken, now: datetime) -> None:
    """Record the feed's last use: one conditional UPDATE, which writes nothing within the hour."""
    stale = Q(last_used_at=None) | Q(last_used_at__lt=now - LAST_USE_EVERY)
    FeedToken.objects.filter(stale, pk=feed.pk).update(last_used_at=now)


def _uid(item_key: str, case: Case) -> str:
    return hashlib.sha256(f"{item_key}|{case.code}".encode()).hexdigest()[:32] + "@refuge"


def _deadline_event(deadline: Deadline, case: Case, now: datetime) -> icalendar.Event | None:
    if deadline.due_at is None:
        return None
    label = deadline_label(deadline.kind)
    due = deadline.due_at.astimezone(UTC)
    local = deadline.due_at.astimezone(ZoneInfo(deadline.timezone) if deadline.timezone else case.tzinfo)
    event = icalendar.Event()
    event.add("uid", _uid(deadline.key, case))
    event.add("dtstamp", now)
    event.add("dtstart", due)
    event.add("dtend", due)
    event.add("summary", f"{case.reference}: {label} ({_severity(deadline.severity)})")
    shown = humantime.human(deadline.due_at, case.timezone, now=now, own=deadline.timezone or None)
    said = gettext("Due %(when)s.") % {"when": shown}
    event.add("description", f"{said}\n{law.label(deadline.rule)}: {law.basis_text(deadline.basis)}")
    event.add("url", absolute(case.get_absolute_url()))
    event.add("categories", [deadline.severity])
    event.add("transp", "TRANSPARENT")
    for at in reminder_instants(deadline) or [deadline.due_at - DEFAULT_ALARM]:
        when = f"{local:%Y-%m-%d %H:%M}"
        event.add_component(
            _alarm(at, f"{case.reference}: " + gettext("%(label)s due %(when)s") % {"label": label, "when": when})
        )
    return event


def _severity(severity: str) -> str:
    return str(Severity(severity).label).lower() if severity in Severity.values else severity


def _alarm(at: datetime, text: str) -> icalendar.Alarm:
    alarm = icalendar.Alarm()
    alarm.add("action", "DISPLAY")
    alarm.add("description", text)
    alarm.add("trigger", at.astimezone(UTC), parameters={"VALUE": "DATE-TIME"})
    return alarm


def _removal_event(removal: Removal, now: datetime) -> icalendar.Event:
    case = removal.case
    at = removal.removal_at.astimezone(UTC)
    summary = f"{case.reference}: " + gettext("Removal (%(protection)s)") % {"protection": removal.protection()}
    event = icalendar.Event()
    event.add("uid", _uid(f"removal|{removal.event}", case))
    event.add("dtstamp", now)
    event.add("dtstart", at)
    event.add("dtend", at)
    event.add("summary", summary)
    event.add(
        "description",
        gettext("Removal scheduled (event %(event)s) for %(when)s.") % {"event": removal.event, "when": removal.when()},
    )
    event.add("url", absolute(case.get_absolute_url()))
    event.add("categories", ["removal"])
    event.add("transp", "TRANSPARENT")
    for before in ALARMS:
        event.add_component(_alarm(at - before, summary))
    return event


def _conflict_event(conflict: Conflict, case: Case, now: datetime) -> icalendar.Event:
    today = timezone.localdate(now, case.tzinfo)
    label = conflict_label(conflict.kind)
    raised = conflict.raised_at.astimezone(case.tzinfo)
    event = icalendar.Event()
    event.add("uid", _uid(conflict.key, case))
    event.add("dtstamp", now)
    event.add("dtstart", today)
    event.add("dtend", today + timedelta(days=1))
    event.add("summary", f"{case.reference}: {label} ({_severity(conflict.severity)})")
    rule = f"{law.label(conflict.rule)}: " if conflict.rule else ""
    moment = humantime.moment(raised, case.timezone, now=now)
    said = gettext("Conflict raised %(when)s, shown each day until it is cleared.") % {"when": moment}
    event.add("description", f"{said}\n{rule}{law.basis_text(conflict.basis)}")
    event.add("url", absolute(case.get_absolute_url()))
    event.add("categories", [conflict.severity])
    event.add("transp", "TRANSPARENT")
    return event


def build_calendar(feed: FeedToken, cases: QuerySet[Case], *, now: datetime | None = None) -> bytes:
    """The feed's calendar, as of now: a VEVENT per open deadline and per open urgent conflict.

    In the active language: the view makes it the feed owner's.
    """
    now = (now or timezone.now()).astimezone(UTC).replace(microsecond=0)
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", feed.case.reference if feed.case is not None else gettext(ALL_CASES_NAME))
    # How often to fetch again: a removal can come within hours (Outlook reads the first).
    calendar.add("x-published-ttl", "PT15M")
    calendar.add("refresh-interval", timedelta(minutes=15), parameters={"VALUE": "DURATION"})
    cases = cases.exclude(status__in=QUIET_STATUSES)
    deadlines = (
        Deadline.objects.filter(case__in=cases, status="open", due_at__isnull=False)
        .select_related("case")
        .order_by("due_at", "case_id", "key")
    )
    for deadline in deadlines:
        event = _deadline_event(deadline, deadline.case, now)
        if event is not None:
            calendar.add_component(event)
    conflicts = (
        Conflict.objects.filter(case__in=cases, severity__in=URGENT_CONFLICTS)
        .select_related("case")
        .order_by("severity_rank", "raised_at", "case_id", "key")
    )
    for conflict in conflicts:
        calendar.add_component(_conflict_event(conflict, conflict.case, now))
    for removal in upcoming(cases, now):
        calendar.add_component(_removal_event(removal, now))
    ical: bytes = calendar.to_ical()  # icalendar is untyped
    return ical

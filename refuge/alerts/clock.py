"""What the alerts do as time passes, run by `refuge worker` every few seconds.

Every step claims its work with a conditional UPDATE (or a unique dedupe key), so two workers
running side by side never escalate, remind or digest twice.
"""

from __future__ import annotations

import gc
import logging
import os
import socket
import threading
from collections.abc import Collection, Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime, time, timedelta
from time import monotonic
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from refuge.accounts.models import Organisation, Role, User
from refuge.alerts import texts
from refuge.alerts.models import Alert, AlertKind, AlertSettings, Level, Reminder
from refuge.alerts.queue import admins_of, deliver, escalate_after, oncall_of, raise_alert
from refuge.audit.actions import record
from refuge.audit.events import EventType
from refuge.cases.casefiles import forget_event_rows
from refuge.cases.derived import CaseCheck, Conflict, Deadline, Severity
from refuge.cases.models import QUIET_STATUSES, Case
from refuge.cases.recompute import (
    Evaluated,
    batch_of_cases,
    case_today,
    evaluate_cases,
    next_check,
    recompute_case,
    store_evaluated,
)
from refuge.cases.removals import upcoming
from refuge.rules.calendars import HOLIDAYS_VERSION

log = logging.getLogger("refuge.alerts.clock")

BATCH = 100
RECHECK_BATCH = 200  # cases claimed and recomputed together
RECHECK_LEASE = timedelta(minutes=5)  # a claim's life: far longer than a batch takes
RECHECK_SECONDS = 20.0  # at most this long re-checking per clock pass, then the other duties
# Allocations between two passes of the cyclic garbage collector's youngest generation while
# re-checking (Python's default: 700). A batch makes and drops hundreds of thousands of small objects
# (events' attributes, facts, reports, rows), nearly all freed by their reference counts alone; at
# 700 the collector ran every few cases and, promoting the batch's live objects, kept walking them
# again in its older generations: a third of a worker's CPU time (bench.recheck). It walked them
# still at 50,000, once per batch of 200 cases, while the batch held them (~14 % of a worker's CPU):
# the threshold is now above what a batch allocates, and the youngest generation is collected after
# each batch (`recheck_cases`), once the batch has let go of its objects (`_let_go`).
RECHECK_GC_THRESHOLD = 1_000_000
DIGEST_DAYS = 7
CALENDAR_CHECK_EVERY = timedelta(minutes=10)
UNCONFIRMED_KEY = "calendar-unconfirmed"  # dedupe key: calendar-unconfirmed|<organisation>|<years, comma-separated>
_last_calendar_check: datetime | None = None


def run(*, now: datetime | None = None) -> dict[str, int]:
    now = now or timezone.now()
    return {
        "escalated": escalate_due(now=now),
        "reminded": fire_reminders(now=now),
        "digests": send_digests(now=now),
        "rechecked": recheck_cases(now=now),
        "calendars": _calendar_check(now),
    }


def _calendar_check(now: datetime) -> int:
    """alert_unconfirmed_calendars, at most every CALENDAR_CHECK_EVERY in this process."""
    global _last_calendar_check  # noqa: PLW0603  # a per-process throttle, like the worker's clock
    if _last_calendar_check is not None and abs(now - _last_calendar_check) < CALENDAR_CHECK_EVERY:
        return 0
    _last_calendar_check = now
    return alert_unconfirmed_calendars(now=now)


def alert_unconfirmed_calendars(*, now: datetime) -> int:
    """Tell each organisation's admins, once per year, that open deadlines are counted without a decree.

    A deadline counted across a year whose decree the installed holidays data does not hold yet
    carries CALENDAR_UNCONFIRMED (LAW.md, "Unconfirmed calendars"); the admins are the ones who
    can have the data upgraded. One alert names the years not told before.
    """

    found: dict[int, dict[int, set[int]]] = {}  # organisation -> year -> cases
    rows = (
        Deadline.objects.filter(status="open")
        .exclude(unconfirmed_years="")
        .values_list("organisation_id", "unconfirmed_years", "case_id")
        .distinct()
    )
    for organisation_id, years, case_id in rows:
        for year in years.split():
            found.setdefault(organisation_id, {}).setdefault(int(year), set()).add(case_id)
    if not found:
        return 0
    told: set[tuple[int, int]] = set()
    keys = Alert.objects.filter(
        kind=AlertKind.SYSTEM, case=None, organisation_id__in=list(found), dedupe_key__startswith=f"{UNCONFIRMED_KEY}|"
    ).values_list("dedupe_key", flat=True)
    for key in keys:
        if key is None:
            continue  # never: filtered by its prefix
        _, org, listed = key.split("|")
        told.update((int(org), int(y)) for y in listed.split(","))
    done = 0
    for organisation in Organisation.objects.filter(pk__in=list(found)).order_by("pk"):
        by_year = found[organisation.pk]
        new = sorted(y for y in by_year if (organisation.pk, y) not in told)
        if not new:
            continue
        cases = len(set().union(*(by_year[y] for y in new)))
        with transaction.atomic():
            made = raise_alert(
                organisation=organisation,
                case=None,
                kind=AlertKind.SYSTEM,
                severity=Severity.HIGH,
                facts={
                    "system": texts.CALENDAR_UNCONFIRMED,
                    "years": new,
                    "cases": cases,
                    "version": HOLIDAYS_VERSION,
                },
                dedupe_key=f"{UNCONFIRMED_KEY}|{organisation.pk}|{','.join(str(y) for y in new)}",
                now=now,
            )
        done += made is not None
    return done


def escalate_due(*, now: datetime) -> int:
    """Move each unacknowledged critical alert whose time ran out up one level (or two)."""
    done = 0
    # A case closed since its alert was raised wakes no one: its alerts stop climbing.
    Alert.objects.filter(escalate_at__isnull=False, acknowledged_at=None, case__status__in=QUIET_STATUSES).update(
        escalate_at=None
    )
    due = Alert.objects.filter(escalate_at__lte=now, acknowledged_at=None).select_related("organisation")[:BATCH]
    for alert in due:
        with transaction.atomic():
            level = alert.level
            told: list[User] = []
            while level < Level.ADMINS and not told:
                level += 1
                people = oncall_of(alert.organisation, now) if level == Level.ONCALL else admins_of(alert.organisation)
                told = deliver(alert, people, level=level, now=now)
            last = level >= Level.ADMINS
            won = Alert.objects.filter(
                pk=alert.pk, level=alert.level, escalate_at=alert.escalate_at, acknowledged_at=None
            ).update(level=level, escalate_at=None if last else now + escalate_after(alert.organisation))
            if not won:  # acknowledged or escalated by someone else meanwhile
                transaction.set_rollback(True)
                continue
            record(
                type=EventType.ALERT_ESCALATED,
                actor=None,
                target=("alert", alert.code),
                data={"level": int(level), "recipients": len(told)},
                organisation=alert.organisation,
            )
            done += 1
    return done


def fire_reminders(*, now: datetime) -> int:
    done = 0
    due = Reminder.objects.filter(fired_at=None, at__lte=now).select_related("deadline__case__organisation")[:BATCH]
    for reminder in due:
        with transaction.atomic():
            if not Reminder.objects.filter(pk=reminder.pk, fired_at=None).update(fired_at=now):
                continue
            deadline = reminder.deadline
            case = deadline.case
            if deadline.status != "open" or case.status in QUIET_STATUSES:
                continue
            raise_alert(
                organisation=case.organisation,
                case=case,
                kind=AlertKind.REMINDER,
                severity=deadline.severity,
                facts={
                    "code": deadline.kind,
                    "due_at": deadline.due_at.isoformat() if deadline.due_at is not None else "",
                    "rule": deadline.rule,
                    "rule_basis": deadline.basis,
                },
                item_key=deadline.key,
                due_at=deadline.due_at,
                dedupe_key=f"reminder|{deadline.pk}|{reminder.at.isoformat()}",
                now=now,
            )
            done += 1
    return done


def _digest_items(user: User, now: datetime) -> list[dict[str, Any]]:
    """The user's next days, language-free (refuge.alerts.texts words them): removals, conflicts, deadlines."""
    until = now + timedelta(days=DIGEST_DAYS)
    deadlines = (
        Deadline.objects.filter(case__members__user=user, status="open", due_at__gte=now, due_at__lte=until)
        .exclude(case__status__in=QUIET_STATUSES)
        .select_related("case")
        .order_by("due_at")
    )
    conflicts = (
        Conflict.objects.filter(case__members__user=user, severity__in=[Severity.CRITICAL, Severity.HIGH])
        .exclude(case__status__in=QUIET_STATUSES)
        .select_related("case")
        .order_by("severity_rank", "raised_at")
    )
    mine = Case.objects.filter(members__user=user).exclude(status__in=QUIET_STATUSES)
    items: list[dict[str, Any]] = [
        {
            "type": "removal",
            "at": r.removal_at.isoformat(),
            "zone": r.case.timezone,
            "case": r.case.reference,
            "protected": r.protected,
            "protected_by": {k: v for k, v in (r.protected_by or {}).items() if k in ("forum", "until")},
        }
        for r in upcoming(mine, now, within=timedelta(days=DIGEST_DAYS))
    ]
    items += [{"type": "conflict", "severity": c.severity, "case": c.case.reference, "code": c.kind} for c in conflicts]
    for deadline in deadlines:
        assert deadline.due_at is not None  # noqa: S101  # filtered above
        items.append(
            {
                "type": "deadline",
                "at": deadline.due_at.isoformat(),
                "zone": deadline.case.timezone,
                "case": deadline.case.reference,
                "code": deadline.kind,
            }
        )
    return items


def send_digests(*, now: datetime) -> int:
    """Once a day, after REFUGE_DIGEST_HOUR on the digest clock, each user's next seven days by e-mail."""
    zone = ZoneInfo(settings.REFUGE_DIGEST_TIMEZONE)
    local = now.astimezone(zone)
    if local.time() < time(settings.REFUGE_DIGEST_HOUR):
        return 0
    day = local.date().isoformat()
    done = 0
    opted_out = AlertSettings.objects.filter(digest=False).values("user_id")
    users = (
        User.objects.filter(is_active=True, membership_row__isnull=False)
        .exclude(membership_row__role=Role.ANALYST)
        .exclude(pk__in=opted_out)
        .select_related("membership_row__organisation")
    )
    for user in users:
        key = f"digest|{user.code}|{day}"
        if Alert.objects.filter(dedupe_key=key).exists():
            continue
        items = _digest_items(user, now)
        if not items:
            continue
        with transaction.atomic():
            made = raise_alert(
                organisation=user.membership_row.organisation,
                case=None,
                kind=AlertKind.DIGEST,
                severity=Severity.INFO,
                facts={"days": DIGEST_DAYS, "day": day, "items": items},
                dedupe_key=key,
                recipients=[user],
                channels=["inapp", "email"],
                now=now,
            )
        done += made is not None
    return done


def worker_name() -> str:
    """Who holds a claim: host, process and thread (threads of one process claim apart)."""
    return f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident()}"[:100]


def claim_checks(
    *, now: datetime, worker: str, batch: int = RECHECK_BATCH, lease: timedelta = RECHECK_LEASE
) -> list[int]:
    """Claim up to `batch` case checks due at `now` that no live claim holds; their case ids.

    A check is due at its `next_check_at` (the case's next local midnight, or sooner when a conflict
    provider asked), or at once when it has none yet (stored before the column). The claim is a
    conditional UPDATE in a short transaction; on PostgreSQL the candidates are read with
    FOR UPDATE SKIP LOCKED, so workers claiming side by side take different checks rather than
    queueing behind each other's rows (SQLite runs one writer at a time). A claim lasts `lease`: a
    worker that dies holding it delays its cases by that much, then another takes them.
    """
    due = Q(next_check_at__lte=now) | Q(next_check_at__isnull=True)
    free = Q(claimed_until__isnull=True) | Q(claimed_until__lt=now)
    with transaction.atomic():
        candidates = list(
            CaseCheck.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(due & free)
            .order_by("next_check_at", "pk")
            .values_list("pk", flat=True)[:batch]
        )
        if not candidates:
            return []
        CaseCheck.objects.filter(free, pk__in=candidates).update(claimed_by=worker, claimed_until=now + lease)
        return list(CaseCheck.objects.filter(pk__in=candidates, claimed_by=worker).values_list("case_id", flat=True))


def _release(case_ids: Collection[int], worker: str, **values: Any) -> int:
    return CaseCheck.objects.filter(case_id__in=list(case_ids), claimed_by=worker).update(
        claimed_by="", claimed_until=None, **values
    )


def recheck_claimed(case_ids: Collection[int], *, now: datetime, worker: str) -> int:
    """Recompute the claimed cases whose answers may have changed with time alone; how many.

    The engine and the conflict providers run outside any transaction (they only read); the rows
    are then compared and written for the whole batch in one short transaction that first checks,
    with the checks' rows locked, that this worker still holds each claim and that no one
    recomputed the case meanwhile (an event recorded since): a case that fails either is left
    alone. Should the batch's transaction fail, each case is recomputed on its own, so that one
    case's fault does not stop the others' alerts.
    """
    cases = list(batch_of_cases().filter(pk__in=list(case_ids)))
    evaluated: list[Evaluated] = []
    try:
        return _recheck(cases, case_ids, now=now, worker=worker, evaluated=evaluated)
    finally:
        _let_go(cases, evaluated)


def _let_go(cases: Iterable[Case], evaluated: Iterable[Evaluated]) -> None:
    """Drop what a batch kept on its cases and facts (the events' rows, the timelines), which would
    otherwise stay in reference cycles until the garbage collector walked them."""
    for case in cases:
        forget_event_rows(case)
    for found in evaluated:
        found.facts.readings.forget()


def _recheck(
    cases: list[Case], case_ids: Collection[int], *, now: datetime, worker: str, evaluated: list[Evaluated]
) -> int:
    """`recheck_claimed` of the cases read; what the engine found goes into `evaluated` as it is found."""
    checks = {
        c.case_id: c
        for c in CaseCheck.objects.filter(case_id__in=list(case_ids)).only(
            "case_id", "today", "recheck_at", "computed_at"
        )
    }
    due: list[Case] = []
    waiting: list[Case] = []
    for case in cases:
        check = checks[case.pk]
        asked = check.recheck_at is not None and check.recheck_at <= now
        (due if asked or case_today(case, now) > check.today else waiting).append(case)
    for case in waiting:  # stored before next_check_at was: not yet the next day on its clock
        check = checks[case.pk]
        _release([case.pk], worker, next_check_at=next_check(case, check.today, check.recheck_at))
    try:
        evaluated += evaluate_cases(due, now=now)
        with transaction.atomic():
            held = dict(
                CaseCheck.objects.select_for_update(of=("self",))
                .filter(case_id__in=[c.pk for c in due], claimed_by=worker)
                .values_list("case_id", "computed_at")
            )
            mine = [e for e in evaluated if held.get(e.case.pk) == checks[e.case.pk].computed_at]
            store_evaluated(mine, cause="clock", now=now)
            _release(held, worker)  # those someone recomputed meanwhile
        return len(mine)
    except Exception:  # one case's fault must not stop the others' alerts: each case on its own
        log.exception("recomputing a batch of %d cases failed; each is tried on its own", len(due))
    done = 0
    for case in due:
        try:
            with transaction.atomic():
                if not CaseCheck.objects.filter(case=case, claimed_by=worker).exists():
                    continue
                recompute_case(case=case, cause="clock", now=now)
                _release([case.pk], worker)
        except Exception:  # left claimed: tried again when the claim runs out
            log.exception("recomputing case %s failed", case.code)
            continue
        done += 1
    return done


def recheck_cases(
    *, now: datetime, worker: str | None = None, batch: int = RECHECK_BATCH, budget: float = RECHECK_SECONDS
) -> int:
    """Recompute cases whose deadlines or conflicts may have changed with time alone; how many.

    Claims a batch, recomputes it, and again, until none is due or `budget` seconds have passed (the
    rest waits for the next clock pass). Any number of workers can run it side by side: each takes
    its own cases (`claim_checks`), and none is recomputed twice.
    """
    worker = worker or worker_name()
    started = monotonic()
    done = 0
    with fewer_collections():
        while True:
            claimed = claim_checks(now=now, worker=worker, batch=batch)
            if not claimed:
                return done
            done += recheck_claimed(claimed, now=now, worker=worker)
            gc.collect(0)  # the batch's own cycles (model instances and their related ones), few and young
            if monotonic() - started >= budget:
                return done


class _Collections:
    """The process's garbage collector thresholds while any thread re-checks, and what they were."""

    lock = threading.Lock()
    inside = 0
    saved: tuple[int, int, int] = (700, 10, 10)


@contextmanager
def fewer_collections() -> Iterator[None]:
    """Run the collector's youngest generation every RECHECK_GC_THRESHOLD allocations meanwhile, then
    restore the thresholds (the process's, shared by its threads: the first in sets, the last out restores)."""
    with _Collections.lock:
        if not _Collections.inside:
            _Collections.saved = gc.get_threshold()
            gc.set_threshold(max(RECHECK_GC_THRESHOLD, _Collections.saved[0]), *_Collections.saved[1:])
        _Collections.inside += 1
    try:
        yield
    finally:
        with _Collections.lock:
            _Collections.inside -= 1
            if not _Collections.inside:
                gc.set_threshold(*_Collections.saved)

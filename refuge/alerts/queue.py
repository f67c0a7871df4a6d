"""Turning what the engine derived into alerts, and alerts into notifications and outbox rows.

`queue_recomputed` runs at the end of every recomputation (hooks.CASE_RECOMPUTED, refuge/wiring),
inside the transaction of the change that caused it: the alerts commit with the change or not at
all (a transactional outbox). `raise_alert` is the one way an alert is made and addressed.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone, translation

from refuge.accounts.models import Membership, Organisation, Role, User
from refuge.alerts import texts
from refuge.alerts.channels import registry
from refuge.alerts.models import (
    Alert,
    AlertKind,
    AlertSettings,
    Delivery,
    DeliveryState,
    EscalationPolicy,
    Level,
    Notification,
    OnCallShift,
    Reminder,
    settings_for,
)
from refuge.cases.bulk import insert_rows
from refuge.cases.derived import SEVERITY_RANK, Change, Conflict, Deadline, DerivedChange, NewRow, Severity
from refuge.cases.models import QUIET_STATUSES, CaseMember

if TYPE_CHECKING:
    from refuge.accounts.models import Organisation
    from refuge.cases.models import Case
    from refuge.cases.recompute import Recomputed

# A date-only reminder fires at this hour on its day, on the deadline's own clock.
REMINDER_HOUR = time(9, 0)
# Causes whose new deadlines are not news: the whole timeline arrived at once (the team gets the
# case's conflicts, and the digest and reminders for its deadlines).
BULK_CAUSES = {"import", "demo"}


def escalate_after(organisation: Organisation) -> timedelta:
    policy = EscalationPolicy.objects.filter(organisation=organisation).first()
    minutes = policy.escalate_after_minutes if policy else settings.REFUGE_ESCALATE_AFTER_MINUTES
    return timedelta(minutes=minutes)


def channels_for(
    user: User, severity: str, *, only: list[str] | None = None, known: dict[int, AlertSettings] | None = None
) -> dict[str, str]:
    """The user's channels for a severity (or `only` these) with their address; one with no address is skipped.

    `known`: the settings of users already read by the caller (by user id), added to as they are read."""
    prefs = known.get(user.pk) if known is not None else None
    if prefs is None:
        prefs = settings_for(user)
        if known is not None:
            known[user.pk] = prefs
    chosen: dict[str, str] = {}
    for kind in only if only is not None else prefs.channels_for(severity):
        channel = registry.get(kind)
        if channel is None:
            continue
        address = channel.address_for(user, prefs)
        if address is not None:
            chosen[kind] = address
    if severity == Severity.CRITICAL:
        chosen.setdefault("inapp", "")  # a critical alert is always in the bell
    return chosen


def deliver(
    alert: Alert,
    users: Iterable[User],
    *,
    level: int,
    now: datetime,
    channels: list[str] | None = None,
    new: bool = False,
    known: dict[int, AlertSettings] | None = None,
) -> list[User]:
    """Address an alert to users not yet told: a notification and an outbox row per channel.

    The channels are each user's for the alert's severity, or `channels` (those the user has an
    address for) where the kind of alert fixes them (the digest is an e-mail). `new`: the alert was
    made in this transaction, so no one has been told yet (nothing is read). `known`: see `channels_for`.
    """
    already = set() if new else set(Notification.objects.filter(alert=alert).values_list("user_id", flat=True))
    told: list[User] = []
    notes: list[Notification] = []
    rows: list[Delivery] = []
    for user in users:
        if user.pk in already or not user.is_active:
            continue
        already.add(user.pk)
        told.append(user)
        notes.append(Notification(alert=alert, user=user, level=level, created_at=now))
        for kind, address in channels_for(user, alert.severity, only=channels, known=known).items():
            if kind != "inapp":
                rows.append(
                    Delivery(alert=alert, user=user, channel=kind, address=address, next_attempt_at=now, created_at=now)
                )
    Notification.objects.bulk_create(notes)
    Delivery.objects.bulk_create(rows)
    return told


def team_of(case: Case) -> list[User]:
    return list(User.objects.filter(case_memberships__case=case, is_active=True).order_by("username"))


def admins_of(organisation: Organisation) -> list[User]:
    return list(
        User.objects.filter(
            membership_row__organisation=organisation, membership_row__role=Role.ADMIN, is_active=True
        ).order_by("username")
    )


def week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def oncall_of(organisation: Organisation, now: datetime) -> list[User]:
    monday = week_start(timezone.localdate(now, ZoneInfo(settings.REFUGE_ROTA_TIMEZONE)))
    ids = OnCallShift.objects.filter(organisation=organisation, week_start=monday).values_list("user_id", flat=True)
    members = Membership.objects.filter(organisation=organisation, user_id__in=list(ids)).exclude(role=Role.ANALYST)
    return list(User.objects.filter(pk__in=members.values("user_id"), is_active=True).order_by("username"))


def raise_alert(  # the alert's fields, by keyword
    *,
    organisation: Organisation,
    case: Case | None,
    kind: str,
    severity: str,
    subject: str = "",
    body: str = "",
    facts: dict[str, Any] | None = None,
    item_key: str = "",
    due_at: datetime | None = None,
    dedupe_key: str | None = None,
    recipients: Iterable[User] | None = None,
    channels: list[str] | None = None,
    now: datetime | None = None,
    known: dict[int, AlertSettings] | None = None,
) -> Alert | None:
    """Make an alert and address it (to the case team, or to the organisation's admins without a case).

    `facts` say what it is about, language-free (refuge.alerts.texts): its subject and body are
    composed from them in each reader's language, and stored once in the server's language as its
    record. With a `dedupe_key` already used, nothing is made and None is returned. `known`: the
    recipients' alert settings already read by the caller (`channels_for`).
    """
    now = now or timezone.now()
    alert = Alert(
        organisation=organisation,
        case=case,
        kind=kind,
        severity=severity,
        subject=subject,
        body=body,
        facts=facts or {},
        item_key=item_key,
        due_at=due_at,
        dedupe_key=dedupe_key,
        created_at=now,
        escalate_at=now + escalate_after(organisation) if severity == Severity.CRITICAL else None,
    )
    if facts:
        with translation.override(settings.LANGUAGE_CODE):
            alert.subject, alert.body = texts.subject(alert, now=now), texts.body(alert, now=now)
    alert.subject = alert.subject[:300]
    if dedupe_key is not None:
        try:
            with transaction.atomic():
                alert.save()
        except IntegrityError:  # made by another process in the meantime
            return None
    else:
        alert.save()
    if recipients is None:
        recipients = team_of(case) if case is not None else admins_of(organisation)
    deliver(alert, recipients, level=Level.TEAM, now=now, channels=channels, new=True, known=known)
    return alert


def _due_at(row: Deadline | NewRow | None, after: dict[str, Any] | None) -> str:
    """The deadline's due instant (ISO) as the change reports it, else as the row has it ("" when none)."""
    due = (after or {}).get("due_at")
    if isinstance(due, str) and due:
        return due
    return row.due_at.isoformat() if row is not None and row.due_at is not None else ""


def _alert_for_change(  # noqa: PLR0911  # one answer per kind of change
    change: Change, deadlines: Mapping[str, Deadline | NewRow]
) -> tuple[str, str, dict[str, Any]] | None:
    """(kind, severity, facts) for one derived change, or None when it is not worth telling."""
    facts: dict[str, Any] = {"code": change.kind}
    if change.item == "conflict":
        if change.change == DerivedChange.Change.ADDED:
            return AlertKind.CONFLICT_RAISED, (change.after or {}).get("severity", Severity.HIGH), facts
        if change.change == DerivedChange.Change.REMOVED:
            return AlertKind.CONFLICT_CLEARED, Severity.INFO, facts
        return None
    row = deadlines.get(change.key)
    severity = row.severity if row is not None else Severity.INFO
    status = (change.after or {}).get("status")
    if change.change == DerivedChange.Change.ADDED:
        if status != "open" or change.cause in BULK_CAUSES:
            return None
        return AlertKind.DEADLINE_ADDED, severity, {**facts, "due_at": _due_at(row, change.after)}
    if change.change == DerivedChange.Change.MOVED:
        return AlertKind.DEADLINE_MOVED, severity, {**facts, "due_at": _due_at(row, change.after)}
    if change.change == DerivedChange.Change.STATUS:
        if status == "missed":
            severe = Severity.CRITICAL if severity == Severity.CRITICAL else Severity.HIGH
            return AlertKind.DEADLINE_MISSED, severe, facts
        return AlertKind.DEADLINE_CLOSED, Severity.INFO, {**facts, "status": status or ""}
    if change.change == DerivedChange.Change.REMOVED:
        return AlertKind.DEADLINE_REMOVED, Severity.INFO, facts
    return None


def _basis_facts(change: Change, row: Deadline | NewRow | None, conflict: Conflict | NewRow | None) -> dict[str, Any]:
    """What happened and on what basis (refuge.alerts.texts words it): event keys, rule ids, the packs' legal texts."""
    facts: dict[str, Any] = {}
    if change.cause_event:
        facts.update(cause_event=change.cause_event, cause=change.cause)
    if change.before and change.after and change.change == DerivedChange.Change.MOVED:
        was = change.before.get("due_at")
        if isinstance(was, str) and was:
            facts["was_due"] = was
    if row is not None:
        facts.update(rule=row.rule, rule_basis=row.basis)
    if conflict is not None:
        facts.update(
            events=list(conflict.events),
            basis=conflict.basis,
            notify=list(conflict.notify),
            flags=list(conflict.flags),
        )
    return {k: v for k, v in facts.items() if v not in ("", [], None)}


def _without_reshuffles(changes: list[Change]) -> list[Change]:
    """The changes worth an alert: a conflict of one kind that went and came back in the same
    recomputation (the engine now reads other events for it) is the same danger still standing, so
    neither "cleared" nor a second "raised" is sent, unless it came back more severe."""
    gone = {c.kind: c for c in changes if c.item == "conflict" and c.change == DerivedChange.Change.REMOVED}
    came = {c.kind: c for c in changes if c.item == "conflict" and c.change == DerivedChange.Change.ADDED}
    standing: set[str] = set()  # neither change is told
    worse: set[str] = set()  # only the new, more severe one is told
    for kind, added in came.items():
        removed = gone.get(kind)
        if removed is None:
            continue
        before = SEVERITY_RANK.get((removed.before or {}).get("severity", ""), 9)
        after = SEVERITY_RANK.get((added.after or {}).get("severity", ""), 9)
        (worse if after < before else standing).add(kind)

    def told(change: Change) -> bool:
        if change.item != "conflict":
            return True
        if change.kind in worse:
            return change.change != DerivedChange.Change.REMOVED
        return change.kind not in standing

    return [c for c in changes if told(c)]


def queue_recomputed(result: Recomputed) -> None:
    """The hook: alerts for the new and changed deadlines and conflicts, and the reminders' rows.

    Alerts are stored once for every recipient: what they are about is kept language-free (facts)
    and worded for each reader (refuge.alerts.texts); their record text is in the server's language
    (English), whatever language the request that changed the case was in.
    """
    with translation.override(settings.LANGUAGE_CODE):
        _queue_recomputed(result)


def _queue_recomputed(result: Recomputed) -> None:
    case = result.case
    now = result.now or timezone.now()
    # The rows as the recomputation left them (`Recomputed.deadlines`), else read.
    deadlines = {d.key: d for d in (case.deadlines.all() if result.deadlines is None else result.deadlines)}
    if case.status in QUIET_STATUSES or result.quiet:  # a closed case (or an archive's dormant one) alerts no one
        sync_reminders(deadlines.values(), now=now)
        return
    conflicts = {c.key: c for c in case.conflicts.all()} if any(c.item == "conflict" for c in result.changes) else {}
    team: list[User] | None = None
    known: dict[int, AlertSettings] = {}  # the team's alert settings, read once for all the alerts
    for change in _without_reshuffles(result.changes):
        found = _alert_for_change(change, deadlines)
        if found is None:
            continue
        kind, severity, facts = found
        if team is None:
            team = team_of(case)
        row = deadlines.get(change.key) if change.item == "deadline" else None
        raise_alert(
            organisation=case.organisation,
            case=case,
            kind=kind,
            severity=severity,
            facts={
                **facts,
                **_basis_facts(change, row, conflicts.get(change.key) if change.item == "conflict" else None),
            },
            item_key=change.key,
            due_at=row.due_at if row is not None else None,
            recipients=team,
            now=now,
            known=known,
        )
    sync_reminders(deadlines.values(), now=now)


def queue_imported(results: list[Recomputed]) -> None:
    """The hook for cases just created in bulk (`refuge import`): what `queue_recomputed` makes for
    each case, with a handful of queries for the whole batch. Quiet results (an archive's dormant
    or closed cases) alert no one."""
    with translation.override(settings.LANGUAGE_CODE):
        _queue_imported(results)


def _rows_of(
    results: list[Recomputed], cases: dict[int, Case]
) -> tuple[dict[int, dict[str, Deadline | NewRow]], dict[int, dict[str, Conflict | NewRow]]]:
    """Each case's deadline and conflict rows by key: an import's as it just inserted them (not read
    back); those of cases recomputed in a batch (the clock) read, once for all of them."""
    deadlines: dict[int, dict[str, Deadline | NewRow]] = {pk: {} for pk in cases}
    conflicts: dict[int, dict[str, Conflict | NewRow]] = {pk: {} for pk in cases}
    stored: list[int] = []  # cases recomputed in a batch (the clock): their rows are read, once for all
    for result in results:  # the rows recompute_new_cases just inserted, with their ids: not read back
        if result.new_deadlines is None or result.new_conflicts is None:
            stored.append(result.case.pk)
            continue
        deadlines[result.case.pk] = {row.key: row for row in result.new_deadlines}
        conflicts[result.case.pk] = {row.key: row for row in result.new_conflicts}
    if stored:
        for deadline in Deadline.objects.filter(case_id__in=stored):
            deadline.case = cases[deadline.case_id]
            deadlines[deadline.case_id][deadline.key] = deadline
        for raised in Conflict.objects.filter(case_id__in=stored):
            conflicts[raised.case_id][raised.key] = raised
    return deadlines, conflicts


ALERT_FIELDS = (
    "code", "organisation", "case", "kind", "severity", "subject", "body", "facts", "item_key", "due_at",
    "dedupe_key", "created_at", "level", "escalate_at", "acknowledged_at", "acknowledged_by", "acknowledged_via",
)  # fmt: skip
NOTIFICATION_FIELDS = ("alert", "user", "level", "created_at", "read_at")
DELIVERY_FIELDS = (
    "alert", "user", "channel", "address", "idempotency_key", "state", "attempts", "next_attempt_at",
    "lease_until", "leased_by", "last_error", "created_at", "sent_at",
)  # fmt: skip


@dataclass
class _Told:
    """What the texts read of an alert about to be inserted as values (texts.Told)."""

    kind: str
    facts: dict[str, Any]
    case: Case | None
    subject: str = ""
    body: str = ""


def _queue_imported(results: list[Recomputed]) -> None:
    """The alerts, notifications and deliveries of a batch as rows of values (`insert_rows`): the
    values `raise_alert` stores; each distinct sentence of their record texts composed once."""
    if not results:
        return
    cases = {r.case.pk: r.case for r in results}
    deadlines, conflicts = _rows_of(results, cases)
    teams: dict[int, list[User]] = {pk: [] for pk in cases}
    members = CaseMember.objects.filter(case_id__in=list(cases), user__is_active=True).select_related("user")
    for member in members.order_by("user__username"):
        teams[member.case_id].append(member.user)
    escalation: dict[int, timedelta] = {}
    composers: dict[datetime, texts.Composer] = {}
    alerts: list[tuple[Any, ...]] = []  # ALERT_FIELDS
    made: list[tuple[str, datetime, list[User]]] = []  # each alert's severity, time and team
    for result in results:
        case, now = result.case, result.now or timezone.now()
        if case.status in QUIET_STATUSES or result.quiet:
            continue
        composer = composers.get(now) or composers.setdefault(now, texts.Composer(now))
        for change in _without_reshuffles(result.changes):
            found = _alert_for_change(change, deadlines[case.pk])
            if found is None:
                continue
            kind, severity, facts = found
            row = deadlines[case.pk].get(change.key) if change.item == "deadline" else None
            conflict = conflicts[case.pk].get(change.key) if change.item == "conflict" else None
            if severity == Severity.CRITICAL and case.organisation_id not in escalation:
                escalation[case.organisation_id] = escalate_after(case.organisation)
            told = _Told(kind, {**facts, **_basis_facts(change, row, conflict)}, case)
            # Its record text, in the server's language (queue_imported holds that language): as raise_alert.
            alerts.append(
                (
                    uuid.uuid4(), case.organisation_id, case.pk, kind, severity,
                    composer.subject(told)[:300], composer.body(told), told.facts, change.key,
                    row.due_at if row is not None else None, None, now, Level.TEAM,
                    now + escalation[case.organisation_id] if severity == Severity.CRITICAL else None,
                    None, None, "",
                )
            )  # fmt: skip
            made.append((severity, now, teams[case.pk]))
    ids = insert_rows(Alert, ALERT_FIELDS, alerts)
    chosen: dict[tuple[int, str], dict[str, str]] = {}
    notes: list[tuple[Any, ...]] = []  # NOTIFICATION_FIELDS
    rows: list[tuple[Any, ...]] = []  # DELIVERY_FIELDS
    for alert_id, (severity, created, team) in zip(ids, made, strict=True):
        for user in team:
            notes.append((alert_id, user.pk, Level.TEAM, created, None))
            key = (user.pk, severity)
            if key not in chosen:
                chosen[key] = channels_for(user, severity)
            rows.extend(
                (
                    alert_id, user.pk, kind, address, uuid.uuid4(), DeliveryState.PENDING, 0, created,
                    None, "", "", created, None,
                )
                for kind, address in chosen[key].items()
                if kind != "inapp"
            )  # fmt: skip
    insert_rows(Notification, NOTIFICATION_FIELDS, notes)
    insert_rows(Delivery, DELIVERY_FIELDS, rows)
    now = results[0].now or timezone.now()
    inserted = {r.case.pk for r in results if r.new_deadlines is not None}  # an import's: no reminder yet
    for new in (False, True):
        kept = [row for pk, of_case in deadlines.items() if (pk in inserted) is new for row in of_case.values()]
        sync_reminders(kept, now=now, new=new)


def queue_recomputed_batch(results: list[Recomputed]) -> None:
    """The hook for many stored cases recomputed at once (the clock's re-check): what `queue_recomputed`
    makes for each case. `queue_imported`'s batch reads each case's stored rows and compares nothing
    with a case's past, so it serves the cases that changed as it serves new ones; the others (most,
    at a day's end) only have their reminders kept in step, from the rows the batch holds."""
    changed = [r for r in results if r.changes or r.deadlines is None]
    if changed:
        queue_imported(changed)
    unchanged = [r for r in results if not (r.changes or r.deadlines is None)]
    if unchanged:
        sync_reminders([row for r in unchanged for row in r.deadlines or ()], now=unchanged[0].now or timezone.now())


def reminder_instants(deadline: Deadline | NewRow) -> list[datetime]:
    zone = ZoneInfo(deadline.timezone) if deadline.timezone else ZoneInfo("UTC")
    out = []
    for value in deadline.reminders:
        if "T" in value:
            out.append(datetime.fromisoformat(value))
        else:
            out.append(datetime.combine(date.fromisoformat(value), REMINDER_HOUR, tzinfo=zone))
    return out


def sync_reminders(deadlines: Iterable[Deadline | NewRow], *, now: datetime, new: bool = False) -> None:
    """Keep one unfired Reminder row per future reminder of each open deadline. `new`: the deadlines
    were inserted in this transaction (an import's), so none has a reminder yet: none is read."""
    deadlines = list(deadlines)
    have: dict[tuple[int, datetime], tuple[int, datetime | None]] = {}  # (deadline, at) -> (id, fired_at)
    if not new:
        stored = Reminder.objects.filter(deadline_id__in=[d.pk for d in deadlines])
        for pk, deadline_id, at, fired_at in stored.values_list("id", "deadline", "at", "fired_at"):
            have[(deadline_id, at)] = (pk, fired_at)
    wanted: set[tuple[Any, datetime]] = set()  # (the deadline's id, when)
    for deadline in deadlines:
        if deadline.status == "open" and deadline.case.status not in QUIET_STATUSES:
            wanted.update((deadline.pk, at) for at in reminder_instants(deadline) if at > now)
    stale = [pk for key, (pk, fired_at) in have.items() if key not in wanted and fired_at is None]
    if stale:
        Reminder.objects.filter(pk__in=stale).delete()
    Reminder.objects.bulk_create([Reminder(deadline_id=pk, at=at) for pk, at in wanted if (pk, at) not in have])


FAILED_UNSEALS_CRITICAL = 5  # from this many failed attempts on, the alert is critical (it escalates)


def alert_failed_unseal(count: int) -> None:
    """Tell every organisation's admins that someone tried to unseal the vault and failed.

    At most one alert per organisation and hour (with the count so far), so a guessing attack does
    not bury the admins in messages; from the fifth failure on the alert is critical.
    """

    now = timezone.now()
    hour = now.strftime("%Y-%m-%dT%H")
    severity = Severity.CRITICAL if count >= FAILED_UNSEALS_CRITICAL else Severity.HIGH
    for organisation in Organisation.objects.all():
        raise_alert(
            organisation=organisation,
            case=None,
            kind=AlertKind.SYSTEM,
            severity=severity,
            facts={"system": texts.UNSEAL_FAILED, "count": count},
            dedupe_key=f"unseal-failed|{organisation.pk}|{severity}|{hour}",
            now=now,
        )

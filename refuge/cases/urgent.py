"""What needs attention across a user's cases: the dashboard's urgent panel.

Each case's next scheduled removal comes first (soonest first), with the engine's word on its
protection (not protected is critical); then critical items, then the rest, each by the time to
the case's next removal or the deadline's due instant. Closed cases are never
here. Only pseudonymous references and kinds are shown, never a client's name.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

from refuge.accounts.models import Role
from refuge.cases.derived import Conflict, Deadline
from refuge.cases.law import conflict_label, deadline_label
from refuge.cases.models import QUIET_STATUSES, Case, CaseMember
from refuge.cases.removals import Removal, upcoming
from refuge.cases.templatetags.refuge_pages import code_url  # reverse() without its cost per item
from refuge.lib.ids import Ids

if TYPE_CHECKING:
    from django.db.models import QuerySet

    from refuge.accounts.models import User

CONFLICT_LIMIT = 10
DEADLINE_LIMIT = 15
# What the panel shows of a conflict and of a deadline (with their case, whole): not their bases,
# reminders, alternatives and calendars.
CONFLICT_FIELDS = ("case", "kind", "severity")
DEADLINE_FIELDS = ("case", "kind", "severity", "due_at", "due_date", "flags")


@dataclass(frozen=True)
class UrgentItem:
    severity: str
    reference: str
    url: str
    title: str
    due: datetime | date | None = None
    overdue: bool = False
    late_notice: bool = False  # the engine's LATE_NOTICE: learnt after its date, open until the removal
    kind: str = "deadline"
    zone: str = ""  # the case's clock, on which `due` is shown
    removal: Removal | None = None
    case_pk: int | None = None
    at: datetime | None = None  # what the panel sorts by: the removal, or the deadline's instant


LATE_NOTICE = "LATE_NOTICE"
REMOVAL_SEVERITY = {False: "critical", None: "high", True: "medium"}  # by the engine's `protected`


def urgent_items(user: User, *, now: datetime) -> list[UrgentItem]:
    member = user.membership()
    if member is None:
        return []
    mine: Ids | None = None
    if member.role not in (Role.ADMIN, Role.ANALYST):
        # A team member's few live cases, read once from the team rows (index on user): probing the
        # organisation's 70,000 cases for membership costs SQLite 200 ms. Their list is made once
        # for the three queries that name it (refuge.lib.ids).
        mine = Ids(
            CaseMember.objects.filter(user_id=user.pk)
            .exclude(case__status__in=QUIET_STATUSES)
            .values_list("case_id", flat=True)
        )
    items = _conflicts_and_deadlines(member, now, mine)
    cases: QuerySet[Case] | Ids
    if mine is None:
        cases = Case.objects.filter(organisation_id=member.organisation_id).exclude(status__in=QUIET_STATUSES)
    else:
        cases = mine  # live by construction
    removals = upcoming(cases, now)
    next_at = {r.case.pk: r.removal_at for r in removals}
    items.extend(removal_item(r) for r in removals)
    far = datetime.max.replace(tzinfo=UTC)

    def order(item: UrgentItem) -> tuple[int, datetime]:
        when = item.at or (next_at.get(item.case_pk, far) if item.case_pk is not None else far)
        if item.kind == "removal":  # the single most urgent fact of a case: always on top, soonest first
            return (0, when)
        return (1 if item.severity == "critical" else 2, when)

    return sorted(items, key=order)


def removal_item(removal: Removal) -> UrgentItem:
    """A case's next removal as the panel shows it, its severity by the engine's word on protection."""
    return UrgentItem(
        severity=REMOVAL_SEVERITY[removal.protected],
        reference=removal.case.reference,
        url=code_url("case_detail", removal.case.code),
        title="Removal",
        kind="removal",
        zone=removal.case.timezone,
        removal=removal,
        at=removal.removal_at,
    )


def _conflicts_and_deadlines(member: Any, now: datetime, mine: Ids | None) -> list[UrgentItem]:
    """`mine`: a team member's live cases; None for those who see the whole organisation."""
    if mine is None:
        # The whole organisation: walk its indexes in order, one severity at a time (an index on
        # (organisation, rank, raised_at) gives "newest first" per rank without sorting 100,000 rows).
        conflicts: list[Conflict] = []
        for rank in (0, 1):
            conflicts += (
                Conflict.objects.filter(organisation_id=member.organisation_id, severity_rank=rank)
                .exclude(case__status__in=QUIET_STATUSES)
                .select_related("case")
                .only(*CONFLICT_FIELDS)
                .order_by("-raised_at")[: CONFLICT_LIMIT - len(conflicts)]
            )
            if len(conflicts) >= CONFLICT_LIMIT:
                break
        deadlines = Deadline.objects.filter(organisation_id=member.organisation_id, status="open").exclude(
            case__status__in=QUIET_STATUSES
        )
    else:
        # A team member's few cases: drive the queries from them (the per-case indexes), then sort
        # the few hundred rows; the organisation's indexes would walk everyone's items.
        conflicts = list(
            Conflict.objects.filter(case_id__in=mine, severity_rank__lte=1)
            .select_related("case")
            .only(*CONFLICT_FIELDS)
            .order_by("severity_rank", "-raised_at")[:CONFLICT_LIMIT]
        )
        deadlines = Deadline.objects.filter(case_id__in=mine, status="open")
    items = [
        UrgentItem(
            severity=c.severity,
            reference=c.case.reference,
            url=code_url("case_detail", c.case.code) + "#conflicts",
            title=conflict_label(c.kind),
            kind="conflict",
            case_pk=c.case_id,
        )
        for c in conflicts
    ]
    items.extend(
        UrgentItem(
            severity=d.severity,
            reference=d.case.reference,
            url=code_url("case_detail", d.case.code) + "#deadlines",
            title=deadline_label(d.kind),
            due=d.due_at or d.due_date,
            zone=d.case.timezone,
            at=d.due_at,
            case_pk=d.case_id,
            overdue=bool(d.due_at and d.due_at < now) and LATE_NOTICE not in (d.flags or ()),
            late_notice=LATE_NOTICE in (d.flags or ()),
        )
        for d in deadlines.select_related("case").only(*DEADLINE_FIELDS).order_by("due_at")[:DEADLINE_LIMIT]
    )
    return items

"""Statistics: keep each case's counts, build the protected tables, and record who saw or released what."""

from __future__ import annotations

import re
import uuid
from collections import Counter
from collections.abc import Iterable
from datetime import date
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, connections, router, transaction
from django.db.models import Count, F
from django.utils import timezone

from refuge.audit.actions import record
from refuge.audit.events import EventType
from refuge.cases.bulk import insert_rows
from refuge.rules import evaluate, parse_facts, timeline
from refuge.rules.outcomes import case_counts
from refuge.stats.disclosure import check_threshold
from refuge.stats.models import StatCount, StatRelease, StatsSettings, StatTotal
from refuge.stats.tables import DIMENSIONS, NONE, TABLES, Aggregate, Cube, build_cube, protect_cube, spec

if TYPE_CHECKING:
    from refuge.accounts.models import Organisation, User
    from refuge.cases.models import Case
    from refuge.rules import CheckReport, Facts, PackSet, Timeline


# -- counts --------------------------------------------------------------------------------------


_CELL = ("table", "row", "year", "quarter", "host_state", "nationality")
Cell = tuple[str, str, int, int, str, str]


def refresh_case_stats(
    *,
    case: Case,
    packs: PackSet,
    casefile: dict[str, Any] | None = None,
    today: date | None = None,
    facts: Facts | None = None,
    report: CheckReport | None = None,
) -> int:
    """Rewrite what one case adds to its organisation's statistics (in the caller's transaction).

    Counts come from the engine: its parsed facts, its timeline (removals, measures, requests)
    and its report (deadlines met and missed) — refuge.rules.outcomes. Either the case file and
    the day, or the facts parsed from it and the engine's report of that day (a recomputation's own).
    """
    if facts is None or report is None:
        if casefile is None or today is None:
            raise ValueError("refresh_case_stats needs the case file and the day, or the facts and the report")
        facts = parse_facts(casefile, packs)
        report = evaluate(facts, today, packs)
    counts = case_counts(facts, timeline(facts, packs), report)
    nationality = "" if facts.stateless else (facts.nationality or "")
    new = [(c.table, c.row, c.day.year, (c.day.month - 1) // 3 + 1, facts.host_state, nationality) for c in counts]
    old = list(StatCount.objects.filter(case=case).values_list(*_CELL))
    delta = Counter(new)
    delta.subtract(Counter(old))
    if not any(delta.values()):
        return len(new)
    StatCount.objects.filter(case=case).delete()
    StatCount.objects.bulk_create(
        StatCount(organisation_id=case.organisation_id, case=case, **dict(zip(_CELL, cell, strict=True)))
        for cell in new
    )
    _add(case.organisation_id, delta)
    return len(new)


def refresh_cases_stats(*, cases: Iterable[tuple[Case, Facts, CheckReport]], packs: PackSet) -> int:
    """`refresh_case_stats` for a batch of stored cases (the clock's re-check), each given with its parsed
    facts and the engine's report of its day: their counts are read with one query and compared in
    memory; only the cases whose counts changed are rewritten, and the totals updated once per cell."""
    new: dict[int, tuple[Case, list[Cell]]] = {}
    for case, facts, report in cases:
        nationality = "" if facts.stateless else (facts.nationality or "")
        new[case.pk] = (
            case,
            [
                (c.table, c.row, c.day.year, (c.day.month - 1) // 3 + 1, facts.host_state, nationality)
                for c in case_counts(facts, timeline(facts, packs), report)
            ],
        )
    old: dict[int, list[Cell]] = {pk: [] for pk in new}
    for case_id, *cell in StatCount.objects.filter(case_id__in=list(new)).values_list("case_id", *_CELL):
        old[case_id].append((cell[0], cell[1], cell[2], cell[3], cell[4], cell[5]))
    deltas: dict[int, Counter[Cell]] = {}
    changed: list[int] = []
    rows: list[StatCount] = []
    for pk, (case, cells) in new.items():
        delta = Counter(cells)
        delta.subtract(Counter(old[pk]))
        if not any(delta.values()):
            continue
        changed.append(pk)
        rows += [
            StatCount(organisation_id=case.organisation_id, case=case, **dict(zip(_CELL, cell, strict=True)))
            for cell in cells
        ]
        deltas.setdefault(case.organisation_id, Counter()).update(delta)  # update adds: negatives stay
    if changed:
        StatCount.objects.filter(case_id__in=changed).delete()
        StatCount.objects.bulk_create(rows, batch_size=500)
    for organisation_id, delta in sorted(deltas.items()):
        _add_many(organisation_id, delta)
    return len(rows)


def add_new_cases_stats(*, cases: Iterable[tuple[Case, Facts, Timeline, CheckReport]]) -> int:
    """`refresh_case_stats` for cases just created (a bulk import), given as (case, facts, timeline,
    report) from the engine run that computed their deadlines (not parsed nor evaluated again): they
    have no counts yet, so their counts are inserted at once and the totals updated once per cell."""
    deltas: dict[int, Counter[Cell]] = {}
    rows: list[tuple[Any, ...]] = []  # values, not StatCount instances: nothing reads them back as objects
    for case, facts, case_line, report in cases:
        nationality = "" if facts.stateless else (facts.nationality or "")
        delta = deltas.setdefault(case.organisation_id, Counter())
        for c in case_counts(facts, case_line, report):
            cell = (c.table, c.row, c.day.year, (c.day.month - 1) // 3 + 1, facts.host_state, nationality)
            delta[cell] += 1
            rows.append((case.organisation_id, case.pk, *cell))
    insert_rows(StatCount, ("organisation", "case", *_CELL), rows)
    for organisation_id, delta in deltas.items():
        _add_many(organisation_id, delta)
    return len(rows)


def _add_many(organisation_id: int, delta: Counter[Cell]) -> None:
    """`_add` for many cells: the totals already there are locked, added to and saved with one
    `bulk_update`; the new ones are inserted at once (if another transaction inserts one of them
    meanwhile, `_add` does the lot cell by cell instead)."""
    years = sorted({cell[2] for cell in delta})
    locked = StatTotal.objects.select_for_update().filter(organisation_id=organisation_id, year__in=years)
    have = {tuple(cell): (pk, total) for pk, total, *cell in locked.values_list("id", "n", *_CELL)}
    changed = []  # (new n, id)
    for cell, n in delta.items():
        row = have.get(cell)
        if row is not None and n:
            changed.append((row[1] + n, row[0]))
    new = {cell: n for cell, n in delta.items() if n and cell not in have}
    try:
        with transaction.atomic():  # as values (refuge.cases.bulk): bulk_create compiles every row's SQL
            rows = [(organisation_id, n, *cell) for cell, n in sorted(new.items())]
            insert_rows(StatTotal, ("organisation", "n", *_CELL), rows)
    except IntegrityError:  # a race: the conditional UPDATE, else INSERT, of each cell
        _add(organisation_id, Counter({cell: n for cell, n in delta.items() if cell in new}))
    if changed:  # the rows are locked above: their new values are written as they are, in one executemany
        conn = connections[router.db_for_write(StatTotal)]
        qn = conn.ops.quote_name
        sql = f"UPDATE {qn(StatTotal._meta.db_table)} SET {qn('n')} = %s WHERE {qn('id')} = %s"  # noqa: S608  # model names
        with conn.cursor() as cursor:
            cursor.executemany(sql, changed)
    bump_version(organisation_id)


def forget_case_stats(*, case: Case) -> None:
    """Take a case's counts out of its organisation's totals (before the case is deleted)."""
    delta = Counter(StatCount.objects.filter(case=case).values_list(*_CELL))
    _add(case.organisation_id, Counter({cell: -n for cell, n in delta.items()}))


def _add(organisation_id: int, delta: Counter[Cell]) -> None:
    """Add the differences to the totals: a conditional UPDATE, else an INSERT (retried on a race)."""
    for cell, n in sorted(delta.items()):
        if not n:
            continue
        where = dict(zip(_CELL, cell, strict=True))
        totals = StatTotal.objects.filter(organisation_id=organisation_id, **where)
        if totals.update(n=F("n") + n):
            continue
        try:
            with transaction.atomic():
                StatTotal.objects.create(organisation_id=organisation_id, n=n, **where)
        except IntegrityError:  # another transaction made the row first
            totals.update(n=F("n") + n)
    bump_version(organisation_id)


def rebuild_totals(organisation_id: int) -> int:
    """Add the totals up again from the per-case counts (after a bulk load, or to repair)."""
    with transaction.atomic():
        StatTotal.objects.filter(organisation_id=organisation_id).delete()
        rows = (
            StatCount.objects.filter(organisation_id=organisation_id)
            .values_list(*_CELL)
            .annotate(total=Count("id"))
            .order_by()
        )
        StatTotal.objects.bulk_create(
            (
                StatTotal(organisation_id=organisation_id, n=total, **dict(zip(_CELL, cell, strict=True)))
                for *cell, total in rows
            ),
            batch_size=5000,
        )
        bump_version(organisation_id)
    kept: int = StatTotal.objects.filter(organisation_id=organisation_id).count()
    return kept


def bump_version(organisation_id: int) -> None:
    if not StatsSettings.objects.filter(organisation_id=organisation_id).update(version=F("version") + 1):
        StatsSettings.objects.get_or_create(organisation_id=organisation_id)


UNSAVED = uuid.UUID(int=0)  # the code of an organisation's defaults before anything was stored


def settings_for(organisation: Organisation) -> StatsSettings:
    """The organisation's settings; its defaults (unsaved) until a change stores them: a read writes nothing."""
    found = StatsSettings.objects.filter(organisation=organisation).first()
    return found if found is not None else StatsSettings(organisation=organisation, code=UNSAVED)


def aggregates(organisation_id: int, table: str) -> list[Aggregate]:
    """The organisation's counts of one table, per row, quarter, nationality and host state."""
    rows = StatTotal.objects.filter(organisation_id=organisation_id, table=table, n__gt=0).values_list(
        "row", "year", "quarter", "nationality", "host_state", "n"
    )
    dims: dict[tuple[str, str], tuple[tuple[str, str], ...]] = {}  # one tuple per pair, shared
    found = []
    for r, y, q, nat, host, n in rows:
        pair = dims.get((nat, host))
        if pair is None:
            pair = dims[(nat, host)] = (("nationality", nat), ("host_state", host))
        found.append((r, y, q, pair, n))
    return found


def years_of(aggregates_by_table: Iterable[list[Aggregate]], today: date, threshold: int) -> list[int]:
    """From the first year with at least ``threshold`` counts to this year (at most the last twenty).

    Not the first year with any count: the tables' first column would then tell that something
    happened in a year where a single case may be all there is.
    """
    per_year: Counter[int] = Counter()
    for table in aggregates_by_table:
        for a in table:
            per_year[a[1]] += a[4]
    first = min((y for y, n in per_year.items() if n >= threshold), default=today.year)
    first = max(first, today.year - 19)
    return list(range(first, today.year + 1))


_PERIOD = re.compile(r"^(all|\d{4}(-Q[1-4])?)$")
_GROUP = re.compile(r"^[a-z_]+:([A-Z]{2}|--)$")


def releases_of(organisation_id: int) -> list[tuple[str, str, str, str]]:
    """The organisation's released cells: (table, row, period, group), in a stable order."""
    return sorted(
        StatRelease.objects.filter(organisation_id=organisation_id).values_list("table", "row", "period", "group")
    )


def build_cubes(
    organisation_id: int, *, threshold: int, releases: Iterable[tuple[str, str, str, str]], today: date
) -> dict[str, Cube]:
    """Every table of the organisation as a protected cube, from its totals (the costly step: a
    few hundred ms at 100,000 cases; refuge.stats.builds keeps the result so pages do not pay it)."""
    per_table = {t.id: aggregates(organisation_id, t.id) for t in TABLES}
    years = years_of(per_table.values(), today, threshold)
    released: dict[str, list[tuple[str, str, str]]] = {}
    for table, row, period, group in releases:
        released.setdefault(table, []).append((row, period, group))
    groups = {f"{dim}:{value or NONE}" for table in per_table.values() for a in table for dim, value in a[3]}
    return {
        t.id: protect_cube(
            build_cube(t, per_table[t.id], years, groups), threshold=threshold, released=released.get(t.id, ())
        )
        for t in TABLES
    }


# -- what people see and do ------------------------------------------------------------------------


def record_exact_view(*, user: User, organisation: Organisation, what: str, request: Any = None) -> None:
    """An admin saw the raw counts (page, export or report): on record, with what was seen."""
    record(
        type=EventType.STATS_EXACT_VIEWED,
        actor=user,
        organisation=organisation,
        data={"what": what},
        request=request,
    )


def record_export(*, user: User | None, organisation: Organisation, fmt: str, exact: bool, request: Any = None) -> None:
    record(
        type=EventType.STATS_EXPORTED,
        actor=user,
        organisation=organisation,
        data={"format": fmt, "exact": exact},
        request=request,
    )


@transaction.atomic
def release_cell(
    *, user: User, organisation: Organisation, table: str, row: str, period: str, group: str, reason: str
) -> StatRelease:
    """Publish one cell below the threshold: an admin's deliberate decision, with its reason on record."""
    table_spec = spec(table)
    if row not in dict(table_spec.rows):
        raise ValueError("no such row")
    if not reason.strip():
        raise ValueError("a release needs a reason")
    if group != "*" and (group.split(":", 1)[0] not in DIMENSIONS or not _GROUP.match(group)):
        raise ValueError("no such group")
    if not _PERIOD.match(period):
        raise ValueError("no such period")
    release: StatRelease
    release, _ = StatRelease.objects.update_or_create(
        organisation=organisation,
        table=table,
        row=row,
        period=period,
        group=group,
        defaults={"reason": reason.strip(), "released_by": user, "released_at": timezone.now()},
    )
    record(
        type=EventType.STATS_CELL_RELEASED,
        actor=user,
        organisation=organisation,
        target=("stat_release", str(release.code)),
        data={"table": table, "row": row, "period": period, "group": group},
    )
    bump_version(organisation.pk)
    return release


@transaction.atomic
def withdraw_release(*, user: User, release: StatRelease) -> None:
    record(
        type=EventType.STATS_RELEASE_WITHDRAWN,
        actor=user,
        organisation=release.organisation,
        target=("stat_release", str(release.code)),
    )
    release.delete()
    bump_version(release.organisation_id)


@transaction.atomic
def set_threshold(*, user: User, organisation: Organisation, threshold: int) -> StatsSettings:
    check_threshold(threshold)
    found = settings_for(organisation)
    before = found.threshold
    found.threshold = threshold
    found.version += 1
    if found._state.adding:  # the defaults were never stored
        found.code = uuid.uuid4()
        found.save()
    else:
        found.save(update_fields=["threshold", "version"])
    record(
        type=EventType.STATS_THRESHOLD_CHANGED,
        actor=user,
        organisation=organisation,
        data={"before": before, "after": threshold},
    )
    return found

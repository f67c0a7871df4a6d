"""The fixed tables, the one cube each is cut from, and the slices pages and exports show.

A cube holds every cell a page or an export can publish for one table: each row × each period
(every quarter, every year, all years) × each group (everyone, each nationality, each host
state, and in a network each organisation). It is protected once (refuge.stats.disclosure) and
every view is a slice of it, so no two views can be subtracted into a hidden cell.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.utils.text import format_lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from refuge.casefile.vocab import ENUMS
from refuge.stats.disclosure import Key, Line, Lines, Protected, protect

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

EVERYONE = "*"
ALL = "all"
DIMENSIONS = ("nationality", "host_state")
NONE = "--"  # a blank dimension value (stateless or unknown nationality)


@dataclass(frozen=True)
class TableSpec:
    """One fixed table. The ids and rows are stable machine keys (the CSV's, the releases'); the title,
    labels and notes are lazy translations, in the reader's language where a page or export shows them."""

    id: str
    title: StrOrPromise
    rows: tuple[tuple[str, StrOrPromise], ...]  # (row, label), in display order
    sums: tuple[tuple[str, tuple[str, ...]], ...] = ()  # (total row, the rows it is the sum of)
    headlines: tuple[tuple[str, str, StrOrPromise], ...] = ()  # (part row, whole row, what): "2 of 211" + what
    period_note: StrOrPromise = ""

    def label(self, row: str) -> StrOrPromise:
        return dict(self.rows)[row]


_KIND_LABELS = {"refugee_status": _("Refugee status"), "temporary_asylum": _("Temporary asylum")}
_FORUM_LABELS = {
    "echr": _("ECtHR (Rule 39)"),
    "un_cat": _("UN Committee against Torture"),
    "un_hrc": _("UN Human Rights Committee"),
}
_GRANTED = {
    "refugee_status": _("refugee-status applications granted"),
    "temporary_asylum": _("temporary-asylum applications granted"),
}
_ASYLUM_ROWS = (
    ("applied", _("applied")),
    ("granted", _("granted")),
    ("refused", _("refused")),
    ("pending", _("pending")),
    ("appealed", _("refusal appealed")),
)
_MEASURE_ROWS = (
    ("requested", _("requested")),
    ("granted", _("granted")),
    ("refused", _("refused")),
    ("lifted", _("lifted")),
)

TABLES: tuple[TableSpec, ...] = (
    TableSpec(
        "asylum",
        _("Asylum applications by kind and outcome"),
        tuple(
            (f"{k}.{r}", format_lazy("{}: {}", _KIND_LABELS[k], label))
            for k in ENUMS["asylum_kind"]
            for r, label in _ASYLUM_ROWS
        ),
        tuple((f"{k}.applied", (f"{k}.granted", f"{k}.refused", f"{k}.pending")) for k in ENUMS["asylum_kind"]),
        tuple((f"{k}.granted", f"{k}.applied", _GRANTED[k]) for k in ENUMS["asylum_kind"]),
        _("counted in the period of the application"),
    ),
    TableSpec(
        "measures",
        _("Interim measures by forum"),
        tuple(
            (f"{f}.{r}", format_lazy("{}: {}", _FORUM_LABELS[f], label))
            for f in ENUMS["forum"]
            for r, label in _MEASURE_ROWS
        ),
        (),
        tuple(
            (
                f"{f}.granted",
                f"{f}.requested",
                format_lazy(_("requests to the {forum} granted"), forum=_FORUM_LABELS[f]),
            )
            for f in ENUMS["forum"]
        ),
        _("counted in the period of each request, grant, refusal or lifting"),
    ),
    TableSpec(
        "removals",
        _("Removals, and removals carried out while an interim measure was in force"),
        (
            ("executed", _("removals carried out")),
            ("executed_during_measure", _("carried out while a measure was in force")),
            ("cancelled", _("removals cancelled")),
        ),
        (),
        (("executed_during_measure", "executed", _("removals carried out while an interim measure was in force")),),
        _("counted in the period of the removal"),
    ),
    TableSpec(
        "detentions",
        _("Detentions and their length"),
        (
            ("detained", _("detentions")),
            ("days_0_2", _("up to 2 days")),
            ("days_3_30", _("3 to 30 days")),
            ("days_31_90", _("31 to 90 days")),
            ("days_over_90", _("over 90 days")),
            ("ongoing", _("not yet released")),
        ),
        (("detained", ("days_0_2", "days_3_30", "days_31_90", "days_over_90", "ongoing")),),
        (),
        _("counted in the period the detention began"),
    ),
    TableSpec(
        "deadlines",
        _("Deadlines met and missed"),
        (("met", _("met")), ("missed", _("missed"))),
        (),
        (),
        _("counted in the period of the due date"),
    ),
    TableSpec(
        "first_filing",
        _("Time from a removal order to the first filing"),
        (
            ("orders", _("removal orders")),
            ("same_day", _("filed the same day")),
            ("days_1_3", _("1 to 3 days")),
            ("days_4_10", _("4 to 10 days")),
            ("days_over_10", _("over 10 days")),
            ("no_filing", _("nothing filed")),
        ),
        (("orders", ("same_day", "days_1_3", "days_4_10", "days_over_10", "no_filing")),),
        (),
        _("counted in the period of the order"),
    ),
)
TABLE_IDS = tuple(t.id for t in TABLES)


def spec(table: str) -> TableSpec:
    return next(t for t in TABLES if t.id == table)


# One aggregated count: (row, year, quarter, ((dimension, value), ...), n)
Aggregate = tuple[str, int, int, tuple[tuple[str, str], ...], int]


@dataclass
class Cube:
    spec: TableSpec
    years: tuple[int, ...]
    groups: tuple[str, ...]  # "*", "nationality:KP", "host_state:RU", ...
    values: dict[Key, int] = field(default_factory=dict)  # (row, period, group) -> count
    lines: Lines = field(default_factory=lambda: Lines((), {}))
    protected: Protected | None = None

    def periods(self) -> list[str]:
        return [p for y in self.years for p in (*(f"{y}-Q{q}" for q in range(1, 5)), str(y))] + [ALL]


def build_cube(
    table: TableSpec, aggregates: Iterable[Aggregate], years: Sequence[int], groups: Iterable[str] = ()
) -> Cube:
    """Every cell and every additive line of one table (zeros included: they are cells too).

    ``groups`` adds groups with no count in this table (so every table of a page has the same ones).
    """
    rows = [r for r, _ in table.rows]
    known = set(rows)
    groups_seen: dict[str, set[str]] = defaultdict(set)
    for group in groups:
        if group != EVERYONE:
            groups_seen[group.split(":", 1)[0]].add(group)
    raw: dict[Key, int] = defaultdict(int)
    year_set = set(years)
    # Keys made once per distinct value: this loop runs once per total (thousands), not per cell.
    period_keys: dict[tuple[int, int], tuple[str, str, str]] = {}
    group_keys: dict[tuple[tuple[str, str], ...], tuple[str, ...]] = {}
    for row, year, quarter, dims, n in aggregates:
        if row not in known or year not in year_set:
            continue
        periods = period_keys.get((year, quarter))
        if periods is None:
            periods = period_keys[(year, quarter)] = (f"{year}-Q{quarter}", str(year), ALL)
        targets = group_keys.get(dims)
        if targets is None:
            found = [f"{dim}:{value or NONE}" for dim, value in dims]
            for (dim, _), group in zip(dims, found, strict=True):
                groups_seen[dim].add(group)
            targets = group_keys[dims] = (EVERYONE, *found)
        for group in targets:
            for period in periods:
                raw[(row, period, group)] += n
    all_groups = (EVERYONE, *(g for dim in sorted(groups_seen) for g in sorted(groups_seen[dim])))
    cube = Cube(table, tuple(years), all_groups)
    cube.values = {(r, p, g): raw.get((r, p, g), 0) for r in rows for p in cube.periods() for g in all_groups}
    members = {dim: tuple(sorted(found)) for dim, found in groups_seen.items()}
    shape = (table.id, cube.years, all_groups)
    cached = _SHAPES.get(shape)
    if cached is None:
        if len(_SHAPES) >= _SHAPES_KEPT:
            _SHAPES.clear()
        cached = _SHAPES[shape] = Lines.of(_lines(cube, members))
    cube.lines = cached
    return cube


# The lines depend only on a table's shape (rows, years, groups), not on its counts: kept per shape.
_SHAPES: dict[tuple[str, tuple[int, ...], tuple[str, ...]], Lines] = {}
_SHAPES_KEPT = 64


def _lines(cube: Cube, members: dict[str, tuple[str, ...]]) -> list[Line]:
    """Every additive relation of the cube: quarters → year → all years, outcomes, groups → everyone."""
    rows = [r for r, _ in cube.spec.rows]
    periods = cube.periods()
    lines: list[Line] = []
    for r in rows:
        for g in cube.groups:
            lines.extend(Line((r, str(y), g), tuple((r, f"{y}-Q{q}", g) for q in range(1, 5))) for y in cube.years)
            lines.append(Line((r, ALL, g), tuple((r, str(y), g) for y in cube.years)))
    lines.extend(
        Line((total, p, g), tuple((part, p, g) for part in parts))
        for total, parts in cube.spec.sums
        for p in periods
        for g in cube.groups
    )
    lines.extend(
        Line((r, p, EVERYONE), tuple((r, p, g) for g in members[dim]))
        for dim in sorted(members)
        for r in rows
        for p in periods
    )
    return lines


def protect_cube(cube: Cube, *, threshold: int, released: Iterable[Key] = ()) -> Cube:
    cube.protected = protect(cube.values, cube.lines, threshold=threshold, released=released)
    return cube


# -- slices ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Cell:
    period: str
    value: int | None  # None: hidden (never None when exact)
    display: str
    status: str  # "" | "primary" | "secondary"


@dataclass(frozen=True)
class SliceRow:
    row: str
    label: StrOrPromise
    cells: tuple[Cell, ...]


@dataclass(frozen=True)
class Headline:
    part: Cell
    whole: Cell
    part_label: StrOrPromise
    whole_label: StrOrPromise
    phrase: StrOrPromise  # what the figure counts: "2 of 211" + "refugee-status applications granted"

    @property
    def text(self) -> str:
        return gettext("%(part)s of %(whole)s") % {"part": self.part.display, "whole": self.whole.display}


@dataclass(frozen=True)
class Slice:
    spec: TableSpec
    columns: tuple[tuple[str, str], ...]  # (period, label)
    rows: tuple[SliceRow, ...]
    headlines: tuple[Headline, ...]
    group: str
    exact: bool


def periods_for(cube: Cube, period: str) -> list[tuple[str, str]]:
    """The columns of a view: every year and all years, or one year's quarters and that year."""
    if period.isdigit() and int(period) in cube.years:
        return [(f"{period}-Q{q}", f"Q{q}") for q in range(1, 5)] + [(period, period)]
    return [(str(y), str(y)) for y in cube.years] + [(ALL, gettext("All years"))]


CellKey = tuple[str, str, str]  # (row, period, group)


def cell(cube: Cube, key: CellKey, *, exact: bool) -> Cell:
    assert cube.protected is not None  # noqa: S101  # slices are cut from protected cubes only
    p = cube.protected
    status = "primary" if key in p.primary else "secondary" if key in p.secondary else ""
    if exact:
        return Cell(key[1], p.values[key], str(p.values[key]), status)
    return Cell(key[1], p.published(key), p.display(key), status)


def cut(cube: Cube, *, period: str, group: str, exact: bool) -> Slice:
    """One published view of a protected cube (``exact``: the raw counts, for an admin only)."""
    columns = tuple(periods_for(cube, period))
    if group not in cube.groups:  # a group with no case at all: shown like any small group
        return _empty(cube, columns, group, exact=exact)
    total_period = columns[-1][0]
    rows = tuple(
        SliceRow(r, label, tuple(cell(cube, (r, p, group), exact=exact) for p, _ in columns))
        for r, label in cube.spec.rows
    )
    headlines = tuple(
        Headline(
            cell(cube, (part, total_period, group), exact=exact),
            cell(cube, (whole, total_period, group), exact=exact),
            cube.spec.label(part),
            cube.spec.label(whole),
            phrase,
        )
        for part, whole, phrase in cube.spec.headlines
    )
    return Slice(cube.spec, columns, rows, headlines, group, exact)


def _empty(cube: Cube, columns: tuple[tuple[str, str], ...], group: str, *, exact: bool) -> Slice:
    assert cube.protected is not None  # noqa: S101  # as in cell()
    threshold = cube.protected.threshold

    def zero(period: str) -> Cell:
        return Cell(period, 0, "0", "primary") if exact else Cell(period, None, f"< {threshold}", "primary")

    rows = tuple(SliceRow(r, label, tuple(zero(p) for p, _ in columns)) for r, label in cube.spec.rows)
    total = columns[-1][0]
    headlines = tuple(
        Headline(zero(total), zero(total), cube.spec.label(a), cube.spec.label(b), phrase)
        for a, b, phrase in cube.spec.headlines
    )
    return Slice(cube.spec, columns, rows, headlines, group, exact)


def offered_groups(cubes: Iterable[Cube]) -> list[str]:
    """The groups a page offers: those with at least one published (unhidden) all-years cell.

    A group whose every all-years cell is below the threshold is not listed: the list of choices
    would otherwise say that someone of that nationality is among the cases.
    """
    found: set[str] = set()
    for cube in cubes:
        assert cube.protected is not None  # noqa: S101  # as in cell()
        for g in cube.groups:
            if g != EVERYONE and any(not cube.protected.hidden((r, ALL, g)) for r, _ in cube.spec.rows):
                found.add(g)
    return sorted(found)

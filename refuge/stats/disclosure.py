"""Disclosure control for frequency tables: primary and secondary cell suppression.

Pure Python, no Django. The method is the one national statistics offices publish for tables of
counts — the ONS "Disclosure control guidance for tables produced from administrative sources"
(threshold rule, secondary suppression) and the Eurostat/ESSnet "Handbook on Statistical
Disclosure Control" (2010), ch. 4 "Frequency tables" (§4.2 sensitivity rules: a minimum frequency;
§4.3 secondary suppression: no line of a table may hold a single suppressed cell, linked tables are
protected together; the hypercube method of tau-ARGUS applies the same line rule):

1. **Primary suppression.** Every cell whose count is below the threshold is hidden, zero
   included (a zero next to a published total is itself a disclosure: "none of the others").
   A cell an admin has deliberately released (with a recorded reason) is not suppressed, and
   neither is a cell that the released and published cells of one line already give away (a
   release of "everyone" when everyone is of one nationality releases that nationality's cell).
2. **Secondary suppression.** The published numbers are all cells of *one* cube per table:
   rows × periods (quarters, years, all years) × groups (everyone, each nationality, each host
   state). Every additive relation of that cube is a *line* — a total and the parts it is the sum
   of: the quarters of a year, the years of the whole period, the outcomes that add up to the
   applications, the nationalities (or host states) that add up to everyone. A line with exactly
   one hidden cell would give it away (total minus the others), so another cell of that line is
   hidden too — the smallest published one, a total only if no part is left — and the lines
   through that cell are checked again, until no line holds exactly one hidden cell.
3. **One cube, fixed slices.** Pages and exports show slices of that one protected cube and
   nothing else (no free slicing, no case list an analyst could filter), so two overlapping
   queries are two views of the same protected cells: their difference is a line of the cube,
   and no line has a single hidden cell. The "everyone" slice is the same cells in the
   nationality view and the host-state view, so both views are protected together.

What the rule does not promise (ESSnet handbook §4.3.2): with several hidden cells in a line the
attacker learns their sum and an interval for each; a linear-programming audit of intervals is
beyond this module. Primary cells show as "< 5" (the threshold), secondary ones as "[c]".
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass, field

DEFAULT_THRESHOLD = 5
MINIMUM_THRESHOLD = 3  # an organisation may lower its threshold, never below this

Key = Hashable


@dataclass(frozen=True, slots=True)
class Line:
    """An additive relation: ``total`` is the sum of ``parts``."""

    total: Key
    parts: tuple[Key, ...]

    @property
    def members(self) -> tuple[Key, ...]:
        return (self.total, *self.parts)


@dataclass(slots=True)
class Protected:
    """The outcome: which cells are hidden, and why."""

    values: Mapping[Key, int]
    threshold: int
    primary: set[Key] = field(default_factory=set)
    secondary: set[Key] = field(default_factory=set)
    implied: set[Key] = field(default_factory=set)  # published because released cells give them away

    def hidden(self, key: Key) -> bool:
        return key in self.primary or key in self.secondary

    def published(self, key: Key) -> int | None:
        """The value anyone may see, or None when it is hidden."""
        return None if self.hidden(key) else self.values[key]

    def display(self, key: Key) -> str:
        if key in self.primary:
            return f"< {self.threshold}"
        if key in self.secondary:
            return "[c]"
        return str(self.values[key])


def check_threshold(threshold: int) -> int:
    if threshold < MINIMUM_THRESHOLD:
        raise ValueError(f"a disclosure threshold is at least {MINIMUM_THRESHOLD}")
    return threshold


@dataclass(frozen=True, slots=True)
class Lines:
    """Lines with, for each cell, the lines through it (built once per shape of table)."""

    lines: tuple[Line, ...]
    through: Mapping[Key, tuple[int, ...]]

    @classmethod
    def of(cls, lines: Iterable[Line]) -> Lines:
        found = tuple(lines)
        through: dict[Key, list[int]] = {}
        for i, line in enumerate(found):
            for m in line.members:
                through.setdefault(m, []).append(i)
        return cls(found, {k: tuple(v) for k, v in through.items()})


def protect(
    values: Mapping[Key, int],
    lines: Iterable[Line] | Lines,
    *,
    threshold: int = DEFAULT_THRESHOLD,
    released: Iterable[Key] = (),
) -> Protected:
    """Hide every cell below ``threshold`` (bar released ones), then enough others that none can be recomputed."""
    check_threshold(threshold)
    free = set(released)
    result = Protected(values=values, threshold=threshold)
    result.primary = {k for k, v in values.items() if v < threshold and k not in free}
    indexed = lines if isinstance(lines, Lines) else Lines.of(lines)
    all_lines, through = indexed.lines, indexed.through
    hidden = set(result.primary)
    pending = sorted({i for k in hidden for i in through.get(k, ())})
    while pending:
        i = pending.pop()
        line = all_lines[i]
        lone = [m for m in line.members if m in hidden]
        if len(lone) != 1:
            continue
        choices = [m for m in line.parts if m not in hidden and m not in free]
        if not choices and line.total not in hidden and line.total not in free:
            choices = [line.total]
        if choices:
            pick = min(choices, key=lambda m: (values[m], repr(m)))
            hidden.add(pick)
            result.secondary.add(pick)
            pending.extend(through.get(pick, ()))
        else:
            # Every other cell of the line is published or released: the releases already give
            # this one away, so it is published too (hiding it would protect nothing).
            (implied,) = lone
            hidden.discard(implied)
            result.primary.discard(implied)
            result.secondary.discard(implied)
            result.implied.add(implied)
            free.add(implied)
            pending.extend(through.get(implied, ()))
    result.secondary -= result.primary
    return result


def recoverable(protected: Protected, lines: Iterable[Line]) -> list[Key]:
    """Hidden cells that a single line gives away (total minus the published parts): should be none."""
    found = []
    for line in lines:
        hidden = [m for m in line.members if protected.hidden(m)]
        if len(hidden) == 1:
            found.append(hidden[0])
    return found

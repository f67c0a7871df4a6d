"""Bar charts drawn on the server as SVG geometry (templates/stats/_chart.svg): no script, no CDN.

Only published values are drawn; a hidden cell is a gap with its mark ("< 5", "[c]") under it,
and every chart has its table beside it for screen readers.
"""

from __future__ import annotations

from dataclasses import dataclass

from refuge.stats.tables import Slice

WIDTH, HEIGHT = 640, 240
LEFT, RIGHT, TOP, BOTTOM = 44, 8, 12, 40
SERIES = 4  # at most this many rows per chart (the table's headline rows)


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    series: int
    title: str  # the native SVG tooltip: "2019 · Refugee status: granted · 3"


@dataclass(frozen=True)
class Mark:
    x: float
    y: float
    text: str


@dataclass(frozen=True)
class Chart:
    id: str
    title: str
    width: int
    height: int
    bars: tuple[Bar, ...]
    marks: tuple[Mark, ...]  # hidden cells' marks and the column labels
    ticks: tuple[tuple[float, str], ...]  # (y, label) of the value axis
    series: tuple[tuple[int, str], ...]  # (index, label) for the legend
    baseline: float
    left: int


def _nice(top: int) -> int:
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000, 10000):
        if top <= step * 4:
            return step
    return max(1, top // 4)


def bar_chart(view: Slice) -> Chart:
    """Grouped bars: one group per period column (the total column left out), one bar per headline row."""
    wanted: list[str] = []
    for part, whole, _ in view.spec.headlines:
        for r in (whole, part):
            if r not in wanted:
                wanted.append(r)
    if not wanted:
        wanted = [r.row for r in view.rows]
    rows = [r for r in view.rows if r.row in wanted[:SERIES]]
    columns = view.columns[:-1]
    values = [c.value for r in rows for c in r.cells[:-1] if c.value is not None]
    step = _nice(max(values, default=0) or 1)
    top = step * 4
    plot_w = WIDTH - LEFT - RIGHT
    plot_h = HEIGHT - TOP - BOTTOM
    baseline = TOP + plot_h
    group_w = plot_w / max(len(columns), 1)
    bar_w = group_w * 0.8 / max(len(rows), 1)
    bars: list[Bar] = []
    marks: list[Mark] = []
    for ci, (_, label) in enumerate(columns):
        gx = LEFT + ci * group_w + group_w * 0.1
        marks.append(Mark(LEFT + ci * group_w + group_w / 2, baseline + 14, label))
        for si, row in enumerate(rows):
            c = row.cells[ci]
            x = gx + si * bar_w
            if c.value is None:
                marks.append(Mark(x + bar_w / 2, baseline - 3, "·"))
                continue
            h = plot_h * c.value / top
            bars.append(
                Bar(
                    round(x, 1),
                    round(baseline - h, 1),
                    round(bar_w, 1),
                    round(h, 1),
                    si,
                    f"{label} · {row.label} · {c.display}",
                )
            )
    ticks = tuple((round(baseline - plot_h * i / 4, 1), str(step * i)) for i in range(5))
    return Chart(
        id=f"chart-{view.spec.id}",
        title=str(view.spec.title),
        width=WIDTH,
        height=HEIGHT,
        bars=tuple(bars),
        marks=tuple(marks),
        ticks=ticks,
        series=tuple((i, str(r.label)) for i, r in enumerate(rows)),
        baseline=baseline,
        left=LEFT,
    )

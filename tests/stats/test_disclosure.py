"""Primary and secondary suppression on small hand-made tables (refuge.stats.disclosure)."""

from __future__ import annotations

import pytest

from refuge.stats.disclosure import Line, protect, recoverable


def test_cells_below_the_threshold_are_hidden_zero_included() -> None:
    values = {"a": 0, "b": 4, "c": 5, "t": 9}
    result = protect(values, [], threshold=5)
    assert result.primary == {"a", "b"}
    assert [result.display(k) for k in "abc"] == ["< 5", "< 5", "5"]


def test_a_lone_hidden_cell_in_a_sum_takes_the_smallest_other_with_it() -> None:
    values = {"t": 30, "a": 2, "b": 8, "c": 20}
    lines = [Line("t", ("a", "b", "c"))]
    result = protect(values, lines, threshold=5)
    assert result.primary == {"a"}
    assert result.secondary == {"b"}
    assert result.display("b") == "[c]"
    assert recoverable(result, lines) == []


def test_secondary_suppression_spreads_until_no_line_gives_a_cell_away() -> None:
    # a 3 x 3 table with margins; one small cell forces a rectangle of four hidden cells
    inner = {
        (r, c): v
        for (r, c), v in zip([(r, c) for r in "xyz" for c in "123"], [2, 9, 7, 8, 6, 30, 10, 12, 11], strict=True)
    }
    values: dict[object, int] = dict(inner)
    for r in "xyz":
        values[(r, "T")] = sum(inner[(r, c)] for c in "123")
    for c in "123":
        values[("T", c)] = sum(inner[(r, c)] for r in "xyz")
    values[("T", "T")] = sum(inner.values())
    lines = [Line((r, "T"), tuple((r, c) for c in "123")) for r in "xyzT"]
    lines += [Line(("T", c), tuple((r, c) for r in "xyz")) for c in "123T"]
    result = protect(values, lines, threshold=5)
    assert recoverable(result, lines) == []
    assert len(result.primary | result.secondary) == 4


def test_a_released_cell_is_published_and_what_it_gives_away_too() -> None:
    values = {"all": 2, "KP": 2}
    lines = [Line("all", ("KP",))]
    result = protect(values, lines, threshold=5, released={"KP"})
    assert result.published("KP") == 2
    assert result.published("all") == 2
    assert recoverable(result, lines) == []


def test_a_threshold_below_three_is_refused() -> None:
    with pytest.raises(ValueError, match="at least 3"):
        protect({"a": 1}, [], threshold=2)

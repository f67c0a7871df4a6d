"""The published tables of the story, by year and by quarter: nothing small, nothing recoverable."""

from __future__ import annotations

from typing import Any

import time_machine

from refuge.stats.tables import TABLES
from tests.conftest import login

GROUPS = ("*", "nationality:KP", "host_state:RU")


def _cells(client: Any, query: str) -> dict[tuple[str, str, str, str], int | None]:
    data = client.get(f"/stats/outcomes.json?{query}").json()
    return {
        (t["id"], r["row"], c["period"], t["group"]): c["value"]
        for t in data["tables"]
        for r in t["rows"]
        for c in r["cells"]
    }


def _views(client: Any, extra: str = "") -> dict[tuple[str, str, str, str], int | None]:
    """Every published cell of the yearly views and of each year's quarters, checked consistent."""
    found: dict[tuple[str, str, str, str], int | None] = {}
    queries = [f"group={g}{extra}" for g in GROUPS] + [
        f"period={y}&group={g}{extra}" for y in range(2016, 2027) for g in GROUPS
    ]
    for query in queries:
        for key, value in _cells(client, query).items():
            assert found.setdefault(key, value) == value, f"{key} differs between two views"
    return found


YEARS = [str(y) for y in range(2016, 2027)]
PERIODS = [*YEARS, "all", *(f"{y}-Q{q}" for y in YEARS for q in range(1, 5))]


def _published_lines() -> list[list[tuple[str, str, str, str]]]:
    """Every sum a reader can form from the published views (each a total and its parts)."""
    lines = []
    for t in TABLES:
        for row, _ in t.rows:
            for g in GROUPS:
                lines.append([(t.id, row, p, g) for p in [*YEARS, "all"]])  # the years and all years
                lines.extend([(t.id, row, p, g) for p in [*(f"{y}-Q{q}" for q in range(1, 5)), y]] for y in YEARS)
            # across the groups: everyone here is of one nationality, in one host state
            lines.extend([(t.id, row, p, "*"), (t.id, row, p, g)] for p in PERIODS for g in GROUPS[1:])
        # the outcomes and the applications they add up to
        lines.extend(
            [(t.id, r, p, g) for r in (total, *parts)] for total, parts in t.sums for p in PERIODS for g in GROUPS
        )
    return lines


@time_machine.travel("2026-12-05 12:00 +0000", tick=False)
def test_by_year_every_small_cell_is_hidden_and_none_can_be_recomputed(client, story, ana, adam) -> None:
    login(client, adam)
    exact = _views(client, "&exact=1")
    client.logout()
    login(client, ana)
    published = _views(client)
    assert published.keys() == exact.keys()
    small = [k for k, v in exact.items() if v < 5]
    assert small, "the story has small cells"
    assert all(published[k] is None for k in small)
    assert [k for k, v in published.items() if v is not None and v < 5] == []

    failures = [members for members in _published_lines() if sum(published[m] is None for m in members) == 1]
    assert failures == []
    assert published[("asylum", "refugee_status.applied", "all", "*")] == 211  # totals stay published
    # and every hidden cell's exact value is indeed unknowable from one published difference
    assert sum(v is None for v in published.values()) > len(small)


@time_machine.travel("2026-12-05 12:00 +0000", tick=False)
def test_analyst_sees_no_person_and_no_exact_counts(client, story, ana, adam) -> None:
    # The positive control: what the analyst must not see is there, for the admin (so the checks can fail).
    login(client, adam)
    assert "HIST-" in client.get("/cases/?sort=reference").content.decode()
    assert "2 of 211" in client.get("/stats/?exact=1").content.decode()
    assert client.get("/stats/releases/").status_code == 200
    client.logout()
    login(client, ana)
    pages = [client.get(u) for u in ("/stats/", "/stats/?period=2020", "/stats/outcomes.csv", "/stats/outcomes.json")]
    assert [p.status_code for p in pages] == [200] * 4
    assert "211" in pages[0].content.decode()  # the published total: the analyst's page has the table
    for page in pages:
        text = page.content.decode()
        assert "HIST-" not in text  # no case reference
        assert "2 of 211" not in text
    assert client.get("/cases/?sort=reference").status_code == 404
    assert client.get("/stats/?exact=1").status_code == 404
    assert client.get("/stats/outcomes.json?exact=1").status_code == 404
    assert client.get("/stats/releases/").status_code == 404

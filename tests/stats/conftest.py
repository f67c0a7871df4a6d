from __future__ import annotations

from datetime import date
from typing import Any

import pytest

# The story's ten years, by nationals of one state: 211 refugee-status applications with 2 grants,
# 170 temporary-asylum applications with 90 grants (per year: applied, granted, refused, appealed).
STORY: dict[str, Any] = {
    "host_state": "RU",
    "timezone": "Europe/Moscow",
    "first_year": 2016,
    "cohorts": [
        {
            "nationality": "KP",
            "kind": "refugee_status",
            "years": [
                [19, 0, 19, 12],
                [23, 1, 22, 15],
                [25, 0, 25, 14],
                [21, 0, 21, 11],
                [14, 0, 14, 9],
                [17, 0, 17, 10],
                [22, 1, 21, 13],
                [24, 0, 24, 16],
                [21, 0, 21, 12],
                [18, 0, 15, 8],
                [7, 0, 0, 0],
            ],
        },
        {
            "nationality": "KP",
            "kind": "temporary_asylum",
            "years": [
                [14, 9, 5, 3],
                [17, 10, 7, 4],
                [18, 9, 9, 5],
                [16, 9, 7, 3],
                [12, 6, 6, 2],
                [14, 7, 7, 4],
                [17, 8, 9, 5],
                [19, 10, 9, 4],
                [18, 9, 9, 5],
                [16, 9, 6, 2],
                [9, 4, 0, 0],
            ],
        },
    ],
}
TODAY = date(2026, 12, 5)


@pytest.fixture
def story(org, alice):
    """381 fictional applications laid down through the import (the engine runs on each)."""
    from refuge.cases.actions import import_casefile
    from refuge.stats.history import history_cases

    for casefile in history_cases(STORY, today=TODAY):
        import_casefile(data=casefile, organisation=org, user=alice)
    return org

"""The demo's ten years of fictional history give the statistics page the story's shape."""

from __future__ import annotations

import time_machine

from refuge.stats.history import lay_history
from tests.conftest import login
from tests.stats.conftest import TODAY


@time_machine.travel("2026-12-05 12:00 +0000", tick=False)
def test_demo_history_shows_two_of_211_and_90_of_170_north_koreans(client, org, alice, adam) -> None:
    laid = lay_history(organisation=org, user=alice, today=TODAY, existing=set())
    assert laid > 200
    assert (
        lay_history(
            organisation=org, user=alice, today=TODAY, existing=set(org.cases.values_list("reference", flat=True))
        )
        == 0
    )
    login(client, adam)
    text = client.get("/stats/?exact=1&group=nationality:KP").content.decode()
    assert "2 of 211" in text
    assert "90 of 170" in text
    controlled = client.get("/stats/").content.decode()
    assert "<svg" in controlled
    assert "&lt; 5 of" in controlled  # the two grants are hidden until released

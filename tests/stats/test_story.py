"""The story's figures, from cases through the engine to the page and the JSON export."""

from __future__ import annotations

import time_machine

from refuge.audit.events import EventType
from refuge.audit.models import AuditEvent
from tests.conftest import login


@time_machine.travel("2026-12-05 12:00 +0000", tick=False)
def test_admin_sees_two_of_211_and_90_of_170_on_the_page_and_in_json(client, story, adam) -> None:
    login(client, adam)
    page = client.get("/stats/?exact=1&group=nationality:KP")
    assert page.status_code == 200
    text = page.content.decode()
    assert "2 of 211" in text
    assert "90 of 170" in text
    data = client.get("/stats/outcomes.json?exact=1").json()
    asylum = next(t for t in data["tables"] if t["id"] == "asylum")
    assert [h["text"] for h in asylum["headlines"]] == ["2 of 211", "90 of 170"]
    seen = AuditEvent.objects.filter(type=EventType.STATS_EXACT_VIEWED).count()
    exported = [e.data["exact"] for e in AuditEvent.objects.filter(type=EventType.STATS_EXPORTED)]
    assert (seen, exported) == (1, [True])


@time_machine.travel("2026-12-05 12:00 +0000", tick=False)
def test_controlled_page_hides_the_two_grants_until_an_admin_releases_them(client, story, adam) -> None:
    login(client, adam)
    assert "&lt; 5 of 211" in client.get("/stats/").content.decode()
    release = {"row_key": "asylum|refugee_status.granted", "period": "all", "reason": "Annual report, reviewed"}
    response = client.post("/stats/releases/", {**release, "group": "nationality:KP"})
    assert response.status_code == 302
    assert "2 of 211" in client.get("/stats/?group=nationality:KP").content.decode()
    # Everyone here is of one nationality: that release gives "everyone" away too, so it is published.
    assert "2 of 211" in client.get("/stats/").content.decode()
    assert AuditEvent.objects.filter(type=EventType.STATS_CELL_RELEASED).count() == 1

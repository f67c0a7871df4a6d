"""The page serves the tables `refuge worker` built, says as of when, and never under old rules."""

from __future__ import annotations

import copy
import io
import json
from datetime import datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.core.management import call_command

from refuge.stats.models import StatCube
from tests.conftest import login
from tests.stats.conftest import TODAY

pytestmark = pytest.mark.django_db

NOW = "2026-12-05 12:00 +0000"
# Two years of one nationality's refugee-status applications: 13 applied, none granted.
SMALL: dict[str, Any] = {
    "host_state": "RU",
    "timezone": "Europe/Moscow",
    "first_year": 2025,
    "cohorts": [{"nationality": "KP", "kind": "refugee_status", "years": [[6, 0, 6, 3], [7, 0, 0, 0]]}],
}
PENDING = "Cases have changed since this count"


def _lay(org, alice, data: dict[str, Any], prefix: str = "") -> None:
    from refuge.cases.actions import import_casefile
    from refuge.stats.history import history_cases

    for casefile in history_cases(data, today=TODAY):
        casefile["reference"] = prefix + casefile["reference"]
        import_casefile(data=casefile, organisation=org, user=alice)


def _applied(client: Any, url: str = "/stats/outcomes.json") -> int:
    data = client.get(url).json()
    asylum = next(t for t in data["tables"] if t["id"] == "asylum")
    row = next(r for r in asylum["rows"] if r["row"] == "refugee_status.applied")
    return next(c["value"] for c in row["cells"] if c["period"] == "all")


def _one_more(org, alice) -> None:
    """One more application this year: the counts (and their version) move."""
    more = copy.deepcopy(SMALL)
    more["cohorts"][0]["years"] = [[0, 0, 0, 0], [1, 0, 0, 0]]
    _lay(org, alice, more, prefix="X")


@time_machine.travel(NOW, tick=False)
def test_the_page_serves_the_last_build_until_the_worker_counts_again(client, org, alice, ana) -> None:
    _lay(org, alice, SMALL)
    login(client, ana)
    first = client.get("/stats/").content.decode()
    assert "&lt; 5 of 13" in first and PENDING not in first  # the first view counted on the request
    assert "No case has changed since." in first and "Counted on 5 Dec 2026 at 12:00 UTC" in first
    assert not StatCube.objects.filter(organisation=org).exists()  # a GET stores nothing
    call_command("worker", "--once", stdout=io.StringIO())  # the worker stores the build
    assert StatCube.objects.get(organisation=org).version is not None

    _one_more(org, alice)
    stale = client.get("/stats/").content.decode()
    assert "&lt; 5 of 13" in stale and PENDING in stale  # as counted, and said to be so
    assert _applied(client) == 14  # a download is counted afresh
    call_command("worker", "--once", stdout=io.StringIO())
    fresh = client.get("/stats/").content.decode()
    assert "&lt; 5 of 14" in fresh and PENDING not in fresh


@time_machine.travel(NOW, tick=False)
def test_a_raised_threshold_hides_cells_at_once_without_the_worker(client, org, alice, adam, ana) -> None:
    _lay(org, alice, SMALL)
    login(client, ana)
    assert "of 13" in client.get("/stats/").content.decode()  # built and stored under threshold 5
    client.logout()
    login(client, adam)
    assert client.post("/stats/releases/", {"threshold": "20"}).status_code == 302
    client.logout()
    login(client, ana)
    page = client.get("/stats/").content.decode()
    assert "of 13" not in page and "&lt; 20" in page and PENDING not in page  # 13 < 20: hidden now


@time_machine.travel(NOW, tick=False)
def test_a_withdrawn_release_is_hidden_at_once_without_the_worker(client, org, alice, adam) -> None:
    _lay(org, alice, SMALL)
    login(client, adam)
    release = {"row_key": "asylum|refugee_status.granted", "period": "all", "group": "*", "reason": "reviewed"}
    assert client.post("/stats/releases/", release).status_code == 302
    assert "0 of 13" in client.get("/stats/").content.decode()
    from refuge.stats.models import StatRelease

    code = StatRelease.objects.get().code
    assert client.post(f"/stats/releases/{code}/withdraw/").status_code == 302
    page = client.get("/stats/").content.decode()
    assert "0 of 13" not in page and "&lt; 5 of 13" in page


@time_machine.travel(NOW, tick=False)
def test_a_worker_holding_the_lease_builds_alone(org, alice) -> None:
    from django.utils import timezone

    from refuge.stats.builds import LEASE, refresh_stale, stale_organisations

    _lay(org, alice, SMALL)
    assert stale_organisations(TODAY) == [org.pk]
    now = timezone.now()
    StatCube.objects.create(organisation=org, lease_until=now + LEASE, leased_by="worker-a")  # a's build runs
    assert refresh_stale(worker="worker-b", now=now) == 0
    assert StatCube.objects.get(organisation=org).version is None  # b built nothing
    later = now + LEASE + timedelta(seconds=1)  # a died: its lease ran out
    assert refresh_stale(worker="worker-b", now=later) == 1
    built = StatCube.objects.get(organisation=org)
    assert (built.version, built.leased_by, built.lease_until) == (org.stats.version, "", None)
    assert stale_organisations(TODAY) == []
    assert refresh_stale(worker="worker-b", now=later) == 0  # nothing changed: nothing built


@time_machine.travel(NOW, tick=False)
def test_the_stored_tables_are_what_a_fresh_build_publishes(org, alice) -> None:
    """Encoding and decoding keep every cell and its protection (compared as the JSON export)."""
    from refuge.stats.actions import build_cubes, releases_of, settings_for
    from refuge.stats.builds import decode, encode
    from refuge.stats.exports import to_json
    from refuge.stats.tables import TABLES, cut

    _lay(org, alice, SMALL)
    made = build_cubes(org.pk, threshold=settings_for(org).threshold, releases=releases_of(org.pk), today=TODAY)
    stored = decode(json.loads(json.dumps(encode(made))))

    def published(cubes: Any, exact: bool) -> dict[str, Any]:
        views = [cut(cubes[t.id], period=p, group="*", exact=exact) for t in TABLES for p in ("years", "2026")]
        return to_json(views, threshold=5, organisation="o", today=TODAY)

    for exact in (False, True):
        assert published(stored, exact) == published(made, exact)
    assert any(c["value"] is None for t in published(stored, False)["tables"] for r in t["rows"] for c in r["cells"])


def test_a_new_year_is_built_on_its_first_view(client, org, alice, ana) -> None:
    with time_machine.travel(NOW, tick=False):
        _lay(org, alice, SMALL)
        login(client, ana)
        assert "2026" in client.get("/stats/").content.decode()
    with time_machine.travel(datetime.fromisoformat("2027-01-01T09:00:00+00:00"), tick=False):
        login(client, ana)  # the session of a month ago has ended
        page = client.get("/stats/").content.decode()
        assert "2027" in page and PENDING not in page

"""The protected tables, built ahead of the pages by `refuge worker` and served as of their build.

Building an organisation's six protected cubes (reading its totals, primary and secondary
suppression) costs a few hundred milliseconds at 100,000 cases. So pages do not pay it: after
the counts change, `refuge worker` builds them again and stores them (``StatCube``), and a page
serves the latest stored build, saying when it was built and, if cases changed since, that a
newer build is on its way (``Built.current``).

Served as built, with two exceptions, both built at once on the request and kept in this process
until the worker stores a build (a GET never writes: the worker's next pass, within seconds, sees
the missing or outdated build and stores it):
- **the rules changed**: a build protected under another threshold or other releases than those
  in force now is never served — a raised threshold or a withdrawn release must hide its cells
  from the next view on, not from the worker's next pass;
- **no build yet** (the first view ever, or a new year's first view before the worker): the page's
  figures are then computed on the request, from the counts as they are.

A build reads the settings' version *before* the totals, so what it stores is at least as new as
the version it names, and a build with an older version never replaces a newer one.
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
import time
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from refuge.stats.actions import UNSAVED, build_cubes, releases_of, settings_for
from refuge.stats.disclosure import Lines, Protected
from refuge.stats.models import StatCube, StatsSettings
from refuge.stats.tables import Cube, spec

if TYPE_CHECKING:
    from uuid import UUID

    from refuge.accounts.models import Organisation

log = logging.getLogger("refuge.stats.builds")

LEASE = timedelta(seconds=120)  # a build takes about a second; a worker killed mid-build frees it then
FORMAT = 1  # of the stored cubes; a build of another format is built again


@dataclass(frozen=True)
class Built:
    """The protected cubes a page shows, and as of when."""

    cubes: dict[str, Cube]
    built_at: datetime
    current: bool  # built from the counts as they are now (else a newer build is pending)


def rules_digest(threshold: int, releases: list[tuple[str, str, str, str]]) -> str:
    """What protection a build applied: the threshold and every released cell."""
    text = json.dumps([FORMAT, threshold, sorted(releases)], separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


# -- the stored form ---------------------------------------------------------------------------------


def _keys(cube: Cube) -> list[tuple[str, str, str]]:
    return [(r, p, g) for r, _ in cube.spec.rows for p in cube.periods() for g in cube.groups]


def encode(cubes: dict[str, Cube]) -> dict[str, Any]:
    """The cells of every cube in a fixed order (rows × periods × groups), hidden ones by index."""
    tables = {}
    for table_id, cube in cubes.items():
        assert cube.protected is not None  # noqa: S101  # only protected cubes are built
        p = cube.protected
        keys = _keys(cube)
        tables[table_id] = {
            "years": list(cube.years),
            "groups": list(cube.groups),
            "values": [p.values[k] for k in keys],
            "primary": [i for i, k in enumerate(keys) if k in p.primary],
            "secondary": [i for i, k in enumerate(keys) if k in p.secondary],
            "implied": [i for i, k in enumerate(keys) if k in p.implied],
            "threshold": p.threshold,
        }
    return {"format": FORMAT, "tables": tables}


def decode(data: dict[str, Any]) -> dict[str, Cube]:
    """The cubes a page can cut (their protection as built; the lines are not needed to slice)."""
    cubes = {}
    for table_id, t in data["tables"].items():
        cube = Cube(spec(table_id), tuple(t["years"]), tuple(t["groups"]), lines=Lines((), {}))
        keys = _keys(cube)
        cube.values = dict(zip(keys, t["values"], strict=True))
        cube.protected = Protected(
            values=cube.values,
            threshold=t["threshold"],
            primary={keys[i] for i in t["primary"]},
            secondary={keys[i] for i in t["secondary"]},
            implied={keys[i] for i in t["implied"]},
        )
        cubes[table_id] = cube
    return cubes


# -- building and storing ----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Stamp:
    settings_code: UUID
    version: int
    rules: str


def _build(organisation_id: int, today: date) -> tuple[_Stamp, dict[str, Cube], float]:
    started = time.perf_counter()
    found = StatsSettings.objects.filter(organisation_id=organisation_id).first()  # read first: see the module
    threshold = found.threshold if found else StatsSettings().threshold
    releases = releases_of(organisation_id)
    cubes = build_cubes(organisation_id, threshold=threshold, releases=releases, today=today)
    stamp = _Stamp(found.code if found else UNSAVED, found.version if found else 0, rules_digest(threshold, releases))
    return stamp, cubes, time.perf_counter() - started


def _store(organisation_id: int, stamp: _Stamp, cubes: dict[str, Cube], *, today: date, seconds: float) -> bool:
    """Keep the build unless a newer one is stored already; whether it was kept."""
    fields = {
        "settings_code": stamp.settings_code,
        "version": stamp.version,
        "rules": stamp.rules,
        "built_for": today,
        "built_at": timezone.now(),
        "seconds": seconds,
        "cubes": encode(cubes),
    }
    older = Q(version__isnull=True) | ~Q(settings_code=stamp.settings_code) | Q(version__lte=stamp.version)
    if StatCube.objects.filter(organisation_id=organisation_id).filter(older).update(**fields):
        return True
    try:
        with transaction.atomic():
            StatCube.objects.create(organisation_id=organisation_id, **fields)
    except IntegrityError:  # a newer build is there (or another process stored one just now)
        return False
    return True


def rebuild(organisation_id: int, *, today: date | None = None) -> float:
    """Build the organisation's tables now and store them; the seconds the build took."""
    today = today or timezone.localdate()
    stamp, cubes, seconds = _build(organisation_id, today)
    _store(organisation_id, stamp, cubes, today=today, seconds=seconds)
    return seconds


# -- what pages show -----------------------------------------------------------------------------------

_memo: dict[int, tuple[tuple[Any, ...], dict[str, Cube]]] = {}  # organisation -> (its stored build's stamp, cubes)
_memo_lock = threading.Lock()


def latest(organisation: Organisation, *, today: date | None = None, fresh: bool = False) -> Built:
    """The organisation's protected tables as last built under the rules in force (see the module).

    ``fresh``: built now if cases changed since the last build (the exports: a file leaves with
    the counts as they are, since a published report carries no "pending" note).
    """
    today = today or timezone.localdate()
    settings = settings_for(organisation)
    rules = rules_digest(settings.threshold, releases_of(organisation.pk))
    row = (
        StatCube.objects.filter(organisation=organisation, version__isnull=False)
        .values_list("pk", "settings_code", "version", "rules", "built_for", "built_at")
        .first()
    )
    if row is not None:
        pk, code, version, built_rules, built_for, built_at = row
        if built_rules == rules and built_for is not None and built_for.year == today.year and built_at is not None:
            stamp = (pk, code, version, built_rules, built_at)
            with _memo_lock:
                found = _memo.get(organisation.pk)
            if found is not None and found[0] == stamp:
                cubes = found[1]
            else:
                data = StatCube.objects.filter(pk=pk).values_list("cubes", flat=True).first()
                if data is None or data.get("format") != FORMAT:
                    return _build_now(organisation, today)
                cubes = decode(data)
                with _memo_lock:
                    _memo[organisation.pk] = (stamp, cubes)
            current = code == settings.code and version == settings.version
            if current or not fresh:
                return Built(cubes, built_at, current)
    return _build_now(organisation, today)


_made: dict[int, tuple[tuple[Any, ...], Built]] = {}  # organisation -> (what it was built from, the build)


def _build_now(organisation: Organisation, today: date) -> Built:
    """Built on the request and kept in this process, never stored: a GET writes nothing."""
    found = StatsSettings.objects.filter(organisation_id=organisation.pk).values_list("code", "version").first()
    settings = settings_for(organisation)
    key = (found, rules_digest(settings.threshold, releases_of(organisation.pk)), today)
    with _memo_lock:
        made = _made.get(organisation.pk)
    if made is not None and made[0] == key:
        return made[1]
    _stamp, cubes, _seconds = _build(organisation.pk, today)
    built = Built(cubes, timezone.now(), current=True)
    with _memo_lock:
        _made[organisation.pk] = (key, built)
    return built


# -- the worker's part -----------------------------------------------------------------------------------


def stale_organisations(today: date) -> list[int]:
    """Organisations whose stored build is missing, older than their counts or rules, or of another year."""
    built = {
        org: (code, version, built_for, rules)
        for org, code, version, built_for, rules in StatCube.objects.values_list(
            "organisation_id", "settings_code", "version", "built_for", "rules"
        )
    }
    stale = []
    for org, code, version, threshold in StatsSettings.objects.values_list(
        "organisation_id", "code", "version", "threshold"
    ).order_by("pk"):
        b = built.get(org)
        if b is None or b[0] != code or b[1] != version or b[2] is None or b[2].year != today.year:
            stale.append(org)
            continue
        if b[3] != rules_digest(threshold, releases_of(org)):  # a threshold or a release changed
            stale.append(org)
    return stale


def _claim(organisation_id: int, *, worker: str, now: datetime) -> bool:
    """Take the organisation's build lease (a conditional UPDATE, so only one worker wins it)."""
    try:
        with transaction.atomic():
            StatCube.objects.get_or_create(organisation_id=organisation_id)
    except IntegrityError:  # another worker made the row first
        pass
    free = Q(lease_until__isnull=True) | Q(lease_until__lt=now)
    won = StatCube.objects.filter(free, organisation_id=organisation_id).update(
        lease_until=now + LEASE, leased_by=worker
    )
    return bool(won)


def refresh_stale(*, worker: str, now: datetime | None = None, today: date | None = None) -> int:
    """Build again every organisation's tables whose counts changed (run by `refuge worker`); how many."""
    now = now or timezone.now()
    today = today or timezone.localdate(now)
    done = 0
    for organisation_id in stale_organisations(today):
        if not _claim(organisation_id, worker=worker, now=now):
            continue  # another worker is building them
        try:
            seconds = rebuild(organisation_id, today=today)
            log.info("statistics of organisation %s built in %.2f s", organisation_id, seconds)
            done += 1
        finally:
            StatCube.objects.filter(organisation_id=organisation_id, leased_by=worker).update(
                lease_until=None, leased_by=""
            )
    return done

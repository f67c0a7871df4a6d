"""Server time of the statistics page (and its JSON export) for an organisation of N cases.

    python -m bench.stats --data-dir DIR [--cases 100000] [--requests 200] [--cold 30] [--reuse]

A fresh database is migrated and given one organisation with an admin and an analyst, and N
fictional cases (bench.engine.make_case: ~30 events each, 2021–2026). Each case's counts are made
by the product's own path — the engine's facts, timeline and report through
refuge.rules.outcomes — and stored as StatCount rows, as refresh_case_stats stores them (bulk,
without the rest of recompute: the page reads only these rows).

Timed in-process through Django's WSGI handler (bench.pages.Server), interleaved at random:
- *warm*: the page as analyst and as admin, the stored build current and already decoded in the
  process (what every view costs until a case of the organisation changes);
- *json*: the controlled JSON export, warm;
- *after a change*: the page right after a change of counts (the version moved): it serves the
  stored build and says a new count is pending (refuge.stats.builds), without building;
- *after the worker's build*: a new build stored by another process (untimed) before each
  request: the page reads and decodes it;
- *JSON after a change*: the export right after a change: exports are counted afresh, so this is
  a synchronous build (totals read, six cubes built and protected);
- *first view*: no build stored at all: the page builds on the request (what a first-ever view,
  or one after the rules changed, costs).
Then the worker's part: `refresh_stale` after a change (a build stored, as `refuge worker` does).
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from typing import Any

from bench.common import add_database_arguments, percentile, print_machine, setup_django

TARGET_MS = 300.0
CHANGED = "page after a change (pending), analyst"
REBUILT = "page after the worker's build (decode), analyst"
JSON_CHANGED = "JSON after a change (counted afresh)"
FIRST = "first view, no build stored (built on the request)"
WORKER = "worker: build after a change (refresh_stale)"
ORDER = [
    "warm page, analyst",
    "warm page, admin",
    "warm JSON, analyst",
    CHANGED,
    REBUILT,
    JSON_CHANGED,
    FIRST,
    WORKER,
]
AFTER_A_CHANGE = (CHANGED, REBUILT, JSON_CHANGED, FIRST)
UNTARGETED = {  # see bench/README.md
    JSON_CHANGED: "a download, counted afresh",
    FIRST: "once per organisation and change of rules",
    WORKER: "in the background",
}
NATIONALITIES = ("KP", "UZ", "TJ", "KG", "AF", "SY", "ER", "")


def load(cases: int, seed: int) -> tuple[Any, dict[str, int]]:
    from django.core.management import call_command  # noqa: PLC0415  # Django is set up by main()

    from bench.engine import make_case  # noqa: PLC0415
    from refuge.accounts.models import Membership, Organisation, User  # noqa: PLC0415
    from refuge.cases.models import Case  # noqa: PLC0415
    from refuge.rules import evaluate, load_packs, parse_facts, timeline  # noqa: PLC0415
    from refuge.rules.outcomes import case_counts  # noqa: PLC0415
    from refuge.stats.actions import rebuild_totals  # noqa: PLC0415
    from refuge.stats.models import StatCount, StatsSettings  # noqa: PLC0415
    from refuge.vault import keys, state  # noqa: PLC0415
    from refuge.vault.models import RootKeySource  # noqa: PLC0415

    call_command("migrate", interactive=False, verbosity=0)
    if Case.objects.exists():
        sys.exit("bench.stats: the database is not empty: give a new --data-dir")
    keys.init_vault(keys.new_root_key(source=RootKeySource.DEV))  # pages are served unsealed only
    state.unseal_with_dev_key()
    rng = random.Random(seed)
    org = Organisation.objects.create(name="Bench statistics (fictional)")
    users = {}
    for name, role in (("stats-admin", "admin"), ("stats-analyst", "analyst")):
        user = User.objects.create_user(username=name, password="refuge-bench-password-not-a-secret")  # noqa: S106  # fictional
        Membership.objects.create(user=user, organisation=org, role=role)
        users[role] = user.pk
    packs = load_packs()
    from datetime import date  # noqa: PLC0415

    today = date(2026, 12, 5)
    started = time.perf_counter()
    batch = 2000
    total_counts = 0
    for first in range(0, cases, batch):
        files = []
        for n in range(first, min(first + batch, cases)):
            case = make_case(rng, n)
            nationality = rng.choice(NATIONALITIES)
            case["person"] = {"nationality": nationality or None, "stateless": not nationality, "languages": []}
            files.append(case)
        rows = Case.objects.bulk_create(
            Case(organisation=org, reference=f"STAT-{n:06d}", host_state=f["host_state"], timezone=f["timezone"])
            for n, f in zip(range(first, first + len(files)), files, strict=True)
        )
        counts = []
        for row, f in zip(rows, files, strict=True):
            facts = parse_facts(f, packs)
            nationality = "" if facts.stateless else (facts.nationality or "")
            counts.extend(
                StatCount(
                    organisation=org,
                    case=row,
                    table=c.table,
                    row=c.row,
                    year=c.day.year,
                    quarter=(c.day.month - 1) // 3 + 1,
                    host_state=facts.host_state,
                    nationality=nationality,
                )
                for c in case_counts(facts, timeline(facts, packs), evaluate(facts, today, packs))
            )
        StatCount.objects.bulk_create(counts, batch_size=5000)
        total_counts += len(counts)
        print(
            f"  {first + len(files):>7} cases, {total_counts} counts, {time.perf_counter() - started:.0f} s", flush=True
        )
    StatsSettings.objects.create(organisation=org, version=1)
    rebuild_totals(org.pk)
    return org, users


def loaded() -> tuple[Any, dict[str, int]]:
    """The organisation and users of an earlier load (--reuse), the vault unsealed again."""
    from refuge.accounts.models import Organisation, User  # noqa: PLC0415  # Django is set up by main()
    from refuge.vault import state  # noqa: PLC0415

    state.unseal_with_dev_key()
    org = Organisation.objects.get(name="Bench statistics (fictional)")
    users = {role: User.objects.get(username=f"stats-{role}").pk for role in ("admin", "analyst")}
    return org, users


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.stats", description=__doc__.split("\n\n")[0])
    add_database_arguments(parser, data_dir_required=True)
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=200, help="timed warm requests per row (≥ 200)")
    parser.add_argument("--cold", type=int, default=30, help="timed requests of each kind that follows a change")
    parser.add_argument("--seed", type=int, default=3)
    parser.add_argument("--reuse", action="store_true", help="measure a database this benchmark loaded before")
    args = parser.parse_args(argv)
    args.data_dir.mkdir(parents=True, exist_ok=True)
    setup_django(args.data_dir, args.database_url)

    from django.db import connection  # noqa: PLC0415

    from bench.pages import Server  # noqa: PLC0415
    from refuge.cases.models import Case  # noqa: PLC0415
    from refuge.stats.models import StatCount  # noqa: PLC0415

    if args.reuse:
        org, users = loaded()
    else:
        print(f"Loading {args.cases} cases…", flush=True)
        org, users = load(args.cases, args.seed)
    server = Server()
    server.login(list(users.values()))
    results = measure(server, org, users, requests=args.requests, cold=args.cold, seed=args.seed)
    print(f"\n{Case.objects.count()} cases, {StatCount.objects.count()} counts, {connection.vendor}\n")
    ok = report(results)
    print()
    print_machine(connection)
    return 0 if ok else 1


def measure(
    server: Any, org: Any, users: dict[str, int], *, requests: int, cold: int, seed: int
) -> dict[str, list[tuple[float, float]]]:
    """(wall ms, CPU ms) of each request, by label, interleaved at random; then the worker's builds."""
    from django.db.models import F  # noqa: PLC0415  # Django is set up by main()

    from bench.pages import Request  # noqa: PLC0415
    from refuge.stats.builds import rebuild, refresh_stale  # noqa: PLC0415
    from refuge.stats.models import StatCube, StatsSettings  # noqa: PLC0415

    page = Request("stats", "analyst", users["analyst"], "/stats/", {})
    json_export = Request("json", "analyst", users["analyst"], "/stats/outcomes.json", {})
    plan: list[tuple[str, Request]] = []
    for _ in range(requests):
        plan.append(("warm page, analyst", page))
        plan.append(("warm page, admin", Request("stats", "admin", users["admin"], "/stats/", {})))
        plan.append(("warm JSON, analyst", json_export))
    plan.extend(
        (label, json_export if label == JSON_CHANGED else page) for label in AFTER_A_CHANGE for _ in range(cold)
    )
    random.Random(seed).shuffle(plan)
    rebuild(org.pk)  # what `refuge worker` leaves behind after the load
    for _ in range(10):  # warm-up: imports, templates, the stored build decoded
        server.get(page)
    results: dict[str, list[tuple[float, float]]] = {}
    for label, request in plan:
        if label in (CHANGED, JSON_CHANGED):
            StatsSettings.objects.filter(organisation=org).update(version=F("version") + 1)
        elif label == REBUILT:
            rebuild(org.pk)
        elif label == FIRST:
            StatCube.objects.filter(organisation=org).delete()
        elapsed, cpu, status, body = server.get(request)
        if status != 200:
            sys.exit(f"{label}: HTTP {status}")
        if label == CHANGED and b"Cases have changed since this count" not in body:
            sys.exit(f"{label}: the page does not say that a new count is pending")
        results.setdefault(label, []).append((elapsed, cpu))
        if label in (CHANGED, JSON_CHANGED, FIRST):
            rebuild(org.pk)  # the worker catches up before the next request (untimed),
            server.get(page)  # and this process reads its build (untimed): the next is warm again
    for _ in range(cold):  # the worker's part: a build after a change, stored
        StatsSettings.objects.filter(organisation=org).update(version=F("version") + 1)
        wall, cpu = time.perf_counter(), time.thread_time()
        if refresh_stale(worker="bench") != 1:
            sys.exit("the worker built nothing after a change")
        results.setdefault(WORKER, []).append(((time.perf_counter() - wall) * 1000, (time.thread_time() - cpu) * 1000))
    return results


def report(results: dict[str, list[tuple[float, float]]]) -> bool:
    """The table of bench/README.md; whether every targeted row met the target."""
    print("| request | n | p50 ms | p95 ms | CPU p95 ms | target |")
    print("|---|---|---|---|---|---|")
    ok = True
    for label in sorted(results, key=ORDER.index):
        times = [t for t, _ in results[label]]
        p95 = percentile(times, 95)
        verdict = "met" if p95 <= TARGET_MS else "missed"
        if label in UNTARGETED:
            verdict += f" (not targeted: {UNTARGETED[label]})"
        else:
            ok = ok and p95 <= TARGET_MS
        cpu = percentile([c for _, c in results[label]], 95)
        print(
            f"| {label} | {len(times)} | {percentile(times, 50):.1f} | {p95:.1f} | {cpu:.1f} "
            f"| ≤ {TARGET_MS:.0f}: {verdict} |"
        )
    return ok


if __name__ == "__main__":
    sys.exit(main())

"""Server CPU time of one page, in process, as a lawyer: the quick form of bench.pages' CPU column.

    python -m bench.pagecpu --data-dir DIR --page case_detail [--requests 100] [--database-url ...]

bench.pages' server and request plan (the whole middleware stack, a logged-in and verified session,
a random lawyer of the largest organisation and a random case, list page or filter each time),
without its floor, its admin rows and its query plans: a run takes a minute where bench.pages takes
ten on a busy machine. Prints the request thread's CPU time (p50, p95) and the pages' queries (first, mean, max).
"""

from __future__ import annotations

import argparse
import random
import sys
from typing import Any

from bench.common import add_database_arguments, percentile, setup_django

PAGES = ("case_detail", "case_list", "dashboard")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.pagecpu", description=__doc__.split("\n\n")[0])
    add_database_arguments(parser, data_dir_required=True)
    parser.add_argument("--page", choices=PAGES, required=True)
    parser.add_argument("--requests", type=int, default=100, help="timed requests (default 100)")
    parser.add_argument("--lawyers", type=int, default=10, help="how many lawyers take turns (default 10)")
    parser.add_argument("--seed", type=int, default=3)
    parser.add_argument("--profile", metavar="FILE", help="write cProfile statistics of the timed requests to FILE")
    args = parser.parse_args(argv)
    setup_django(args.data_dir, args.database_url)

    from django.db import connection  # noqa: PLC0415  # after setup_django

    from bench import pages  # noqa: PLC0415  # imports Django models lazily, but keep it after setup
    from refuge.vault import state  # noqa: PLC0415

    state.try_dev_unseal()
    rng = random.Random(args.seed)
    world = pages.World.load(rng, args.lawyers)
    server = pages.Server()
    server.login(sorted(world.lawyers))
    plan = pages.plan(world, rng, args.page, "lawyer", args.requests + 5)
    for request in plan[:5]:  # untimed: templates compiled, caches warm
        _ms, _cpu, status, _body = server.get(request)
        if status != 200:
            raise SystemExit(f"bench.pagecpu: {request.path} answered {status}")
    queries: list[str] = []

    def count(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        queries.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        _ms, _cpu, _status, body = server.get(plan[0])
    first = len(queries)
    profiler = None
    if args.profile:
        import cProfile  # noqa: PLC0415  # only when asked for

        profiler = cProfile.Profile()
        profiler.enable()
    cpu = [server.get(request)[1] for request in plan[5:]]
    if profiler is not None:
        profiler.disable()
        profiler.dump_stats(args.profile)
    # Then the queries of every timed request's page again, untimed (cases differ: a granted measure, documents…).
    counts = []
    for request in plan[5:]:
        queries.clear()
        with connection.execute_wrapper(count):
            server.get(request)
        counts.append(len(queries))
    print(
        f"{args.page} as a lawyer: CPU p50 {percentile(cpu, 50):.1f} ms, p95 {percentile(cpu, 95):.1f} ms "
        f"({len(cpu)} requests); {first} queries on the first page (mean {sum(counts) / len(counts):.1f}, "
        f"max {max(counts)} over the timed pages), {len(body):,} bytes"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

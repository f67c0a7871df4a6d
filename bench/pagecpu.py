"""Server CPU time of one page, in process, as a lawyer: the quick form of bench.pages' CPU column.

    python -m bench.pagecpu --data-dir DIR --page case_detail [--requests 100] [--database-url ...]

bench.pages' server and request plan (the whole middleware stack, a logged-in and verified session,
a random lawyer of the largest organisation and a random case, list page or filter each time),
without its floor, its admin rows and its query plans: a run takes a minute where bench.pages takes
ten on a busy machine. Prints the request thread's CPU time (p50, p95) and the pages' queries (first, mean, max).

Besides bench.pages' three pages, the rest of bench.load's mix, drawn as it draws them: `search`
(half a case reference, half a name; timed once the name index is built), `alerts`,
`event_form` (the add-event form fetched with htmx) and `event_add` (its POST: saves an event,
recomputes the case, answers with the timeline; it WRITES, so only with `--writes`, on a copy of
the database); and `baseline`, the search page without a query: the middleware chain, the layout
and the bell, with next to nothing of its own.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from typing import Any

from bench.common import add_database_arguments, percentile, setup_django

PAGES = ("case_detail", "case_list", "dashboard", "search", "alerts", "event_form", "event_add", "baseline")
# The event bench.load adds (a lawyer's access denied today: valid on any case, whatever it holds).
EVENT_FORM = {"new-type": "lawyer_access_denied", "new-time": "", "new-offset": "", "new-source": "", "new-note": ""}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.pagecpu", description=__doc__.split("\n\n")[0])
    add_database_arguments(parser, data_dir_required=True)
    parser.add_argument("--page", choices=PAGES, required=True)
    parser.add_argument("--requests", type=int, default=100, help="timed requests (default 100)")
    parser.add_argument("--lawyers", type=int, default=10, help="how many lawyers take turns (default 10)")
    parser.add_argument("--seed", type=int, default=3)
    parser.add_argument("--profile", metavar="FILE", help="write cProfile statistics of the timed requests to FILE")
    parser.add_argument("--writes", action="store_true", help="allow event_add, which adds events: use a copy")
    args = parser.parse_args(argv)
    if args.page == "event_add" and not args.writes:
        parser.error("event_add adds events to the database: copy it and pass --writes")
    setup_django(args.data_dir, args.database_url)

    from django.db import connection  # noqa: PLC0415  # after setup_django

    from bench import pages  # noqa: PLC0415  # imports Django models lazily, but keep it after setup
    from refuge.lib import collector  # noqa: PLC0415
    from refuge.vault import state  # noqa: PLC0415

    state.try_dev_unseal()
    rng = random.Random(args.seed)
    world = pages.World.load(rng, args.lawyers)
    server = pages.Server()
    server.login(sorted(world.lawyers))
    plan = make_plan(world, rng, args.page, args.requests + 5)
    for request in plan[:5]:  # untimed: templates compiled, caches warm
        _ms, _cpu, status, _body = server.get(request)
        if status != 200 or (request.form is not None and b'id="timeline"' not in _body):
            raise SystemExit(f"bench.pagecpu: {request.path} answered {status} without the page expected")
    _wait_for_name_indexes(world.org_id, args.page)
    collector.settle()  # as each worker of `refuge serve` does once it has loaded the app
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

        profiler = cProfile.Profile(time.thread_time)  # the thread's CPU time, as the figures are
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


def _wait_for_name_indexes(org_id: int, page: str) -> None:
    """The name indexes, built in a thread of their own after the unseal (seconds of decryption at
    100,000 cases): waited for whatever the page, so that they neither compete with the timed
    requests nor are missing from a search."""
    from refuge.search import index  # noqa: PLC0415  # Django is set up by main()

    builder = index.background_build()
    if builder is not None:
        builder.join()
    if page == "search":
        index.match(org_id, ["Karimov Aziz"], wait=None)


def make_plan(world: Any, rng: random.Random, page: str, n: int) -> list[Any]:
    """n requests of the page as the world's lawyers, bench.pages' plan for its three pages."""
    from django.urls import reverse  # noqa: PLC0415  # Django is set up by main()
    from django.utils import timezone  # noqa: PLC0415

    from bench import pages  # noqa: PLC0415
    from bench.generate import CA_FAMILY, CA_GIVEN  # noqa: PLC0415
    from refuge.cases.models import Case  # noqa: PLC0415

    if page in pages.PAGES:
        return pages.plan(world, rng, page, "lawyer", n)
    lawyers = sorted(world.lawyers)
    if page == "search":
        ids = [case_id for case_id, _code in world.org_cases[:2000]]
        references = sorted(Case.objects.filter(pk__in=ids).values_list("reference", flat=True))
    out = []
    for i in range(n):
        user_id = rng.choice(lawyers)
        if page in ("baseline", "alerts"):
            path = reverse("search") if page == "baseline" else reverse("alert_list")
            out.append(pages.Request(page, "lawyer", user_id, path, {}))
        elif page == "search":
            if i > 0 and rng.random() < 0.5:
                query = rng.choice(references)
            else:  # a name, as bench.load asks (the first builds the index, untimed)
                query = f"{rng.choice(CA_FAMILY)[0]}ov {rng.choice(CA_GIVEN)[0]}"
            out.append(pages.Request(page, "lawyer", user_id, reverse("search"), {"q": query}))
        else:
            case_id, code = rng.choice(world.lawyers[user_id])
            path = reverse("event_add", args=[code])
            form = {**EVENT_FORM, "new-date": timezone.localdate().isoformat()} if page == "event_add" else None
            out.append(pages.Request(page, "lawyer", user_id, path, {}, case_id, form, {"HX-Request": "true"}))
    return out


if __name__ == "__main__":
    sys.exit(main())

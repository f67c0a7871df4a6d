"""Audit log: appends per second, to one organisation's chain and to four organisations' chains at once.

    python -m bench.audit_append [--seconds 10] [--database-url postgres://...] [--data-dir DIR]

1. Makes a fresh database (SQLite in a temporary data directory, or the PostgreSQL database given,
   which must be empty) with Refuge's own settings and migrations, and four organisations.
2. "one organisation": four processes append to the same organisation's chain for --seconds.
3. "four organisations": four processes each append to its own organisation's chain.
   Each append is `refuge.audit.actions.record()` in a transaction of its own, as a request pays it.
4. Runs `verify()` over the result: every chain must start at 1 without a gap.

Targets on PostgreSQL: 1,500 appends/s within one organisation, 5,000/s across four.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import platform
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.common import add_database_arguments, machine_info, setup_django

PROCESSES = 4
TARGETS = {"one organisation": 1_500, "four organisations": 5_000}


def _writer(where: tuple[str, str | None], org_pk: int, start: float, seconds: float, done: Any) -> None:
    data_dir, url = where
    setup_django(Path(data_dir), url)
    from refuge.accounts.models import Organisation  # noqa: PLC0415  # after Django is set up
    from refuge.audit.actions import record  # noqa: PLC0415
    from refuge.audit.events import EventType  # noqa: PLC0415

    organisation = Organisation.objects.get(pk=org_pk)
    while time.time() < start:
        time.sleep(0.001)
    end = start + seconds
    count = 0
    while time.time() < end:
        record(
            type=EventType.IDENTITY_REVEALED,
            actor=None,
            target=("case", "00000000-0000-4000-8000-000000000001"),
            fields=["names"],
            data={"via": "bench", "n": count},
            organisation=organisation,
        )
        count += 1
    done.put(count)


def run(label: str, orgs: list[int], args: argparse.Namespace) -> float:
    """Appends per second of PROCESSES writers, writer i appending to orgs[i]."""
    context = multiprocessing.get_context("spawn")
    done = context.Queue()
    start = time.time() + 3.0  # every writer set up before the clock starts
    writers = [
        context.Process(target=_writer, args=((str(args.data_dir), args.database_url), org, start, args.seconds, done))
        for org in orgs
    ]
    for w in writers:
        w.start()
    total = sum(done.get(timeout=args.seconds + 120) for _ in writers)
    for w in writers:
        w.join()
    rate = total / args.seconds
    print(f"{label}: {total:,} appends by {len(orgs)} processes in {args.seconds:.0f} s = {rate:,.0f} /s")
    return rate


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.audit_append", description=__doc__.splitlines()[0])
    add_database_arguments(parser, data_dir_required=False)
    parser.add_argument("--seconds", type=float, default=10.0, help="length of each run (default 10)")
    args = parser.parse_args(argv)
    temporary = None
    if args.data_dir is None:
        temporary = tempfile.TemporaryDirectory(prefix="refuge-bench-append-")
        args.data_dir = Path(temporary.name)
    try:
        setup_django(args.data_dir, args.database_url)
        from django.core.management import call_command  # noqa: PLC0415  # after Django is set up

        from refuge.accounts.models import Organisation  # noqa: PLC0415
        from refuge.audit.models import AuditEvent  # noqa: PLC0415
        from refuge.audit.verify import verify  # noqa: PLC0415

        call_command("migrate", verbosity=0)
        if AuditEvent.objects.exists():
            parser.error("the database already holds an audit log: the benchmark needs a fresh one")
        orgs = [Organisation.objects.create(name=f"Bench organisation {i} (fictional)").pk for i in range(PROCESSES)]
        from django.db import connections  # noqa: PLC0415

        connections.close_all()  # the writers are other processes
        rates = {
            "one organisation": run("one organisation", [orgs[0]] * PROCESSES, args),
            "four organisations": run("four organisations", orgs, args),
        }
        report = verify()
        vendor = connections["default"].vendor
    finally:
        if temporary is not None:
            temporary.cleanup()
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"python {platform.python_version()} on {platform.machine()}, {os.cpu_count()} cores, load {load}")
    for name, value in machine_info(vendor, ""):
        print(f"  {name}: {value}")
    print(f"verify: {'OK' if report.ok else report.problem}, {report.count:,} entries in {len(report.chains)} chains")
    met = report.ok
    if vendor == "postgresql":
        for label, target in TARGETS.items():
            verdict = "met" if rates[label] >= target else "NOT met"
            print(f"target {label}: {target:,} /s — {verdict}")
            met = met and rates[label] >= target
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())

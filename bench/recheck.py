"""The day's-end re-check with several workers: cases per second and collisions.

    python -m bench.generate --cases 10000 --data-dir DIR      # once (or --database-url postgres://...)
    python -m bench.recheck --data-dir DIR [--database-url ...] [--workers 2] [--batch 200] [--profile FILE]

On a database made by `bench.generate`, runs `refuge.alerts.clock.recheck_cases` — what each
`refuge worker` runs on its clock — in `--workers` separate processes started together, at the
end of a day on every case's clock, until no case is left. First one settling pass in this process
at the day before replaces the generator's stand-in rows with the engine's own (timed apart, as
"settle"); the measured pass is then a real day's end: every case is due, and the rows change
only where time alone changes them (a deadline passes, a reminder is due).

Reported: the wall-clock time from the workers' start to the last one's end, cases per second
together, what each worker did (with the CPU time its process used: cases per CPU-second is what
one worker would do on a core of its own, whatever else the machine runs), and collisions — a
case recomputed by more than one worker, a batch rolled back or a case that failed (any of them in
a worker's log), a claim left behind.
It rewrites the derived rows of the database it is given.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench.common import add_database_arguments, print_machine, setup_django

ROOT = Path(__file__).resolve().parents[1]
TARGET = 1000.0  # cases per second, all workers together


def worker(name: str, now: str, batch: int, profile: Path | None = None) -> None:
    """One worker process: re-check until nothing is due; print what it did (JSON). With `profile`,
    under cProfile, its statistics written to that file (the CPU time then includes the profiler's)."""
    from refuge.alerts.clock import recheck_cases  # noqa: PLC0415  # after django.setup()

    profiler = cProfile.Profile(time.process_time) if profile else None  # CPU: not the machine's load
    began, started, cpu = time.time(), time.perf_counter(), time.process_time()
    if profiler is not None:
        profiler.enable()
    done = recheck_cases(now=datetime.fromisoformat(now), worker=name, batch=batch, budget=float("inf"))
    if profiler is not None:
        profiler.disable()
        profile.parent.mkdir(parents=True, exist_ok=True)
        profiler.dump_stats(profile)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    ended = time.time()
    print(json.dumps({"worker": name, "done": done, "seconds": seconds, "cpu": cpu, "began": began, "ended": ended}))


def measure(args: argparse.Namespace) -> int:
    from django.db import connection  # noqa: PLC0415  # after django.setup()
    from django.db.models import Count, Max  # noqa: PLC0415

    from refuge.alerts.clock import recheck_cases  # noqa: PLC0415
    from refuge.cases.derived import CaseCheck, DerivedChange  # noqa: PLC0415

    cases = CaseCheck.objects.count()
    last = CaseCheck.objects.aggregate(day=Max("today"))["day"]
    if not cases or last is None:
        print("bench.recheck: no case checks: make the data with `python -m bench.generate` first", file=sys.stderr)
        return 2
    # Noon UTC two days after the last check: past midnight on every clock on Earth.
    settle_at = datetime.combine(last + timedelta(days=2), datetime.min.time(), tzinfo=UTC) + timedelta(hours=12)
    measured_at = settle_at + timedelta(days=1)
    print(f"bench.recheck: {cases} cases, {args.workers} worker processes, batch {args.batch}")
    if not args.no_settle:
        started = time.perf_counter()
        settled = recheck_cases(now=settle_at, worker="settle", batch=args.batch, budget=float("inf"))
        seconds = time.perf_counter() - started
        rate = settled / seconds
        print(f"settle (one process, stand-in rows replaced): {settled} cases in {seconds:.1f} s, {rate:,.0f} /s")
    connection.close()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    started = time.perf_counter()
    procs = [
        subprocess.Popen(  # noqa: S603  # our own interpreter and module
            [
                sys.executable,
                "-m",
                "bench.recheck",
                *args.database,
                *("--worker", f"w{n}", "--now", measured_at.isoformat(), "--batch", str(args.batch)),
                *(("--profile", str(args.profile.with_suffix(f".w{n}.prof"))) if args.profile else ()),
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for n in range(1, args.workers + 1)
    ]
    outputs = [proc.communicate() for proc in procs]
    wall = time.perf_counter() - started
    reports, faults = [], 0
    for proc, (out, err) in zip(procs, outputs, strict=True):
        if proc.returncode != 0:
            print(err, file=sys.stderr)
            return 1
        reports.append(json.loads(out.strip().splitlines()[-1]))
        faults += err.count("failed")  # the log of a rolled-back batch or a failed case
    done = sum(r["done"] for r in reports)
    rechecked = CaseCheck.objects.filter(computed_at=measured_at).count()
    twice = (
        DerivedChange.objects.filter(cause="clock", at=measured_at)
        .values("case_id", "item", "key", "change")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .count()
    )
    left = CaseCheck.objects.exclude(claimed_by="").count()
    collisions = (done - rechecked) + twice + faults + left
    changes = DerivedChange.objects.filter(cause="clock", at=measured_at).count()
    for r in reports:
        rate = r["done"] / r["cpu"] if r["cpu"] else 0
        print(f"- {r['worker']}: {r['done']} cases in {r['seconds']:.1f} s, ", end="")
        print(f"{r['cpu']:.1f} s of CPU ({rate:,.0f} per CPU-second)")
    print(f"day's end: {done} cases in {wall:.1f} s (wall clock, processes started included)")
    print(f"rate: {done / wall:,.0f} cases/s together, processes started included")
    # A `refuge worker` is already running when a day ends: from the first worker's first claim to the
    # last one's end, the start of Python and Django left out.
    span = max(r["ended"] for r in reports) - min(r["began"] for r in reports)
    print(f"day's end in running workers: {done} cases in {span:.1f} s, {done / span:,.0f} cases/s together")
    print(f"(target {TARGET:,.0f} cases/s together)")
    print(f"collisions: {collisions} (recomputed twice {done - rechecked}, history twice {twice}, ", end="")
    print(f"faults {faults}, claims left {left})")
    print(f"cases not re-checked: {cases - rechecked}; history rows written: {changes}")
    print(f"load average: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    print_machine(connection)
    if args.profile:
        print(f"\nprofile of w1 (cProfile, all workers' in {args.profile.with_suffix('.w*.prof')}):")
        pstats.Stats(str(args.profile.with_suffix(".w1.prof"))).sort_stats("cumulative").print_stats(40)
    return 0 if collisions == 0 and rechecked == cases else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    add_database_arguments(parser, data_dir_required=True)
    parser.add_argument("--workers", type=int, default=2, help="worker processes (default 2)")
    parser.add_argument("--batch", type=int, default=200, help="cases claimed at a time (default 200)")
    parser.add_argument("--no-settle", action="store_true", help="skip the settling pass (already settled)")
    parser.add_argument(
        "--profile", type=Path, help="run the workers under cProfile, their statistics in PROFILE.w<n>.prof"
    )
    parser.add_argument("--worker", help=argparse.SUPPRESS)  # a worker process of the benchmark
    parser.add_argument("--now", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    args.database = ["--data-dir", str(args.data_dir)] + (
        ["--database-url", args.database_url] if args.database_url else []
    )
    setup_django(args.data_dir, args.database_url)
    if args.worker:
        worker(args.worker, args.now, args.batch, args.profile)
        return 0
    return measure(args)


if __name__ == "__main__":
    sys.exit(main())

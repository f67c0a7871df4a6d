"""`refuge import` of a whole archive: cases per second and peak memory.

    python -m bench.importer [--cases 5000] [--seed 5] [--keep DIR] [--database-url URL]

Writes N fictional 30-event case files (bench.engine's generator; a third of them `dormant` or
`closed`, as an archive holds) into a temporary directory, prepares a fresh data directory
(migrate, a vault with a dev root key, one organisation and one lawyer), then runs
`refuge import FILE... --organisation ... --user ...` on all the files as a child process and
reports its wall-clock rate (cases per second, from the child's start to its exit: Django's start,
validation and writing included), its rate per CPU second of the child (user + system time: on a
shared machine the wall clock also counts waiting for a core; the database server's own time, for
PostgreSQL, is in neither) and its peak resident memory (`os.wait4`'s rusage of the child: the
largest of its processes). `--jobs N` is passed on (validating workers); the import's processes'
proportional set sizes (PSS: shared pages split between the processes sharing them) are summed
every 0.2 s, and the peak of that sum is the memory of the whole import, workers included.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

TARGET_RATE = 1_000  # cases per second
TARGET_MIB = 300
ORGANISATION = "Bench import"
USER = "bench-importer"
SETUP = """
from refuge.accounts.models import Membership, Organisation, User
from refuge.vault import keys
from refuge.vault.models import RootKeySource
keys.init_vault(keys.new_root_key(source=RootKeySource.DEV))
org = Organisation.objects.create(name={org!r})
user = User.objects.create(username={user!r})
Membership.objects.create(user=user, organisation=org, role="lawyer")
"""

# `python -m cProfile`, but with the process's CPU time as its clock: argv is OUT, then the command.
PROFILE = """
import cProfile, runpy, sys, time
out, sys.argv = sys.argv[1], sys.argv[2:]
profile = cProfile.Profile(time.process_time)
try:
    profile.runcall(runpy.run_path, sys.argv[0], run_name="__main__")
except SystemExit as exit:
    if exit.code not in (None, 0):
        raise
finally:
    profile.dump_stats(out)
"""


def write_cases(directory: Path, count: int, seed: int, *, status: bool = True) -> list[Path]:
    from bench.engine import make_case  # noqa: PLC0415  # the generator, only when files are written

    rng = random.Random(seed)
    paths = []
    for n in range(count):
        case = make_case(rng, n)
        case["reference"] = f"IMP-{n:06d}"
        if status:
            case["status"] = ("open", "open", "dormant", "closed")[n % 4] if n % 3 == 0 else "open"
        path = directory / f"{n:06d}.case.json"
        path.write_text(json.dumps(case, ensure_ascii=False), encoding="utf-8")
        paths.append(path)
    return paths


def _tree(pid: int) -> list[int]:
    """A process and its descendants (Linux's /proc)."""
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        try:
            children = Path(f"/proc/{current}/task/{current}/children").read_text().split()
        except OSError:
            continue
        todo.extend(int(child) for child in children)
    return found


def _pss_kib(pid: int) -> int:
    try:
        lines = Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()
    except OSError:  # ended, or not Linux
        return 0
    return sum(int(line.split()[1]) for line in lines if line.startswith("Pss:"))


def _watch_memory(pid: int, peak: list[int], done: threading.Event) -> None:
    """Keep in peak[0] the largest sum of PSS (KiB) of the process tree seen so far."""
    while not done.wait(0.2):
        peak[0] = max(peak[0], sum(_pss_kib(p) for p in _tree(pid)))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cases", type=int, default=5_000)
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--keep", type=Path, help="a directory to keep the data and case files in")
    parser.add_argument("--no-status", action="store_true", help="files without `status` (all open)")
    parser.add_argument("--profile", type=Path, help="write the import's cProfile statistics here")
    parser.add_argument("--jobs", type=int, help="refuge import's --jobs (default: its own, one per core)")
    parser.add_argument(
        "--database-url", help="an EMPTY PostgreSQL database to import into (default: SQLite in the data directory)"
    )
    args = parser.parse_args(argv)
    root = args.keep or Path(tempfile.mkdtemp(prefix="refuge-bench-import-"))
    data_dir, files_dir = root / "data", root / "files"
    data_dir.mkdir(parents=True, exist_ok=True)
    files_dir.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "REFUGE_DATA_DIR": str(data_dir.resolve()), "DJANGO_SETTINGS_MODULE": "refuge.settings"}
    env.pop("REFUGE_DATABASE_URL", None)
    if args.database_url:
        env["REFUGE_DATABASE_URL"] = args.database_url
    env.pop("REFUGE_DEBUG", None)
    refuge = [str(Path(sys.executable).with_name("refuge"))]
    subprocess.run([*refuge, "migrate", "-v", "0"], env=env, check=True)  # noqa: S603  # our own command
    setup = SETUP.format(org=ORGANISATION, user=USER)
    subprocess.run([*refuge, "shell", "-c", setup], env=env, check=True)  # noqa: S603  # our own command
    paths = write_cases(files_dir, args.cases, args.seed, status=not args.no_status)

    command = [*refuge, "import", "--organisation", ORGANISATION, "--user", USER, *map(str, paths)]
    if args.jobs is not None:
        command[2:2] = ["--jobs", str(args.jobs)]
    if args.profile:  # timed by the process's CPU clock: on a shared machine the wall clock counts waiting too
        command = [sys.executable, "-c", PROFILE, str(args.profile), *command]
    errors = root / "import.stderr"
    with errors.open("wb") as err:
        start = time.perf_counter()
        child = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=err)  # noqa: S603  # our own command
        peak, done = [0], threading.Event()
        watcher = threading.Thread(target=_watch_memory, args=(child.pid, peak, done), daemon=True)
        watcher.start()
        _, status, usage = os.wait4(child.pid, 0)  # this child's own rusage, not the setup's
        done.set()
        watcher.join()
        seconds = time.perf_counter() - start
        child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0:
        print(errors.read_text(encoding="utf-8", errors="replace")[-2000:], file=sys.stderr)
        return 1
    peak_mib = usage.ru_maxrss / 1024  # KiB on Linux
    rate = args.cases / seconds
    cpu = usage.ru_utime + usage.ru_stime  # the child's own CPU time: what a shared machine's load does not inflate
    print(
        f"cases: {args.cases} (30 events each), time: {seconds:.1f} s, rate: {rate:,.0f} cases/s, "
        f"CPU: {cpu:.1f} s ({args.cases / cpu:,.0f} cases per CPU second), "
        f"peak RSS of the import: {peak_mib:,.0f} MiB, with its workers (PSS): {peak[0] / 1024:,.0f} MiB, "
        f"load: {os.getloadavg()[0]:.1f}, "
        f"database: {'PostgreSQL' if args.database_url else 'SQLite'}"
    )
    print(
        f"targets: ≥ {TARGET_RATE:,} cases/s {'met' if rate >= TARGET_RATE else 'missed'}; "
        f"< {TARGET_MIB} MiB {'met' if max(peak_mib, peak[0] / 1024) < TARGET_MIB else 'missed'}"
    )
    if not args.keep:
        shutil.rmtree(root, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""One `refuge unseal` and one `refuge seal` across the workers of `refuge serve`: how long until each holds
or drops the key.

    python -m bench.unseal [--workers 3] [--rounds 20]

Builds a fresh SQLite database in a temporary REFUGE_DATA_DIR with a passphrase vault, starts
`refuge serve --workers N` as deployed (the master runs the key agent), then repeats: `refuge unseal`
on the host (the key handed to the agent), `refuge seal` (the database's seal epoch). The clocks
are the log lines' own timestamps (one machine, one clock): from the command's line (the agent was
given the key / sealed everywhere, i.e. committed) to the last worker's line (took the key from the
agent / dropped it). Targets: every worker within 1 s (the watcher's interval), both ways; a sealed
worker asks the agent every quarter of it.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.common import percentile

TARGET_S = 1.0
PASSPHRASE = "a vault passphrase for the unseal benchmark only"  # noqa: S105  # a throwaway vault
ROOT = Path(__file__).resolve().parents[1]
STAMP = r"(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3})"
TAKES = re.compile(STAMP + r" INFO refuge.vault vault: unsealed in this process, (\d+), from the host's key agent")
DROPS = re.compile(STAMP + r" WARNING refuge.vault vault: sealed in this process, (\d+) \(sealed by another")


def _refuge(env: dict[str, str], *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(  # noqa: S603  # our own command
        [sys.executable, "-m", "refuge", *args],
        input=stdin,
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    if done.returncode:
        raise SystemExit(f"refuge {' '.join(args)} failed: {done.stdout}{done.stderr}")
    return done


def _stamp(text: str) -> dt.datetime:
    # The log's local clock, compared with itself only.
    return dt.datetime.strptime(text, "%Y-%m-%d %H:%M:%S,%f")  # noqa: DTZ007


def _command_stamp(stderr: str, needle: str) -> dt.datetime:
    line = next(line for line in stderr.splitlines() if needle in line)
    found = re.search(STAMP, line)  # after a prompt, on the same line
    if found is None:
        raise SystemExit(f"no time stamp on the command's line: {line!r}")
    return _stamp(found.group(1))


def _worker_stamps(log: Path, offset: int, pattern: re.Pattern[str], count: int, timeout: float = 30) -> list[float]:
    deadline = time.monotonic() + timeout
    while True:
        lines = log.read_text()[offset:].splitlines()
        found = {int(m.group(2)): _stamp(m.group(1)) for m in map(pattern.search, lines) if m}
        if len(found) >= count:
            return sorted(s.timestamp() for s in found.values())
        if time.monotonic() > deadline:
            raise SystemExit(f"only {len(found)} of {count} workers answered within {timeout} s; see {log}")
        time.sleep(0.05)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args(argv)
    data = Path(tempfile.mkdtemp(prefix="rb-unseal-"))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("REFUGE_", "DJANGO_"))}
    env.update(REFUGE_DATA_DIR=str(data / "data"), PYTHONUNBUFFERED="1", PYTHONPATH=str(ROOT))
    _refuge(env, "migrate", "--no-input")
    _refuge(env, "vault", "init", "--passphrase", stdin=PASSPHRASE + "\n")
    log = data / "serve.log"
    with log.open("w") as out:
        server = subprocess.Popen(  # noqa: S603  # our own command
            [sys.executable, "-m", "refuge", "serve", "--port", "0", "--workers", str(args.workers)],
            env=env,
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    unseal_s: list[float] = []
    seal_s: list[float] = []
    try:
        starts = re.compile(r"vault: process (\d+) starts sealed")
        deadline = time.monotonic() + 120
        while len(set(starts.findall(log.read_text()))) < args.workers:
            if time.monotonic() > deadline or server.poll() is not None:
                raise SystemExit(f"the server did not start its workers; see {log}")
            time.sleep(0.1)
        for _ in range(args.rounds):
            offset = len(log.read_text())
            done = _refuge(env, "unseal", stdin=PASSPHRASE + "\n")
            given = _command_stamp(done.stderr, "the host's key agent was given the root key").timestamp()
            unseal_s.append(_worker_stamps(log, offset, TAKES, args.workers)[-1] - given)
            offset = len(log.read_text())
            done = _refuge(env, "seal")
            sealed = _command_stamp(done.stderr, "sealed everywhere").timestamp()
            seal_s.append(_worker_stamps(log, offset, DROPS, args.workers)[-1] - sealed)
    finally:
        server.terminate()
        server.wait(timeout=30)
    load = Path("/proc/loadavg").read_text().split()[0]
    print(f"workers {args.workers}, rounds {args.rounds}, load (1 min) at the end {load}")
    print("| measure | n | p50 s | p95 s | max s |")
    print("|---|--:|--:|--:|--:|")
    for name, values in (("unseal → last worker holds the key", unseal_s), ("seal → last worker dropped it", seal_s)):
        print(
            f"| {name} | {len(values)} | {percentile(values, 50):.3f} | {percentile(values, 95):.3f} "
            f"| {max(values):.3f} |"
        )
    met = max(unseal_s + seal_s) <= TARGET_S
    print(f"target: every worker within {TARGET_S} s: {'met' if met else 'NOT met'}")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())

"""What the generator and the benchmarks share: pointing Django at a data directory, machine facts."""

from __future__ import annotations

import argparse
import math
import os
import platform
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

SQLITE_FILE = "refuge.sqlite3"  # the name refuge/settings.py gives the database inside REFUGE_DATA_DIR


def add_database_arguments(parser: argparse.ArgumentParser, *, data_dir_required: bool) -> None:
    parser.add_argument(
        "--data-dir",
        type=Path,
        required=data_dir_required,
        help="REFUGE_DATA_DIR of the benchmark database (its SQLite file and secret key live there)",
    )
    parser.add_argument(
        "--database-url",
        default=None,
        help="postgres://... to use PostgreSQL instead of the SQLite file in --data-dir",
    )


def setup_django(data_dir: Path, database_url: str | None) -> None:
    """Point Refuge's own settings at the benchmark database and start Django.

    Only the environment changes, exactly as an operator would set it: the product settings
    (WAL, synchronous=FULL, foreign keys, busy timeout...) stay as they ship.
    """
    os.environ["REFUGE_DATA_DIR"] = str(data_dir.resolve())
    if database_url:
        os.environ["REFUGE_DATABASE_URL"] = database_url
    else:
        os.environ.pop("REFUGE_DATABASE_URL", None)
        os.environ.pop("REFUGE_DATABASE_URL_FILE", None)
    os.environ.pop("REFUGE_DEBUG", None)  # DEBUG would log every query and slow every page
    os.environ["DJANGO_SETTINGS_MODULE"] = "refuge.settings"
    import django  # noqa: PLC0415  # after the environment is set

    django.setup()


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile (p in 0..100) of a non-empty list: p95 of 200 values is the 190th."""
    ordered = sorted(values)
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return ordered[rank - 1]


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _memory() -> str:
    try:
        for line in Path("/proc/meminfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("MemTotal:"):
                return f"{int(line.split()[1]) / 1024 / 1024:.0f} GiB"
    except OSError:
        pass
    return "unknown"


def _git_head() -> str:
    """The commit measured, and whether the product's code differed from it (others work in the tree)."""
    root = Path(__file__).resolve().parent.parent
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],  # noqa: S607  # git from PATH, fixed arguments
            capture_output=True,
            text=True,
            check=False,
            cwd=root,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no", "--", "refuge"],  # noqa: S607  # as above
            capture_output=True,
            text=True,
            check=False,
            cwd=root,
        ).stdout.strip()
    except OSError:
        head, dirty = "", ""
    if head:
        return f"{head} (with uncommitted changes to refuge/)" if dirty else head
    # A snapshot made with `git archive HEAD | tar -x -C DIR; git rev-parse --short HEAD > DIR/COMMIT`.
    stamp = root / "COMMIT"
    return f"{stamp.read_text(encoding='utf-8').strip()} (snapshot)" if stamp.exists() else "unknown"


def machine_info(vendor: str, server_version: str) -> list[tuple[str, str]]:
    import django  # noqa: PLC0415  # callers have set Django up

    return [
        ("CPU", f"{_cpu_model()} ({os.cpu_count()} CPUs by nproc)"),
        ("Memory", _memory()),
        ("Kernel", platform.release()),
        ("Python", sys.version.split()[0]),
        ("Django", django.get_version()),
        ("SQLite (Python's sqlite3 library)", sqlite3.sqlite_version),
        ("Database", f"{vendor} {server_version}"),
        ("Commit", _git_head()),
    ]


def print_machine(connection: Any) -> None:
    """The machine facts under a benchmark's table, for the database Django is connected to."""
    vendor = connection.vendor
    version = connection.Database.sqlite_version if vendor == "sqlite" else str(connection.pg_version)
    for key, value in machine_info(vendor, version):
        print(f"- {key}: {value}")  # a benchmark's report

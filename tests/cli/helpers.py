"""Running the real `refuge` command in a child process, with its own data directory."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]


def refuge_env(data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("REFUGE_", "DJANGO_", "LC_"))}
    env["LANG"] = "C.UTF-8"  # the English messages these tests read, whatever the developer's locale
    env["REFUGE_DATA_DIR"] = str(data_dir)  # SQLite under it, whatever database the suite itself uses
    env["PYTHONUNBUFFERED"] = "1"
    return env


def refuge_argv(*args: str) -> list[str]:
    script = Path(sys.executable).with_name("refuge")
    head = [str(script)] if script.exists() else [sys.executable, "-m", "refuge"]
    return [*head, *args]


def run_refuge(
    data_dir: Path, *args: str, stdin: str | None = None, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603  # our own command, arguments from the test
        refuge_argv(*args),
        input=stdin,
        capture_output=True,
        text=True,
        env=refuge_env(data_dir),
        cwd=REPO,
        timeout=timeout,
        check=False,
    )


def row_counts(data_dir: Path) -> dict[str, int]:
    """Rows of the case tables in the child's SQLite database, read directly."""
    tables = ("cases_case", "cases_person", "cases_event", "cases_deadline", "cases_conflict")
    with sqlite3.connect(data_dir / "refuge.sqlite3") as db:
        return {t: db.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in tables}  # noqa: S608  # fixed names


def events_by_id(doc: dict[str, Any]) -> dict[str, Any]:
    """A case file with its events keyed by id (export orders them by time, a file may not)."""
    return {**doc, "events": {e["id"]: e for e in doc["events"]}}

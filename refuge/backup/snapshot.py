"""A consistent copy of the live database, and what it held: each audit chain's head, row counts, stored files.

SQLite: Python's online backup API (`Connection.backup`) copies the live WAL database in one step,
under one read transaction, while the server keeps writing; the copy is then read for its facts.
PostgreSQL: a REPEATABLE READ transaction exports its snapshot (`pg_export_snapshot()`); the facts
are read in that transaction and the real `pg_dump --snapshot` dumps exactly the same state.

Either way the facts (chain heads, counts, the stored files the rows name) describe the dump
itself, not the database a moment before or after.
"""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from django.apps import apps
from django.conf import settings
from django.db import models
from django.utils.translation import gettext

from refuge.audit.models import AuditHead

SQLITE_MEMBER = "database.sqlite3"
POSTGRES_MEMBER = "database.pgdump"


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why and what to do."""


class _Cursor(Protocol):
    def execute(self, sql: str, params: Any = ...) -> Any: ...
    def fetchall(self) -> list[Any]: ...


@dataclass
class Facts:
    """What the snapshot holds: chain heads (chain → seq, hash), rows per table, stored file names."""

    chains: list[dict[str, Any]] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    files: list[str] = field(default_factory=list)


def vendor() -> str:
    engine = str(settings.DATABASES["default"]["ENGINE"])
    return "postgresql" if engine.endswith("postgresql") else "sqlite"


def _tables() -> list[str]:
    return sorted({m._meta.db_table for m in apps.get_models(include_auto_created=True) if m._meta.managed})


def _file_columns() -> list[tuple[str, str]]:
    return sorted(
        (model._meta.db_table, f.column)
        for model in apps.get_models()
        for f in model._meta.get_fields()
        if isinstance(f, models.FileField)
    )


def read_facts(cursor: _Cursor, *, quote: Callable[[str], str]) -> Facts:
    """The facts of the database `cursor` reads (a snapshot's copy, or its exported transaction)."""
    facts = Facts()
    head = AuditHead._meta
    cols = [quote(str(f.column)) for f in head.concrete_fields if f.name in ("chain", "seq", "hash")]
    cursor.execute(f"SELECT {', '.join(cols)} FROM {quote(head.db_table)} ORDER BY 1")  # noqa: S608  # model names
    facts.chains = [{"chain": int(c), "seq": int(s), "hash": str(h)} for c, s, h in cursor.fetchall()]
    for table in _tables():
        cursor.execute(f"SELECT COUNT(*) FROM {quote(table)}")  # noqa: S608  # a model's table
        facts.counts[table] = int(cursor.fetchall()[0][0])
    names: set[str] = set()
    for table, column in _file_columns():
        cursor.execute(f"SELECT {quote(column)} FROM {quote(table)} WHERE {quote(column)} <> ''")  # noqa: S608  # model names
        names.update(str(row[0]) for row in cursor.fetchall())
    facts.files = sorted(names)
    return facts


def _sqlite_quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


# --- SQLite ------------------------------------------------------------------------------------------


def sqlite_path() -> Path:
    return Path(str(settings.DATABASES["default"]["NAME"]))


def snapshot_sqlite(target: Path) -> Facts:
    """Copy the live database to `target` with the online backup API and read the copy's facts."""
    source_path = sqlite_path()
    if not source_path.exists():
        raise BackupError(
            gettext("no database at %(path)s: nothing to back up (run `refuge migrate` first?)") % {"path": source_path}
        )
    database: dict[str, Any] = settings.DATABASES["default"]
    timeout = float((database.get("OPTIONS") or {}).get("timeout", 20))
    source = sqlite3.connect(f"file:{source_path}?mode=ro", uri=True, timeout=timeout)
    copy = sqlite3.connect(target)
    try:
        source.backup(copy)  # pages=-1: every page in one step, one consistent read transaction
        copy.execute("PRAGMA journal_mode=DELETE")  # a single self-contained file, no -wal beside it
        return read_facts(copy.cursor(), quote=_sqlite_quote)
    finally:
        copy.close()
        source.close()


# --- PostgreSQL --------------------------------------------------------------------------------------


def _pg_env(db: dict[str, Any], name: str | None = None) -> dict[str, str]:
    """libpq's environment for the tools: the password never appears in a command line."""
    env = dict(os.environ)
    for key, var in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER"), ("PASSWORD", "PGPASSWORD")):
        if db.get(key):
            env[var] = str(db[key])
    env["PGDATABASE"] = str(name or db["NAME"])
    return env


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(
            gettext("`%(tool)s` is not installed: install the PostgreSQL client (Debian: postgresql-client)")
            % {"tool": name}
        )
    return path


def _major_of_tool(tool: str) -> int:
    out = subprocess.run([tool, "--version"], capture_output=True, text=True, check=False).stdout  # noqa: S603  # a PostgreSQL tool found on PATH
    match = re.search(r"(\d+)(?:\.\d+)?", out)
    if not match:
        raise BackupError(
            gettext("cannot tell the version of %(tool)s from %(output)s") % {"tool": tool, "output": repr(out.strip())}
        )
    return int(match.group(1))


def _check_versions(tool: str, server_version_num: int) -> None:
    """pg_dump refuses a newer server: say so, with the package to install, before it starts."""
    server_major = server_version_num // 10000
    tool_major = _major_of_tool(tool)
    if tool_major < server_major:
        raise BackupError(
            gettext(
                "the server runs PostgreSQL %(server)s but %(tool)s is version %(client)s: install the client of "
                "the server's version (Debian: postgresql-client-%(server)s) and put it first on PATH"
            )
            % {"server": server_major, "tool": tool, "client": tool_major}
        )


def _pg_connect(db: dict[str, Any], name: str | None = None) -> Any:
    import psycopg  # noqa: PLC0415  # only PostgreSQL deployments need it

    dbname = str(name or db["NAME"])
    try:
        return psycopg.connect(
            dbname=dbname,
            host=str(db.get("HOST") or "") or None,
            port=str(db.get("PORT") or "") or None,
            user=str(db.get("USER") or "") or None,
            password=str(db.get("PASSWORD") or "") or None,
        )
    except psycopg.OperationalError as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise BackupError(
            gettext(
                "cannot connect to the PostgreSQL database %(database)s (%(reason)s); a restore needs it "
                "created and empty (createdb)"
            )
            % {"database": dbname, "reason": first}
        ) from None


def _pg_quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def snapshot_postgres(target: Path) -> Facts:
    """`pg_dump --format=custom --snapshot=…` into `target`, and the facts read in that very snapshot."""
    import psycopg  # noqa: PLC0415  # only PostgreSQL deployments need it

    db = dict(settings.DATABASES["default"])
    tool = _tool("pg_dump")
    with _pg_connect(db) as conn:
        conn.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
        conn.read_only = True
        with conn.transaction(), conn.cursor() as cursor:
            cursor.execute("SELECT pg_export_snapshot(), current_setting('server_version_num')::int")
            row = cursor.fetchone()
            assert row is not None  # noqa: S101  # the SELECT returns one row
            snapshot_id, server_version = str(row[0]), int(row[1])
            _check_versions(tool, server_version)
            facts = read_facts(cursor, quote=_pg_quote)
            _run_pg_tool(
                tool,
                ["--format=custom", f"--snapshot={snapshot_id}", "-f", str(target)],
                db,
                failed=gettext("pg_dump failed"),
            )
    return facts


def _run_pg_tool(tool: str, arguments: list[str], db: dict[str, Any], *, failed: str) -> None:
    """Run pg_dump or pg_restore (without owners or privileges) against `db`; BackupError if it fails."""
    done = subprocess.run(  # noqa: S603  # pg_dump or pg_restore from PATH, our own arguments
        [tool, "--no-owner", "--no-privileges", *arguments],
        env=_pg_env(db),
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        message = done.stderr.strip().splitlines()[-1] if done.stderr.strip() else f"exit {done.returncode}"
        raise BackupError(f"{failed}: {message}")  # the tool's own last line


# --- Restore of a database ---------------------------------------------------------------------------


def database_is_empty() -> tuple[bool, str]:
    """Whether the configured database holds nothing yet, and where it is (for the message)."""
    if vendor() == "sqlite":
        path = sqlite_path()
        wal = path.with_name(path.name + "-wal")  # a stale log would be replayed over the restored file
        empty = (not path.exists() or path.stat().st_size == 0) and not (wal.exists() and wal.stat().st_size)
        return empty, str(path)
    db = dict(settings.DATABASES["default"])
    with _pg_connect(db) as conn, conn.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")
        row = cursor.fetchone()
    return (row is not None and int(row[0]) == 0), f"PostgreSQL database {db['NAME']}"


def restore_sqlite(member: Path) -> None:
    target = sqlite_path()
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(target.name + ".restoring")
    shutil.copyfile(member, temporary)
    os.chmod(temporary, 0o600)
    os.replace(temporary, target)


def restore_postgres(member: Path) -> None:
    db = dict(settings.DATABASES["default"])
    tool = _tool("pg_restore")
    with _pg_connect(db) as conn, conn.cursor() as cursor:
        cursor.execute("SELECT current_setting('server_version_num')::int")
        row = cursor.fetchone()
    if row is not None:
        _check_versions(tool, int(row[0]))
    _run_pg_tool(
        tool,
        ["--exit-on-error", "--single-transaction", "-d", str(db["NAME"]), str(member)],
        db,
        failed=gettext("pg_restore failed (nothing was restored)"),
    )

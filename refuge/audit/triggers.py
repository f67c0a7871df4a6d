"""Database triggers that refuse to change or delete audit entries (SQLite and PostgreSQL).

Installed by migration 0002 and by nothing else, except `flush` (refuge/audit/management/commands/
flush.py), which lifts them for the moment it empties every table and puts them back.
The SQL here is what that migration installs: changing it needs a new migration.
"""

from __future__ import annotations

from typing import Any

TABLE = "audit_auditevent"
MESSAGE = "the audit log is append-only"

_SQLITE_INSTALL = [
    f"CREATE TRIGGER IF NOT EXISTS audit_no_update BEFORE UPDATE ON {TABLE} "
    f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END",
    f"CREATE TRIGGER IF NOT EXISTS audit_no_delete BEFORE DELETE ON {TABLE} "
    f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END",
]
_SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS audit_no_update",
    "DROP TRIGGER IF EXISTS audit_no_delete",
]

_POSTGRESQL_INSTALL = [
    "CREATE OR REPLACE FUNCTION audit_refuse_change() RETURNS trigger LANGUAGE plpgsql AS "
    f"$$ BEGIN RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'insufficient_privilege'; END $$",
    f"DROP TRIGGER IF EXISTS audit_no_change ON {TABLE}",
    f"CREATE TRIGGER audit_no_change BEFORE UPDATE OR DELETE ON {TABLE} "
    "FOR EACH ROW EXECUTE FUNCTION audit_refuse_change()",
    f"DROP TRIGGER IF EXISTS audit_no_truncate ON {TABLE}",
    f"CREATE TRIGGER audit_no_truncate BEFORE TRUNCATE ON {TABLE} "
    "FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change()",
]
_POSTGRESQL_DROP = [
    f"DROP TRIGGER IF EXISTS audit_no_change ON {TABLE}",
    f"DROP TRIGGER IF EXISTS audit_no_truncate ON {TABLE}",
    "DROP FUNCTION IF EXISTS audit_refuse_change()",
]

_SQL = {
    "sqlite": (_SQLITE_INSTALL, _SQLITE_DROP),
    "postgresql": (_POSTGRESQL_INSTALL, _POSTGRESQL_DROP),
}


def _run(connection: Any, statements: list[str]) -> None:
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


def install(connection: Any) -> None:
    """Refuse UPDATE and DELETE (and TRUNCATE on PostgreSQL) of audit entries. Idempotent."""
    if connection.vendor in _SQL:
        _run(connection, _SQL[connection.vendor][0])


def drop(connection: Any) -> None:
    if connection.vendor in _SQL:
        _run(connection, _SQL[connection.vendor][1])


def installed(connection: Any) -> bool:
    """Whether the triggers are in place (for the tests and the system check)."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s", [TABLE])
            return bool(cursor.fetchone()[0] == 2)
        if connection.vendor == "postgresql":
            cursor.execute("SELECT count(*) FROM pg_trigger WHERE tgrelid = %s::regclass AND NOT tgisinternal", [TABLE])
            return bool(cursor.fetchone()[0] == 2)
    return False

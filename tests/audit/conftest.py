"""What the audit tests share: editing the log behind the triggers' back, and reading it."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

from django.db import connection

JSON_COLUMNS = {"fields", "data"}


@contextlib.contextmanager
def triggers_lifted() -> Iterator[None]:
    """Drop the append-only triggers for a moment, as the database's owner could."""
    from refuge.audit import triggers

    triggers.drop(connection)
    try:
        yield
    finally:
        triggers.install(connection)


def tamper(sql: str, params: list[Any] | tuple[Any, ...] = ()) -> None:
    """Run raw SQL on the log with the triggers lifted."""
    with triggers_lifted(), connection.cursor() as cursor:
        cursor.execute(sql, params)


def set_column(pk: int, column: str, value: Any) -> None:
    """UPDATE one column of one entry (by its id), JSON columns given as JSON text."""
    placeholder = "%s::jsonb" if column in JSON_COLUMNS and connection.vendor == "postgresql" else "%s"
    tamper(f"UPDATE audit_auditevent SET {column} = {placeholder} WHERE id = %s", [value, pk])  # noqa: S608  # test's own column names


def entries() -> list[Any]:
    from refuge.audit.models import AuditEvent

    return list(AuditEvent.objects.order_by("chain", "seq"))


def types(since: int = 0) -> list[int]:
    from refuge.audit.models import AuditEvent

    return list(AuditEvent.objects.filter(id__gt=since).order_by("id").values_list("type", flat=True))


def head() -> int:
    """The id of the last entry written, over every chain (0 for an empty log)."""
    from refuge.audit.models import AuditEvent

    return AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0



@contextlib.contextmanager
def audit_refuses_inserts() -> Iterator[None]:
    """A trigger that makes every append fail, as a full disk or a broken log would."""
    if connection.vendor == "postgresql":
        install = [
            "CREATE FUNCTION audit_test_refuse() RETURNS trigger LANGUAGE plpgsql AS "
            "$$ BEGIN RAISE EXCEPTION 'audit append refused (test)'; END $$",
            "CREATE TRIGGER audit_test_refuse BEFORE INSERT ON audit_auditevent "
            "FOR EACH ROW EXECUTE FUNCTION audit_test_refuse()",
        ]
        remove = ["DROP TRIGGER audit_test_refuse ON audit_auditevent", "DROP FUNCTION audit_test_refuse()"]
    else:
        install = [
            "CREATE TRIGGER audit_test_refuse BEFORE INSERT ON audit_auditevent "
            "BEGIN SELECT RAISE(ABORT, 'audit append refused (test)'); END"
        ]
        remove = ["DROP TRIGGER audit_test_refuse"]
    with connection.cursor() as cursor:
        for sql in install:
            cursor.execute(sql)
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            for sql in remove:
                cursor.execute(sql)

"""Recomputing the chain from the database, and checking it against a signed checkpoint.

Entries are read in primary-key batches (keyset pagination), so memory stays flat and no
long-lived cursor is held, whatever the size of the log; they are read with plain SQL, converted
here, because the ORM's per-value converters would cost twice the hashing (bench/README.md).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.db import connections

from refuge.audit import chain
from refuge.audit.checkpoint import Checkpoint
from refuge.audit.models import AuditEvent

BATCH = 20_000
# The model's fields in the order of chain.Row (its foreign keys by field name, not column).
_MODEL_FIELDS = (
    "seq",
    "at",
    "type",
    "actor",
    "organisation",
    "target_kind",
    "target_code",
    "fields",
    "data",
    "ip_hash",
    "prev_hash",
    "hash",
)


@dataclass(frozen=True)
class Report:
    count: int  # entries checked and found good
    head: str  # the hash of the last good entry
    problem: chain.Problem | None

    @property
    def ok(self) -> bool:
        return self.problem is None


def _row(values: tuple[Any, ...]) -> chain.Row:
    """A raw database row as the ORM would give it back (its converters cost more than the hashing).

    SQLite gives the time back naive (UTC, as Django writes it) and JSON as text; PostgreSQL an
    aware datetime and, under Django, JSON as text too.
    """
    seq, at, kind, actor, org, target_kind, target_code, fields, data, ip_hash, prev_hash, digest = values
    if isinstance(at, str):
        at = datetime.fromisoformat(at)
    if at.tzinfo is None:  # SQLite: Django keeps UTC without an offset
        at = at.replace(tzinfo=UTC)
    if isinstance(fields, str):
        fields = json.loads(fields)
    if isinstance(data, str):
        data = json.loads(data)
    return chain.Row(seq, at, kind, actor, org, target_kind, target_code, fields, data, ip_hash, prev_hash, digest)


def rows(*, batch: int = BATCH, using: str = "default") -> Iterator[list[chain.Row]]:
    """Every entry, in order of seq, a batch at a time."""
    connection = connections[using]
    quote = connection.ops.quote_name
    meta = AuditEvent._meta
    columns = ", ".join(quote(meta.get_field(name).column) for name in _MODEL_FIELDS)
    seq = quote(meta.get_field("seq").column)
    sql = f"SELECT {columns} FROM {quote(meta.db_table)} WHERE {seq} > %s ORDER BY {seq} LIMIT %s"  # noqa: S608  # names from the model
    after = 0
    with connection.cursor() as cursor:
        while True:
            cursor.execute(sql, [after, batch])
            page = [_row(values) for values in cursor.fetchall()]
            if not page:
                return
            yield page
            after = page[-1].seq


def verify(*, checkpoint: Checkpoint | None = None, using: str = "default", batch: int = BATCH) -> Report:
    """Walk the whole chain; with a checkpoint, also check that the history it signed is still there.

    Tail truncation: the log is shorter than the checkpoint's size. Rewritten history: the entry at
    the checkpoint's size no longer has the hash the checkpoint signed (whether or not the chain
    itself was made consistent again).
    """
    walker = chain.Walker(watch=checkpoint.size if checkpoint else None)
    for page in rows(batch=batch, using=using):
        if not walker.feed(page):
            break
    if walker.problem is not None:
        return Report(walker.count, walker.head, walker.problem)
    if checkpoint is not None:
        if walker.count < checkpoint.size:
            return Report(
                walker.count,
                walker.head,
                chain.Problem(
                    walker.count + 1,
                    f"missing: the log ends after {walker.count} entries, but the checkpoint of "
                    f"{checkpoint.at} signed {checkpoint.size} (its tail was cut off)",
                ),
            )
        if walker.watched_hash != checkpoint.head:
            return Report(
                walker.count,
                walker.head,
                chain.Problem(
                    checkpoint.size,
                    f"its hash differs from the one the checkpoint of {checkpoint.at} signed "
                    "(the history up to it was rewritten)",
                ),
            )
    return Report(walker.count, walker.head, None)

"""Recomputing every chain from the database, and checking them against a signed checkpoint.

Entries are read in (chain, seq) batches (keyset pagination), so memory stays flat and no
long-lived cursor is held, whatever the size of the log; they are read with plain SQL, converted
here, because the ORM's per-value converters would cost twice the hashing (bench/README.md).
Every row is read, whatever its seq: a row numbered 0 or below is a forgery and fails its chain.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from django.db import connections
from django.db.models import Field

from refuge.audit import chain as hashchain
from refuge.audit.checkpoint import Checkpoint
from refuge.audit.models import AuditEvent, AuditHead

BATCH = 20_000
# The model's fields in the order of hashchain.Row (its foreign keys by field name, not column).
_MODEL_FIELDS = tuple(column.removesuffix("_id") for column in hashchain.ROW_FIELDS)


@dataclass(frozen=True)
class ChainReport:
    chain: int
    count: int  # entries checked and found good
    head: str  # the hash of the last good entry
    problem: hashchain.Problem | None

    @property
    def ok(self) -> bool:
        return self.problem is None


@dataclass(frozen=True)
class Report:
    chains: list[ChainReport] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(c.ok for c in self.chains)

    @property
    def problem(self) -> hashchain.Problem | None:
        """The first problem found, in order of chain."""
        return next((c.problem for c in self.chains if c.problem is not None), None)

    @property
    def count(self) -> int:
        return sum(c.count for c in self.chains)

    def of(self, number: int) -> ChainReport:
        """The report of one chain (an empty, good one if the log has none of its entries)."""
        return next((c for c in self.chains if c.chain == number), ChainReport(number, 0, hashchain.GENESIS, None))


def _row(values: tuple[Any, ...]) -> hashchain.Row:
    """A raw database row as the ORM would give it back (its converters cost more than the hashing).

    SQLite gives the time back naive (UTC, as Django writes it) and JSON as text; PostgreSQL an
    aware datetime and, under Django, JSON as text too.
    """
    number, seq, at, kind, actor, org, target_kind, target_code, fields, data, ip_hash, prev_hash, digest = values
    if isinstance(at, str):
        at = datetime.fromisoformat(at)
    if at.tzinfo is None:  # SQLite: Django keeps UTC without an offset
        at = at.replace(tzinfo=UTC)
    if isinstance(fields, str):
        fields = json.loads(fields)
    if isinstance(data, str):
        data = json.loads(data)
    return hashchain.Row(
        number, seq, at, kind, actor, org, target_kind, target_code, fields, data, ip_hash, prev_hash, digest
    )


def _column(name: str) -> str:
    """The column of one of the audit table's own fields."""
    field = AuditEvent._meta.get_field(name)
    if not isinstance(field, Field) or not field.column:
        raise TypeError(f"{name} is not a column of the audit table")
    return field.column


def rows(
    *, batch: int = BATCH, using: str = "default", only: int | None = None, after: int | None = None
) -> Iterator[list[hashchain.Row]]:
    """Every entry (or those of chain `only`, past seq `after`), in order of (chain, seq), a batch at a time."""
    connection = connections[using]
    quote = connection.ops.quote_name
    meta = AuditEvent._meta
    columns = ", ".join(quote(_column(name)) for name in _MODEL_FIELDS)
    number, seq = quote(_column("chain")), quote(_column("seq"))
    table = quote(meta.db_table)
    order = f"ORDER BY {number}, {seq} LIMIT %s"
    first_sql = f"SELECT {columns} FROM {table} {order}"  # noqa: S608  # names from the model
    next_sql = f"SELECT {columns} FROM {table} WHERE ({number}, {seq}) > (%s, %s) {order}"  # noqa: S608
    if only is not None:
        where = f"WHERE {number} = %s"
        first_sql = f"SELECT {columns} FROM {table} {where} {order}"  # noqa: S608
        next_sql = f"SELECT {columns} FROM {table} {where} AND {seq} > %s {order}"  # noqa: S608
    last: tuple[int, int] | None = None if after is None or only is None else (only, after)
    with connection.cursor() as cursor:
        while True:
            if last is None:
                cursor.execute(first_sql, [batch] if only is None else [only, batch])
            else:
                cursor.execute(next_sql, [*last, batch] if only is None else [only, last[1], batch])
            page = [_row(values) for values in cursor.fetchall()]
            if not page:
                return
            yield page
            last = (page[-1].chain, page[-1].seq)


def _chain_report(walker: hashchain.Walker, mark: Any | None, head: tuple[int, str] | None) -> ChainReport:
    """The walk of one chain, held against its head row and a checkpoint's mark for it."""
    number = walker.chain
    if walker.problem is not None:
        return ChainReport(number, walker.count, walker.head, walker.problem)

    def broken(seq: int, reason: str) -> ChainReport:
        return ChainReport(number, walker.count, walker.head, hashchain.Problem(seq, reason, number))

    if head is not None and (head[0] != walker.count or head[1] != walker.head):
        return broken(
            walker.count + 1 if head[0] > walker.count else head[0],
            f"missing: the chain's head says {head[0]} entries, the log holds {walker.count} (its tail was cut off)"
            if head[0] > walker.count
            else "its head row does not match the chain's last entry",
        )
    if mark is not None:
        if mark.first != 1:
            return broken(mark.first, "the checkpoint does not start this chain at 1")
        if walker.count < mark.last:
            return broken(
                walker.count + 1,
                f"missing: the chain ends after {walker.count} entries, but the checkpoint signed "
                f"{mark.last} (its tail was cut off)",
            )
        if walker.watched_hash != mark.head:
            return broken(
                mark.last,
                "its hash differs from the one the checkpoint signed (the history up to it was rewritten)",
            )
    return ChainReport(number, walker.count, walker.head, None)


def verify(*, checkpoint: Checkpoint | None = None, using: str = "default", batch: int = BATCH) -> Report:
    """Walk every chain; with a checkpoint, also check that the history it signed of each is still there.

    Tail truncation: a chain is shorter than its head row, or than the checkpoint's last seq for
    it. Rewritten history: the entry at the checkpoint's last seq no longer has the hash the
    checkpoint signed (whether or not the chain itself was made consistent again).
    """
    marks = {m.chain: m for m in checkpoint.chains} if checkpoint else {}
    heads = {int(c): (int(s), str(h)) for c, s, h in AuditHead.objects.using(using).values_list("chain", "seq", "hash")}
    reports: list[ChainReport] = []
    walker: hashchain.Walker | None = None

    def close(w: hashchain.Walker) -> None:
        reports.append(_chain_report(w, marks.get(w.chain), heads.get(w.chain)))

    for page in rows(batch=batch, using=using):
        for row in page:
            if walker is None or row.chain != walker.chain:
                if walker is not None:
                    close(walker)
                mark = marks.get(row.chain)
                walker = hashchain.Walker(chain=row.chain, watch=mark.last if mark else None)
            if walker.problem is None:
                walker.feed([row])
    if walker is not None:
        close(walker)
    seen = {r.chain for r in reports}
    for number in sorted((set(marks) | set(heads)) - seen):
        close(hashchain.Walker(chain=number, watch=marks[number].last if number in marks else None))
    reports.sort(key=lambda r: r.chain)
    return Report(reports)


# --- What the audit page may show: only entries of a chain verified up to them --------------------

_verified: dict[tuple[str, int], tuple[int, str]] = {}


PAGE_WALK = 50_000  # entries one page view walks at most (about 1.5 s); the next view goes on


def verified_up_to(number: int, *, using: str = "default", most: int = PAGE_WALK) -> ChainReport:
    """How far one chain verifies now, walking only what was appended since this process last looked.

    The last entry verified before must still carry the hash it had (a rewrite of the history up to
    it changes that hash); otherwise, or the first time, the chain is walked from its start. At most
    `most` entries are walked per call, so a long chain is verified over a few page views (what is
    not verified yet is not shown).
    """
    known = _verified.get((using, number))
    walker = hashchain.Walker(chain=number)
    if known is not None:
        still = (
            AuditEvent.objects.using(using).filter(chain=number, seq=known[0]).values_list("hash", flat=True).first()
        )
        below = AuditEvent.objects.using(using).filter(chain=number, seq__lt=1).exists()
        if still == known[1] and not below:
            walker.count, walker.head = known
    walked = 0
    for page in rows(using=using, only=number, after=walker.count if walker.count else None, batch=min(5_000, most)):
        if not walker.feed(page):
            break
        walked += len(page)
        if walked >= most:
            break
    _verified[(using, number)] = (walker.count, walker.head)
    return ChainReport(number, walker.count, walker.head, walker.problem)

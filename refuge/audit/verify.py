"""Recomputing the chain from the database, and checking it against a signed checkpoint.

Entries are read in primary-key batches (keyset pagination), so memory stays flat and no
long-lived cursor is held, whatever the size of the log.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from refuge.audit import chain
from refuge.audit.checkpoint import Checkpoint
from refuge.audit.models import AuditEvent

BATCH = 20_000


@dataclass(frozen=True)
class Report:
    count: int  # entries checked and found good
    head: str  # the hash of the last good entry
    problem: chain.Problem | None

    @property
    def ok(self) -> bool:
        return self.problem is None


def rows(*, batch: int = BATCH, using: str = "default") -> Iterator[list[chain.Row]]:
    """Every entry, in order of seq, a batch at a time."""
    after = None
    while True:
        query = AuditEvent.objects.using(using).order_by("seq")
        if after is not None:
            query = query.filter(seq__gt=after)
        page = [chain.Row(*values) for values in query.values_list(*chain.ROW_FIELDS)[:batch]]
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

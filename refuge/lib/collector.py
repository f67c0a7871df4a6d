"""Python's garbage collector in Refuge's long-running processes.

CPython looks for reference cycles in its youngest generation every 700 allocations, and in the
older ones every tenth and hundredth time, walking every container object they hold. A server
worker holds a few hundred thousand of them that live as long as it does (Django, the templates,
the translations); a page makes tens of thousands of short-lived ones. Measured on the re-check
(bench.recheck), the collector was a third of a worker's CPU; on the case page, a tenth; in
`refuge import`'s writing, a quarter.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

# The youngest generation's threshold in a busy process: cycles among short-lived objects (rare in
# Refuge's code) wait at most this many allocations, a few MiB at most.
FEWER_COLLECTIONS = 50_000


def settle() -> None:
    """Once a long-running process has loaded what it works with (a server worker, the application;
    `refuge import`, the packs and the vault, before it writes its batches): what it loaded is moved out
    of the collector's sight (gc.freeze, as gunicorn's and CPython's own advice has it for forked
    servers), and the youngest generation runs every FEWER_COLLECTIONS allocations instead of 700."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(max(FEWER_COLLECTIONS, gc.get_threshold()[0]), *gc.get_threshold()[1:])


@contextmanager
def settled() -> Iterator[None]:
    """`settle` for as long as a batch runs, then the collector as it was: for a command that may run
    inside a process that goes on (a test, `refuge demo`). What an earlier `settle` froze stays frozen."""
    thresholds = gc.get_threshold()
    frozen_before = gc.get_freeze_count()
    settle()
    try:
        yield
    finally:
        if not frozen_before:
            gc.unfreeze()
        gc.set_threshold(*thresholds)

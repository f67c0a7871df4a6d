"""`refuge worker`: the delivery loop and the alerts' clock (STYLE.md §7).

Delivery is at least once. A worker claims outbox rows with a conditional UPDATE on the state it
read (and, for a row whose lease ran out, on that lease), sends each, and marks it sent only
after the channel accepted it, on the condition that it still holds the lease. Killed at any
moment, it leaves rows pending or leased; a leased row is claimed again once its lease expires.

Each pass also runs the clock: escalations of unacknowledged critical alerts, reminders that
came due, the daily digests, and recomputing cases whose answers changed with time alone (a
new day on the case's clock, or an instant a conflict provider asked to be asked again). With
the clock, it builds again the protected statistics tables of every organisation whose cases
changed (refuge.stats.builds, under a lease), so the statistics page never builds them itself.
Last come the scheduled jobs subscribed to hooks.WORKER_CLOCK (the backup): each decides for
itself whether it is due and holds its own lease, so several workers never run one twice.
"""

from __future__ import annotations

import logging
import os
import random
import socket
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import DatabaseError, close_old_connections, connection
from django.db.models import F, Q
from django.utils import timezone

from refuge import hooks
from refuge.alerts import clock
from refuge.alerts.channels import TransportError, registry
from refuge.alerts.models import Delivery, DeliveryState
from refuge.stats import builds

log = logging.getLogger("refuge.alerts.worker")

RETRY_CAP = timedelta(hours=1)


def _fresh_connection() -> None:
    """Drop a broken or expired connection between passes (never one a caller's transaction holds)."""
    if not connection.in_atomic_block:
        close_old_connections()


def worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"[:64]


def backoff(attempts: int) -> timedelta:
    """Exponential back-off from REFUGE_ALERT_RETRY_SECONDS, capped at an hour, with ±10 % jitter."""
    base = settings.REFUGE_ALERT_RETRY_SECONDS * 2 ** max(attempts - 1, 0)
    seconds = min(base, RETRY_CAP.total_seconds())
    return timedelta(seconds=seconds * random.uniform(0.9, 1.1))  # noqa: S311  # jitter, not a secret


def claim(*, worker: str, now: datetime, batch: int, lease: timedelta) -> list[Delivery]:
    """Claim up to `batch` rows due now: pending ones, and leased ones whose lease ran out."""
    due = list(
        Delivery.objects.filter(state=DeliveryState.PENDING, next_attempt_at__lte=now)
        .order_by("next_attempt_at")
        .values_list("pk", "state", "lease_until")[:batch]
    )
    if len(due) < batch:
        due += list(
            Delivery.objects.filter(state=DeliveryState.LEASED, lease_until__lt=now)
            .order_by("lease_until")
            .values_list("pk", "state", "lease_until")[: batch - len(due)]
        )
    claimed: list[int] = []
    for pk, state, lease_until in due:
        won = Delivery.objects.filter(pk=pk, state=state, lease_until=lease_until).update(
            state=DeliveryState.LEASED, lease_until=now + lease, leased_by=worker, attempts=F("attempts") + 1
        )
        if won:
            claimed.append(pk)
    return list(Delivery.objects.filter(pk__in=claimed).select_related("alert__case", "user").order_by("pk"))


def _finish(delivery: Delivery, worker: str, **values: object) -> bool:
    """Write the outcome, if this worker still holds the row's lease."""
    return bool(Delivery.objects.filter(pk=delivery.pk, state=DeliveryState.LEASED, leased_by=worker).update(**values))


def send_claimed(delivery: Delivery, *, worker: str) -> str:
    """Send one claimed row and record the outcome: sent, retry or failed."""
    channel = registry.get(delivery.channel)
    try:
        if channel is None or not channel.outbox:
            raise TransportError(f"no channel {delivery.channel!r}", permanent=True)
        try:
            channel.send(delivery)
        except TransportError:
            raise
        except Exception as exc:  # a fault of ours (a template, a bug): retried, the loop goes on
            log.exception("delivery %s on %s raised", delivery.idempotency_key, delivery.channel)
            raise TransportError(f"internal error: {type(exc).__name__}") from exc
    except TransportError as exc:
        now = timezone.now()
        error = str(exc)[:300]
        if exc.permanent or delivery.attempts >= settings.REFUGE_ALERT_MAX_ATTEMPTS:
            _finish(delivery, worker, state=DeliveryState.FAILED, lease_until=None, last_error=error)
            log.warning("delivery %s on %s failed for good: %s", delivery.idempotency_key, delivery.channel, error)
            return "failed"
        _finish(
            delivery,
            worker,
            state=DeliveryState.PENDING,
            lease_until=None,
            next_attempt_at=now + backoff(delivery.attempts),
            last_error=error,
        )
        log.info("delivery %s on %s will be retried: %s", delivery.idempotency_key, delivery.channel, error)
        return "retry"
    if not _finish(delivery, worker, state=DeliveryState.SENT, sent_at=timezone.now(), lease_until=None, last_error=""):
        log.warning("delivery %s was sent after its lease ran out", delivery.idempotency_key)
    return "sent"


@dataclass
class Worker:
    batch: int = 20
    poll: float = 1.0
    clock_every: float = 5.0
    lease: timedelta = field(default_factory=lambda: timedelta(seconds=settings.REFUGE_ALERT_LEASE_SECONDS))
    name: str = field(default_factory=worker_id)
    stopping: bool = False
    _last_clock: datetime | None = None

    def tick_clock(self, now: datetime) -> None:
        if self._last_clock is not None and (now - self._last_clock).total_seconds() < self.clock_every:
            return
        self._last_clock = now
        clock.run(now=now)
        self.build_statistics(now)
        hooks.WORKER_CLOCK.fire(now)  # the scheduled backup (refuge/wiring/subscribers.py)

    def build_statistics(self, now: datetime) -> int:
        """The statistics tables of organisations whose counts changed, built again (issue 14).

        A failure here is logged and left for the next pass: it must not stop alerts going out.
        """
        try:
            return builds.refresh_stale(worker=self.name, now=now)
        except DatabaseError:
            raise  # the pass's own handling: a fresh connection next time
        except Exception:  # any other bug in a build: the alerts still go out
            log.exception("building the statistics failed; trying again on the next pass")
            return 0

    def deliver_due(self) -> int:
        """Claim and send what is due; the number of rows handled."""
        rows = claim(worker=self.name, now=timezone.now(), batch=self.batch, lease=self.lease)
        for row in rows:
            send_claimed(row, worker=self.name)
        return len(rows)

    def run_once(self) -> int:
        """One pass: the clock (at most every clock_every seconds), then what is due to send.

        A database error (a locked SQLite file, a PostgreSQL restart) is logged and the pass ends;
        the next one starts on a fresh connection.
        """
        _fresh_connection()
        try:
            self.tick_clock(timezone.now())
            return self.deliver_due()
        except DatabaseError:
            log.exception("worker pass failed on the database; trying again")
            _fresh_connection()
            return 0

    def drain(self) -> None:
        """Run the clock once and deliver until nothing is due (`refuge worker --once`)."""
        self._last_clock = None
        while self.run_once() and not self.stopping:
            pass


def pending_count() -> int:
    return Delivery.objects.filter(Q(state=DeliveryState.PENDING) | Q(state=DeliveryState.LEASED)).count()

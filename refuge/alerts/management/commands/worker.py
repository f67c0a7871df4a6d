"""`refuge worker`: deliver alerts and run their clock until stopped (SIGTERM or SIGINT)."""

from __future__ import annotations

import signal
import time
from datetime import timedelta
from typing import Any

from django.core.management.base import CommandParser
from django.utils.translation import gettext, gettext_noop

from refuge.alerts.worker import Worker, pending_count
from refuge.lib.commands import RefugeCommand


class Command(RefugeCommand):
    help = gettext_noop("Deliver alerts (e-mail, webhooks) at least once, escalate, remind and send digests.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--once", action="store_true", help=gettext("run the clock once, deliver what is due, and exit")
        )
        parser.add_argument("--batch", type=int, default=20, help=gettext("rows claimed at a time (default 20)"))
        parser.add_argument("--poll", type=float, default=1.0, help=gettext("seconds between looks at the outbox"))
        parser.add_argument(
            "--lease", type=float, help=gettext("seconds a claimed row is held (REFUGE_ALERT_LEASE_SECONDS)")
        )

    def handle(self, *args: Any, once: bool, batch: int, poll: float, lease: float | None, **options: Any) -> None:
        worker = Worker(batch=batch, poll=poll)
        if lease is not None:
            worker.lease = timedelta(seconds=lease)

        def stop(signum: int, frame: object) -> None:
            worker.stopping = True

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        if once:
            worker.drain()
            self.stdout.write(gettext("worker: done; %(count)s row(s) still waiting") % {"count": pending_count()})
            return
        self.stdout.write(gettext("worker %(name)s: delivering alerts (Ctrl+C to stop)") % {"name": worker.name})
        self.stdout.flush()
        while not worker.stopping:
            handled = worker.run_once()
            if not handled:
                time.sleep(worker.poll)
        self.stdout.write(gettext("worker: stopped"))

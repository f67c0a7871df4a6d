"""`refuge mailsink`: a local SMTP server that keeps every message as an .eml file (demo, trials)."""

from __future__ import annotations

import signal
import threading
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import CommandParser
from django.utils.translation import gettext, gettext_noop

from refuge.alerts.mailsink import SinkHandler, start
from refuge.lib.commands import RefugeCommand


class Command(RefugeCommand):
    help = gettext_noop(
        "Run a local SMTP server that keeps what it receives in a folder (for the demo; never in production)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=settings.REFUGE_SMTP_PORT)
        parser.add_argument("--dir", type=Path, default=settings.DATA_DIR / "mail", help=gettext("where .eml files go"))

    def handle(self, *args: Any, host: str, port: int, dir: Path, **options: Any) -> None:  # the option's name
        dir.mkdir(parents=True, exist_ok=True)
        controller = start(SinkHandler(folder=dir), host=host, port=port)
        self.stdout.write(
            gettext("mailsink: SMTP on %(address)s, messages kept in %(folder)s")
            % {"address": f"{host}:{port}", "folder": dir}
        )
        self.stdout.flush()
        stop = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        signal.signal(signal.SIGINT, lambda *_: stop.set())
        stop.wait()
        controller.stop()

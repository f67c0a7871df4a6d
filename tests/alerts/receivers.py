"""Real far ends for the alerts' tests: a local SMTP server and a local webhook receiver.

Both can hold the first message they get until released (to kill a worker in the middle of a
send) and record only what they accepted.
"""

from __future__ import annotations

import asyncio
import json
import threading
from dataclasses import dataclass, field
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from refuge.alerts.mailsink import SinkHandler


@dataclass
class HoldingSinkHandler(SinkHandler):
    """Holds the first message until `release` is set, then refuses it (451): it was never accepted."""

    hold_first: bool = False
    entered: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)
    refuse_codes: list[str] = field(default_factory=list)  # replies given instead of accepting, in turn

    async def before_accept(self, message: EmailMessage) -> str | None:
        if self.hold_first and not self.entered.is_set():
            self.entered.set()
            while not self.release.is_set():
                await asyncio.sleep(0.02)
            return "451 Held and dropped by the test"
        if self.refuse_codes:
            return self.refuse_codes.pop(0)
        return None


@dataclass
class Hook:
    path: str
    headers: dict[str, str]
    body: bytes

    @property
    def json(self) -> dict[str, Any]:
        data: dict[str, Any] = json.loads(self.body)
        return data


class WebhookReceiver:
    """An HTTP server on 127.0.0.1 answering POSTs with the statuses queued, then 204."""

    def __init__(self) -> None:
        self.received: list[Hook] = []
        self.statuses: list[int] = []
        self.hold_first = False
        self.entered = threading.Event()
        self.release = threading.Event()
        self.cond = threading.Condition()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # http.server's hook name
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                if receiver.hold_first and not receiver.entered.is_set():
                    receiver.entered.set()
                    receiver.release.wait(60)
                    self.send_response(503)
                    self.end_headers()
                    return
                status = receiver.statuses.pop(0) if receiver.statuses else 204
                if 200 <= status < 300:  # HTTP success
                    with receiver.cond:
                        receiver.received.append(Hook(self.path, dict(self.headers.items()), body))
                        receiver.cond.notify_all()
                self.send_response(status)
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:  # http.server's signature
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def wait_for(self, count: int, timeout: float) -> bool:
        with self.cond:
            return self.cond.wait_for(lambda: len(self.received) >= count, timeout=timeout)

    def close(self) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()

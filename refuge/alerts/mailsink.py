"""A local SMTP server that keeps what it receives: the demo's mail server, and the tests' and
benchmark's far end. Each accepted message is kept in memory and, with a folder, written there
as an .eml file named by its arrival order and Message-ID (open it in any mail program)."""

from __future__ import annotations

import email
import email.policy
import logging
import re
import threading
import time
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller


@dataclass
class Received:
    at: float  # time.monotonic() when accepted
    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage

    @property
    def key(self) -> str:
        return str(self.message.get("X-Refuge-Idempotency-Key", ""))


@dataclass
class SinkHandler:
    folder: Path | None = None
    received: list[Received] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    arrived: threading.Condition = field(init=False)

    def __post_init__(self) -> None:
        self.arrived = threading.Condition(self.lock)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802  # aiosmtpd's hook name
        message = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
        assert isinstance(message, EmailMessage)  # noqa: S101  # the default policy makes EmailMessage
        refused = await self.before_accept(message)
        if refused:
            return refused
        with self.arrived:
            self.received.append(Received(time.monotonic(), envelope.mail_from, list(envelope.rcpt_tos), message))
            count = len(self.received)
            self.arrived.notify_all()
        if self.folder is not None:
            ident = re.sub(r"[^A-Za-z0-9@._-]", "", str(message.get("Message-ID", "")))[:80]
            (self.folder / f"{count:05d}-{ident}.eml").write_bytes(envelope.original_content)
        return "250 Message accepted for delivery"

    async def before_accept(self, message: EmailMessage) -> str | None:
        """A reply that refuses the message instead of accepting it (None accepts it)."""
        return None

    def wait_for(self, count: int, timeout: float) -> bool:
        with self.arrived:
            return self.arrived.wait_for(lambda: len(self.received) >= count, timeout=timeout)


def start(handler: SinkHandler, *, host: str = "127.0.0.1", port: int = 0) -> Controller:
    """Start the server in a thread; `controller.port` is the port it listens on."""
    if port == 0:
        import socket  # noqa: PLC0415  # only to find a free port

        with socket.socket() as probe:
            probe.bind((host, 0))
            port = int(probe.getsockname()[1])
    logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd logs every SMTP command at INFO
    controller = Controller(handler, hostname=host, port=port, ready_timeout=10)
    controller.start()
    controller.port = port  # where tests and the demo find it
    return controller

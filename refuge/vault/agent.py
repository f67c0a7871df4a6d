"""The host's key agent: the unsealed root key, in the memory of `refuge serve`'s master process only.

No Django. `refuge serve` (gunicorn's master) runs `Agent` in a thread before it forks its workers,
in the manner of ssh-agent: a Unix socket in the data directory (a 0700 folder, the socket 0600),
and every peer checked by its kernel credentials (SO_PEERCRED), not by anything it says.

- Any process of the server's own user may hand the agent a root key (`put`), make it forget the
  key (`drop`), or ask what it holds (`status`: sealed or not, which workers took the key).
  `refuge unseal` on the host and a worker that verified an unseal do the first; `refuge seal`
  and a worker that saw the seal epoch move do the second. A key put here is not trusted: every
  worker checks it against the vault's verifier before it holds it.
- Only a *worker* of this master (same user, and its parent process is the master) may take the
  key (`get`) or pool SLIP-39 shares (`shares`), which operators type into the unseal page one
  after another and which land on whichever worker the kernel picks.

The key is never written anywhere: it travels over the socket as raw bytes after a JSON header,
is read into a bytearray, and is overwritten when dropped. The agent holds no database connection
(nothing may cross the fork); what the database says (the seal epoch) the workers check.
"""

from __future__ import annotations

import contextlib
import hmac
import json
import logging
import os
import socket
import stat
import struct
import threading
import time
from pathlib import Path
from typing import Any

logger = logging.getLogger("refuge.vault")

TIMEOUT = 2.0  # seconds a peer may take to say what it wants
MAX_HEADER = 64 * 1024  # a header holds at most a few shares
MAX_KEY = 64
PENDING_SHARES_SECONDS = 15 * 60
_CRED = struct.Struct("3i")  # struct ucred: pid, uid, gid

# In a worker of `refuge serve`: the socket of the master's agent (set before the fork, inherited).
serving: Path | None = None


class AgentUnavailable(Exception):  # noqa: N818  # a state of the host, named as operators say it
    """No agent answers on that socket (no `refuge serve` runs with this data directory)."""


class AgentBusy(Exception):  # noqa: N818  # see AgentUnavailable
    """Another live agent (another `refuge serve` of this data directory) answers on the socket."""


def wipe(value: bytearray) -> None:
    value[:] = bytes(len(value))


def parent_of(pid: int) -> int:
    """The parent process of `pid` (Linux: /proc/PID/stat); 0 if it is gone."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_bytes()
    except OSError:
        return 0
    return int(raw[raw.rindex(b")") + 2 :].split()[1])


def children_of(pid: int) -> list[int]:
    """The live child processes of `pid` (its workers, for the master)."""
    pids = (int(entry.name) for entry in Path("/proc").iterdir() if entry.name.isdigit())
    return sorted(child for child in pids if parent_of(child) == pid)


def _read_message(sock: socket.socket) -> tuple[dict[str, Any], bytearray | None]:
    """A JSON header line, then `length` raw bytes of key if the header says so."""
    buffer = bytearray()
    try:
        while b"\n" not in buffer:
            chunk = sock.recv(4096)
            if not chunk:
                raise ConnectionError("the peer closed the connection")
            buffer += chunk
            if len(buffer) > MAX_HEADER + MAX_KEY:
                raise ConnectionError("the message is too long")
        end = buffer.index(b"\n")
        header = json.loads(bytes(buffer[:end]))
        if not isinstance(header, dict):
            raise ConnectionError("the message is not an object")
        length = int(header.get("length", 0))
        if length < 0 or length > MAX_KEY:
            raise ConnectionError("the key has an impossible length")
        if not length:
            return header, None
        key = bytearray(buffer[end + 1 : end + 1 + length])
        while len(key) < length:
            chunk = sock.recv(length - len(key))
            if not chunk:
                wipe(key)
                raise ConnectionError("the peer closed the connection")
            key += chunk
        return header, key
    finally:
        wipe(buffer)


def _send_message(sock: socket.socket, header: dict[str, Any], key: bytearray | bytes | None = None) -> None:
    body = bytearray(json.dumps({**header, "length": len(key) if key else 0}).encode() + b"\n")
    if key:
        body += key
    try:
        sock.sendall(body)
    finally:
        wipe(body)


def call(
    path: Path, op: str, fields: dict[str, Any] | None = None, *, key: bytes | bytearray | None = None
) -> tuple[dict[str, Any], bytearray | None]:
    """One request to the agent on `path`: (its answer, the key it sent if any)."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.settimeout(TIMEOUT)
        try:
            sock.connect(str(path))
        except OSError:
            raise AgentUnavailable(f"no key agent answers at {path}") from None
        try:
            _send_message(sock, {**(fields or {}), "op": op}, key)
            answer, sent = _read_message(sock)
        except (OSError, ValueError) as exc:
            raise AgentUnavailable(f"the key agent at {path} did not answer ({type(exc).__name__})") from None
    if "error" in answer:
        if sent is not None:
            wipe(sent)
        raise AgentUnavailable(f"the key agent refused: {answer['error']}")
    return answer, sent


class Agent:
    """The key agent's state and thread (in the master process)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.master = os.getpid()
        self.uid = os.getuid()
        self.lock = threading.Lock()
        self.key: bytearray | None = None
        self.version = 0
        self.seal_epoch = 0
        self.source = ""
        self.holders: set[int] = set()
        self.dropped = False  # a seal reached this host since the agent started
        self.pending: list[str] = []
        self.pending_identifier: int | None = None
        self.pending_since = 0.0
        self.listener: socket.socket | None = None
        self.thread: threading.Thread | None = None

    # --- lifecycle -------------------------------------------------------------------------------

    def start(self) -> None:
        folder = self.path.parent
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        info = folder.stat()
        if info.st_uid != self.uid or stat.S_IMODE(info.st_mode) & 0o077:
            raise PermissionError(f"{folder} must belong to this user alone (mode 0700)")
        if self.path.exists() or self.path.is_symlink():
            with contextlib.suppress(AgentUnavailable):
                call(self.path, "status")
                raise AgentBusy(f"another `refuge serve` of this data directory answers at {self.path}")
            self.path.unlink()  # a killed server's socket
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        old = os.umask(0o177)
        try:
            listener.bind(str(self.path))
        finally:
            os.umask(old)
        os.chmod(self.path, 0o600)
        listener.listen(64)
        self.listener = listener
        self.thread = threading.Thread(target=self._serve, name="refuge-key-agent", daemon=True)
        self.thread.start()

    def stop(self) -> None:
        listener, self.listener = self.listener, None
        if listener is not None:
            with contextlib.suppress(OSError):
                listener.shutdown(socket.SHUT_RDWR)  # wakes the thread blocked in accept()
            listener.close()
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()
        self._drop()

    def close_in_child(self) -> None:
        """In a forked worker: close the inherited listener and forget the master's copy of the key."""
        if self.listener is not None:
            self.listener.close()
            self.listener = None
        if self.key is not None:
            wipe(self.key)
            self.key = None
        self.pending = []

    # --- serving ---------------------------------------------------------------------------------

    def _serve(self) -> None:
        while True:
            listener = self.listener
            if listener is None:
                return
            try:
                conn, _ = listener.accept()
            except OSError:
                return  # stopped
            with conn:
                conn.settimeout(TIMEOUT)
                try:
                    self._answer(conn)
                except (OSError, ValueError):
                    logger.warning("vault agent: a peer's request failed and was ignored")

    def _answer(self, conn: socket.socket) -> None:
        pid, uid, _gid = _CRED.unpack(conn.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, _CRED.size))
        if uid != self.uid:
            logger.warning("vault agent: refused a process of another user (uid %d)", uid)
            return
        header, key = _read_message(conn)
        try:
            op = header.get("op")
            worker = parent_of(pid) == self.master
            if op in ("get", "shares") and not worker:
                logger.warning("vault agent: refused %s to process %d, not a worker of this server", op, pid)
                _send_message(conn, {"error": "only this server's workers may ask for that"})
                return
            if op == "status":
                _send_message(conn, self._status())
            elif op == "put" and key is not None and len(key) == 32:
                self._put(key, header)
                key = None  # held now
                _send_message(conn, {"ok": True})
            elif op == "get":
                self._get(conn, pid)
            elif op == "drop":
                epoch = header.get("unless_epoch")
                _send_message(conn, {"dropped": self._drop(unless_epoch=None if epoch is None else int(epoch))})
            elif op == "shares":
                _send_message(conn, self._shares(header))
            else:
                _send_message(conn, {"error": "unknown request"})
        finally:
            if key is not None:
                wipe(key)

    def _status(self) -> dict[str, Any]:
        workers = children_of(self.master)
        with self.lock:
            pending = self._pending_count()
            return {
                "sealed": self.key is None,
                "seal_epoch": self.seal_epoch,
                "version": self.version,
                "source": self.source,
                "holders": sorted(self.holders & set(workers)),
                "workers": workers,
                "dropped": self.dropped,
                "pending": pending,
            }

    def _put(self, key: bytearray, header: dict[str, Any]) -> None:
        seal_epoch = int(header.get("seal_epoch", 0))
        with self.lock:
            old, self.key = self.key, key
            same = old is not None and hmac.compare_digest(old, key) and seal_epoch == self.seal_epoch
            if old is not None:
                wipe(old)
            self.version = int(header.get("version", 0))
            self.seal_epoch = seal_epoch
            self.source = str(header.get("source", ""))[:20]
            given = {p for p in header.get("holders", []) if isinstance(p, int)}
            self.holders = (self.holders | given) if same else given  # the same key again: its holders hold it
            self.pending = []
        logger.info("vault agent: holds the root key (v%d) for this host's workers", self.version)

    def _get(self, conn: socket.socket, pid: int) -> None:
        with self.lock:
            if self.key is None:
                _send_message(conn, {"sealed": True, "dropped": self.dropped})
                return
            self.holders.add(pid)
            meta = {"sealed": False, "version": self.version, "seal_epoch": self.seal_epoch, "source": self.source}
            _send_message(conn, meta, self.key)

    def _drop(self, *, unless_epoch: int | None = None) -> bool:
        with self.lock:
            if unless_epoch is not None and (self.key is None or self.seal_epoch == unless_epoch):
                return False
            self.dropped = True
            self.pending = []
            self.holders = set()
            key, self.key = self.key, None
        if key is not None:
            wipe(key)
            logger.warning("vault agent: dropped the root key")
            return True
        return False

    def _pending_count(self) -> int:
        if self.pending and time.monotonic() - self.pending_since > PENDING_SHARES_SECONDS:
            self.pending = []
        return len(self.pending)

    def _shares(self, header: dict[str, Any]) -> dict[str, Any]:
        """Pool shares from the workers; at the threshold, hand them to the worker that completed them."""
        with self.lock:
            if header.get("forget"):
                self.pending = []
                return {"held": 0}
            identifier, threshold = int(header["identifier"]), int(header["threshold"])
            self._pending_count()
            if identifier != self.pending_identifier:
                self.pending, self.pending_identifier = [], identifier
            for share in header.get("shares", []):
                if isinstance(share, str) and share not in self.pending:
                    if not self.pending:
                        self.pending_since = time.monotonic()
                    self.pending.append(share)
            if len(self.pending) < threshold:
                return {"held": len(self.pending)}
            complete, self.pending = self.pending[:threshold], []
            return {"held": 0, "complete": complete}

"""The vault across real processes: a rotation killed with SIGKILL and resumed; `refuge seal` from
another process ending a running server's sessions and dropping its key within 2 seconds."""

from __future__ import annotations

import contextlib
import json
import os
import queue
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TIMEOUT = 120


@pytest.fixture
def proc_env(tmp_path: Path) -> dict[str, str]:
    """A data dir with a migrated SQLite database and a dev-key vault, for subprocesses."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("REFUGE_DATABASE_URL")}
    env.update(
        DJANGO_SETTINGS_MODULE="tests.vault.settings_vault",
        REFUGE_DATA_DIR=str(tmp_path / "procdata"),
        PYTHONPATH=str(ROOT),
        PYTHONUNBUFFERED="1",
    )
    _run(env, "-m", "refuge", "migrate", "--verbosity", "0")
    _run(env, "-m", "refuge", "vault", "init", "--dev")
    return env


def _run(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(  # noqa: S603  # our own interpreter and modules
        [sys.executable, *args], env=env, cwd=ROOT, capture_output=True, text=True, timeout=TIMEOUT, check=False
    )
    assert done.returncode == 0, f"{args}: {done.stdout}\n{done.stderr}"
    return done.stdout


def _verify(env: dict[str, str]) -> dict[str, object]:
    report: dict[str, object] = json.loads(_run(env, "-m", "tests.vault.procs", "verify").strip().splitlines()[-1])
    return report


def _lines(stream, into: queue.Queue[str]) -> None:
    for line in iter(stream.readline, ""):
        into.put(line)


def test_a_rotation_killed_midway_resumes_and_everything_decrypts(proc_env: dict[str, str]) -> None:
    _run(proc_env, "-m", "tests.vault.procs", "seed", "12")
    old_key_file = (Path(proc_env["REFUGE_DATA_DIR"]) / "vault-dev.key").read_text()
    rotate = subprocess.Popen(  # see _run
        [sys.executable, "-m", "refuge", "vault", "rotate", "--dev", "--batch-size", "1", "--pause", "0.2"],
        env=proc_env,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=_lines, args=(rotate.stdout, lines), daemon=True).start()
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        line = lines.get(timeout=TIMEOUT)
        if line.startswith("re-wrapped 4 case keys"):
            rotate.send_signal(signal.SIGKILL)
            break
    assert rotate.wait(timeout=TIMEOUT) == -signal.SIGKILL

    # Killed half-way: keys under both root versions, and everything still reads with the active key.
    midway = _verify(proc_env)
    versions = midway["case_key_root_versions"]
    assert isinstance(versions, dict) and set(versions) == {"1", "2"}, midway
    assert midway["ok"] == 12 and midway["bad"] == [], midway
    assert midway["found_p000003"] == ["PRC-003"]

    out = _run(proc_env, "-m", "refuge", "vault", "rotate")
    assert "resuming the rotation to root key v2" in out
    assert "rotation finished" in out

    after = _verify(proc_env)
    assert after["case_key_root_versions"] == {"2": 12}, after
    assert after["index_root_versions"] == {"2": 12}, after
    assert after["ok"] == 12 and after["bad"] == [], after
    assert after["found_p000003"] == ["PRC-003"]

    # The old key no longer opens the vault.
    (Path(proc_env["REFUGE_DATA_DIR"]) / "vault-dev.key").write_text(old_key_file)
    stale = _verify(proc_env)
    assert stale["unsealed"] is False


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _get(url: str, session: str) -> tuple[int, str]:
    request = urllib.request.Request(url, headers={"Cookie": f"refuge-session={session}"})  # noqa: S310  # loopback
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310  # loopback
            return int(response.status), response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


def test_refuge_seal_in_another_process_seals_the_server_within_two_seconds(proc_env: dict[str, str]) -> None:
    _run(proc_env, "-m", "tests.vault.procs", "seed", "1")
    session = _run(proc_env, "-m", "tests.vault.procs", "session", "alice").strip()
    port = _free_port()
    server = subprocess.Popen(  # noqa: S603  # see _run
        [sys.executable, "-m", "tests.vault.procs", "serve", str(port)],
        env=proc_env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    log: queue.Queue[str] = queue.Queue()
    threading.Thread(target=_lines, args=(server.stderr, log), daemon=True).start()
    url = f"http://127.0.0.1:{port}/vault-test/whoami/"
    try:
        deadline = time.monotonic() + TIMEOUT
        while True:
            try:
                status, body = _get(url, session)
                break
            except OSError:
                assert time.monotonic() < deadline, "the server did not start"
                time.sleep(0.2)
        assert (status, body) == (200, "alice:secret of client 0")

        _run(proc_env, "-m", "refuge", "seal")
        sealed_at = time.monotonic()
        # No request is sent: the server's watcher must drop the key by itself.
        dropped = False
        while time.monotonic() - sealed_at < 2 and not dropped:
            with contextlib.suppress(queue.Empty):
                dropped = "(sealed by another process)" in log.get(timeout=0.1)
        assert dropped, "the server still held the key 2 s after `refuge seal`"
        status, body = _get(url, session)
        assert status == 503 and "secret" not in body and "alice" not in body
        # The dev key file does not undo a seal by itself: an operator unseals through the page.
        assert _get(f"http://127.0.0.1:{port}/vault/unseal/", session)[0] == 503
        out = _run(proc_env, "-m", "refuge", "unseal", "--url", f"http://127.0.0.1:{port}/vault/unseal/")
        assert "the server is unsealed" in out
        # The old session is gone for good.
        assert _get(url, session) == (401, "anonymous")
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=10)

"""`refuge serve`: gunicorn answers HTTP, static files included."""

from __future__ import annotations

import socket
import subprocess
import time
import urllib.error
import urllib.request

import pytest

from tests.cli.helpers import REPO, refuge_argv, refuge_env, run_refuge


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def fetch(url: str, deadline: float) -> tuple[int, bytes, dict[str, str]]:
    """GET url, retrying while the server starts (until `deadline`, a monotonic time)."""
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310  # a loopback http URL
                return response.status, response.read(), dict(response.headers)
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read(), dict(exc.headers)
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


@pytest.fixture
def server(tmp_path):
    data = tmp_path / "data"
    done = run_refuge(data, "migrate", "--no-input")
    assert done.returncode == 0, done.stderr
    assert run_refuge(data, "vault", "init", "--dev").returncode == 0
    port = free_port()
    proc = subprocess.Popen(  # noqa: S603  # our own command
        refuge_argv("serve", "--port", str(port), "--workers", "2", "--threads", "2"),
        env=refuge_env(data),
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        yield f"http://127.0.0.1:{port}", proc
    finally:
        proc.terminate()
        try:
            proc.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.communicate()


def test_serve_answers_the_login_page(server):
    base, proc = server
    status, body, headers = fetch(f"{base}/accounts/login/", time.monotonic() + 60)
    assert status == 200, body[:2000]
    assert b"csrfmiddlewaretoken" in body
    assert "/" not in headers.get("Server", "")  # no version in the Server header
    assert proc.poll() is None


def test_serve_serves_the_packaged_static_files(server):
    base, _ = server
    status, body, headers = fetch(f"{base}/static/refuge/vendor/htmx.min.js", time.monotonic() + 60)
    assert status == 200
    assert body == (REPO / "refuge/static/refuge/vendor/htmx.min.js").read_bytes()
    assert "max-age" in headers.get("Cache-Control", "")


def test_serve_says_where_it_listens_and_stops_cleanly_on_sigterm(server):
    base, proc = server
    fetch(f"{base}/accounts/login/", time.monotonic() + 60)
    proc.terminate()
    out, _ = proc.communicate(timeout=10)
    assert f"Refuge is serving on {base}/" in out
    assert "Stopped." in out
    assert proc.returncode == 0

"""What the commands leave on disk: an owner-only data directory, no stale uploads, no tokens in logs."""

from __future__ import annotations

import secrets
import stat
import subprocess
import time

from tests.cli.helpers import REPO, refuge_argv, refuge_env, run_refuge
from tests.cli.test_serve import fetch, free_port


def mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_migrate_creates_the_data_directory_and_an_owner_only_database(tmp_path):
    data = tmp_path / "not" / "yet" / "there"
    done = run_refuge(data, "migrate", "--no-input")
    assert done.returncode == 0, done.stderr
    assert mode(data) == 0o700
    files = [p for p in data.iterdir() if p.name.startswith("refuge.sqlite3")]
    assert files, list(data.iterdir())
    for path in [*files, data / "django-secret-key.txt"]:
        assert mode(path) == 0o600, path


def _serve(data, port):
    return subprocess.Popen(  # noqa: S603  # our own command
        refuge_argv("serve", "--port", str(port), "--workers", "2", "--threads", "2"),
        env=refuge_env(data),
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def _stop(proc) -> str:
    proc.terminate()
    try:
        out, _ = proc.communicate(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, _ = proc.communicate()
    return out


def test_serve_removes_uploads_a_killed_server_left_and_keeps_feed_tokens_out_of_its_log(tmp_path):
    data = tmp_path / "data"
    assert run_refuge(data, "migrate", "--no-input").returncode == 0
    done = run_refuge(data, "vault", "init", "--passphrase", stdin="a passphrase for this test only\n")
    assert done.returncode == 0, done.stderr  # sealed: the server starts without the key
    leftover = data / "tmp" / "refuge-sealed-abc.upload"
    leftover.write_bytes(b"sealed chunks of an upload cut short by kill -9")
    port = free_port()
    proc = _serve(data, port)
    try:
        status, _, _ = fetch(f"http://127.0.0.1:{port}/accounts/login/", time.monotonic() + 60)
        assert status == 200
        assert not leftover.exists()
        token = secrets.token_urlsafe(32)
        status, _, _ = fetch(f"http://127.0.0.1:{port}/feeds/{token}.ics", time.monotonic() + 30)
        assert status == 503  # sealed: logged by Django as a server error, with its path
    finally:
        out = _stop(proc)
    assert "Service Unavailable: /feeds/[token]" in out
    assert token not in out
    assert mode(data / "refuge.sqlite3") == 0o600

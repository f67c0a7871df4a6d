"""Killing `refuge worker` with SIGKILL between claiming a row and sending it loses nothing and
sends nothing twice: real worker processes, a real SMTP server, a real webhook receiver, and the
database the suite runs on (SQLite, or a fresh database on the same PostgreSQL server)."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from refuge.alerts.mailsink import start
from tests.alerts.receivers import HoldingSinkHandler, WebhookReceiver

ROOT = Path(__file__).resolve().parents[2]
TIMEOUT = 60
ALERTS = 12
LEASE = 2  # seconds: a killed worker's rows are free again this soon


@pytest.fixture
def far_ends() -> Iterator[tuple[HoldingSinkHandler, object, WebhookReceiver]]:
    handler = HoldingSinkHandler()
    controller = start(handler)
    hooks = WebhookReceiver()
    yield handler, controller, hooks
    handler.release.set()
    hooks.close()
    controller.stop()


@pytest.fixture
def database_url() -> Iterator[str | None]:
    """On PostgreSQL runs, a fresh database of the same server for the worker processes."""
    from django.conf import settings

    db = settings.DATABASES["default"]
    if not db["ENGINE"].endswith("postgresql"):
        yield None
        return
    import psycopg

    name = f"refuge_kill_{uuid.uuid4().hex[:12]}"
    admin = {"host": db["HOST"] or "127.0.0.1", "port": db["PORT"] or 5432, "user": db["USER"], "dbname": "postgres"}
    if db.get("PASSWORD"):
        admin["password"] = db["PASSWORD"]
    with psycopg.connect(**admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    yield f"postgres://{auth}@{admin['host']}:{admin['port']}/{name}"
    with psycopg.connect(**admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def env(tmp_path: Path, far_ends, database_url) -> dict[str, str]:
    _smtp, controller, hooks = far_ends
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("REFUGE_", "DJANGO_"))}
    if database_url:
        environ["REFUGE_DATABASE_URL"] = database_url
    environ.update(
        DJANGO_SETTINGS_MODULE="refuge.settings",
        REFUGE_DATA_DIR=str(tmp_path / "data"),
        REFUGE_SMTP_HOST="127.0.0.1",
        REFUGE_SMTP_PORT=str(controller.port),
        REFUGE_WEBHOOK_ALLOW_PRIVATE="true",
        REFUGE_ALERT_LEASE_SECONDS=str(LEASE),
        REFUGE_ALERT_RETRY_SECONDS="1",
        PYTHONPATH=str(ROOT),
        PYTHONUNBUFFERED="1",
    )
    run(environ, "-m", "refuge", "migrate", "--verbosity", "0")
    run(environ, "-m", "tests.alerts.procs", "seed", str(ALERTS), hooks.url)
    return environ


def run(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(  # noqa: S603  # our own interpreter and modules
        [sys.executable, *args], env=env, cwd=ROOT, capture_output=True, text=True, timeout=TIMEOUT, check=False
    )
    assert done.returncode == 0, f"{args}: {done.stdout}\n{done.stderr}"
    return done.stdout


def worker(env: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen(  # see run()
        [sys.executable, "-m", "refuge", "worker", "--poll", "0.1", "--batch", "5"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )


def ready(proc: subprocess.Popen[str]) -> None:
    """Wait until the worker has set its signal handlers and started (its first line says so)."""
    assert proc.stdout is not None
    line = proc.stdout.readline()
    assert "delivering alerts" in line, line


def kill(proc: subprocess.Popen[str]) -> None:
    proc.send_signal(signal.SIGKILL)
    assert proc.wait(timeout=TIMEOUT) == -signal.SIGKILL


def rows(env: dict[str, str]) -> list[list[object]]:
    return json.loads(run(env, "-m", "tests.alerts.procs", "report").strip().splitlines()[-1])


def wait_until_all_sent(env: dict[str, str]) -> None:
    """Poll the outbox until every row is marked sent (or the time is up; the caller's asserts tell)."""
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline and any(state != "sent" for _k, _c, state, _a in rows(env)):
        time.sleep(0.2)


def finish(env: dict[str, str], smtp: HoldingSinkHandler, hooks: WebhookReceiver) -> None:
    """A fresh worker delivers the rest; every row ends sent."""
    proc = worker(env)
    ready(proc)  # a SIGTERM before Django has started would kill it outright
    try:
        assert smtp.wait_for(ALERTS, TIMEOUT), f"{len(smtp.received)} of {ALERTS} e-mails"
        assert hooks.wait_for(ALERTS, TIMEOUT), f"{len(hooks.received)} of {ALERTS} webhooks"
        wait_until_all_sent(env)
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=TIMEOUT) == 0


def assert_each_sent_once(env: dict[str, str], smtp: HoldingSinkHandler, hooks: WebhookReceiver) -> None:
    table = rows(env)
    assert len(table) == 2 * ALERTS  # an e-mail and a webhook per alert
    assert all(state == "sent" for _k, _c, state, _a in table), table
    wanted = {str(k) for k, channel, _s, _a in table if channel == "email"}
    mails = Counter(r.key for r in smtp.received)
    assert set(mails) == wanted and set(mails.values()) == {1}, mails
    wanted = {str(k) for k, channel, _s, _a in table if channel == "webhook"}
    posts = Counter(h.headers["Idempotency-Key"] for h in hooks.received)
    assert set(posts) == wanted and set(posts.values()) == {1}, posts


def test_a_worker_killed_while_sending_an_email_loses_nothing_and_sends_nothing_twice(env, far_ends) -> None:
    smtp, _controller, hooks = far_ends
    smtp.hold_first = True  # the first e-mail hangs in the SMTP conversation: claimed, not yet accepted
    proc = worker(env)
    assert smtp.entered.wait(TIMEOUT), "the worker never started sending"
    kill(proc)
    smtp.release.set()  # the held message is refused, as a dead client's would be
    held = [r for r in rows(env) if r[2] == "leased"]
    assert held, "the killed worker should have left claimed rows behind"
    finish(env, smtp, hooks)
    assert_each_sent_once(env, smtp, hooks)
    assert max(int(a) for _k, _c, _s, a in rows(env)) >= 2  # the held rows were claimed again


def test_a_worker_killed_while_posting_a_webhook_loses_nothing_and_sends_nothing_twice(env, far_ends) -> None:
    smtp, _controller, hooks = far_ends
    hooks.hold_first = True
    proc = worker(env)
    assert hooks.entered.wait(TIMEOUT), "the worker never started posting"
    kill(proc)
    hooks.release.set()
    finish(env, smtp, hooks)
    assert_each_sent_once(env, smtp, hooks)


def test_workers_killed_at_random_moments_lose_nothing(env, far_ends) -> None:
    """Killed anywhere (even between acceptance and marking), nothing is lost; a message sent
    again carries the same idempotency key, so the far end can tell."""
    smtp, _controller, hooks = far_ends
    rng = random.Random(20261127)  # noqa: S311  # reproducible moments, not a secret
    for _ in range(4):
        proc = worker(env)
        time.sleep(rng.uniform(0.3, 1.2))
        kill(proc)
    finish(env, smtp, hooks)
    table = rows(env)
    assert all(state == "sent" for _k, _c, state, _a in table), table
    assert {str(k) for k, c, _s, _a in table if c == "email"} == {r.key for r in smtp.received}
    assert {str(k) for k, c, _s, _a in table if c == "webhook"} == {
        h.headers["Idempotency-Key"] for h in hooks.received
    }


def test_two_workers_side_by_side_send_each_message_once(env, far_ends) -> None:
    smtp, _controller, hooks = far_ends
    first, second = worker(env), worker(env)
    ready(first)
    ready(second)
    try:
        assert smtp.wait_for(ALERTS, TIMEOUT) and hooks.wait_for(ALERTS, TIMEOUT)
        wait_until_all_sent(env)
    finally:
        for proc in (first, second):
            proc.send_signal(signal.SIGTERM)
        assert first.wait(timeout=TIMEOUT) == 0 and second.wait(timeout=TIMEOUT) == 0
    assert_each_sent_once(env, smtp, hooks)
    assert all(int(a) == 1 for _k, _c, _s, a in rows(env))  # no row was claimed twice

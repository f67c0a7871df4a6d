"""The OpenAPI document is the contract: schemathesis holds a live `refuge serve` to it, and the
README's example runs against the same server.

The server is the real command (`refuge serve --host 127.0.0.1 --port N`) in a child process with
its own data directory, the development vault and a token made by `refuge apitoken`.
"""

from __future__ import annotations

import contextlib
import io
import json
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from tests.cli.helpers import REPO, refuge_argv, refuge_env, run_refuge

pytestmark = pytest.mark.slow

PASSWORD = "a long passphrase nobody guesses 7"
CHECKS = ",".join(
    (
        "not_a_server_error",
        "status_code_conformance",
        "content_type_conformance",
        "response_schema_conformance",
        "response_headers_conformance",
    )
)
CASEFILE = {
    "format": "refuge.case/1",
    "reference": "CONTRACT-1",
    "host_state": "RU",
    "timezone": "Europe/Moscow",
    "person": {"nationality": "KP", "stateless": False, "languages": ["ko"]},
    "events": [
        {"id": "e1", "type": "detention_started", "at": "2026-03-02T09:00:00+03:00", "basis": "administrative"},
        {"id": "e2", "type": "decision_issued", "at": "2026-03-03T15:00:00+03:00", "decision": "expulsion"},
        {"id": "e3", "type": "decision_received", "at": "2026-03-03T16:00:00+03:00", "decision_event": "e2"},
        {
            "id": "e4",
            "type": "removal_scheduled",
            "at": "2026-03-04T10:30:00+03:00",
            "removal_at": "2026-03-10T06:00:00+03:00",
            "destination": "KP",
        },
    ],
}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _call(base: str, token: str, method: str, path: str, body: Any = None) -> Any:
    request = urllib.request.Request(  # noqa: S310  # a loopback http URL
        f"{base}/api/v1{path}",
        method=method,
        data=None if body is None else json.dumps(body).encode(),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310  # see above
        return json.load(response)


def _wait(url: str, deadline: float) -> None:
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5):  # noqa: S310  # a loopback http URL
                return
        except urllib.error.HTTPError:
            return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """A served Refuge with alice (lawyer), her token (every scope), a case and a filing."""
    data = tmp_path_factory.mktemp("live") / "data"
    assert run_refuge(data, "migrate", "--no-input").returncode == 0
    assert run_refuge(data, "vault", "init", "--dev").returncode == 0
    made = run_refuge(
        data,
        "createuser",
        "alice",
        "--organisation",
        "Northern Legal Aid (fictional)",
        "--create-organisation",
        "--role",
        "lawyer",
        "--password-stdin",
        stdin=PASSWORD + "\n",
    )
    assert made.returncode == 0, made.stderr
    issued = run_refuge(data, "apitoken", "create", "alice", "--scopes", "read,write,identity", "--days", "1")
    assert issued.returncode == 0, issued.stderr
    token = issued.stdout.strip().splitlines()[-1]
    assert token.startswith("rfg_")
    port = _free_port()
    env = refuge_env(data)
    env["REFUGE_API_RATE_LIMIT"] = "1000000"  # the contract run is one client, fast
    proc = subprocess.Popen(  # noqa: S603  # our own command
        refuge_argv("serve", "--host", "127.0.0.1", "--port", str(port), "--workers", "2"),
        env=env,
        cwd=REPO,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait(f"{base}/api/v1/openapi.json", time.monotonic() + 60)
        case = _call(base, token, "POST", "/cases/import", CASEFILE)
        filing = _call(
            base,
            token,
            "POST",
            f"/cases/{case['code']}/filings",
            {
                "kind": "client-notice",
                "lang": "en",
                "contact_name": "Duty lawyer",
                "contact_phone": "+7 000 000",
                "acknowledged": ["removal_passed"],  # the fixture's removal is in 2026's spring
            },
        )
        yield {"base": base, "token": token, "case": case, "filing": filing, "data": data}
    finally:
        proc.terminate()
        try:
            proc.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.communicate()


def test_every_operation_keeps_the_contract_with_no_server_error(live: Any, tmp_path: Path) -> None:
    """schemathesis over every operation of /api/v1/openapi.json: no 5xx, every answer as documented."""
    case = live["case"]
    event = next(e for e in case["events"] if e["key"] == "e4")
    config = tmp_path / "schemathesis.toml"
    # Real codes for the path parameters, so that the operations reach their logic, not only the 404.
    config.write_text(
        "[parameters]\n"
        f'"path.code" = "{case["code"]}"\n'
        f'"path.event_code" = "{event["code"]}"\n'
        f'"path.filing_code" = "{live["filing"]["code"]}"\n',
        encoding="utf-8",
    )
    run = subprocess.run(  # noqa: S603  # schemathesis' own command line, arguments from the test
        [
            sys.executable,
            "-m",
            "schemathesis.cli",
            "--config-file",
            str(config),
            "run",
            f"{live['base']}/api/v1/openapi.json",
            "--header",
            f"Authorization: Bearer {live['token']}",
            "--checks",
            CHECKS,
            "--max-examples",
            "10",
            "--seed",
            "1",
            "--workers",
            "1",
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        cwd=tmp_path,  # its cache of found failures stays out of the checkout
    )
    tail = run.stdout[-6000:]
    assert run.returncode == 0, tail  # schemathesis exits 1 on any failed check
    operations = json.loads(urllib.request.urlopen(f"{live['base']}/api/v1/openapi.json").read())["paths"]  # noqa: S310
    count = sum(len(ops) for ops in operations.values())
    assert re.search(rf"Tested: +{count}\b", run.stdout), tail  # every operation, none skipped


def test_the_readme_example_opens_a_case_adds_a_removal_and_reads_its_deadlines(
    live: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    found = re.search(r"<!-- api-example -->\n```python\n(.*?)```", readme, re.DOTALL)
    assert found, "the README's API example is marked <!-- api-example -->"
    monkeypatch.setenv("REFUGE_URL", live["base"])
    monkeypatch.setenv("REFUGE_TOKEN", live["token"])
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(found.group(1), "README.md", "exec"), {"__name__": "readme_example"})  # noqa: S102  # our README
    lines = out.getvalue().splitlines()
    assert lines, "the example printed no deadline"
    cases = _call(live["base"], live["token"], "GET", "/cases")["items"]
    made = next(c for c in cases if c["reference"] == "HOTLINE-2026-001")
    deadlines = _call(live["base"], live["token"], "GET", f"/cases/{made['code']}/deadlines")
    assert [f"{d['kind']} {d['due_at']} {d['status']}" for d in deadlines] == lines
    events = _call(live["base"], live["token"], "GET", f"/cases/{made['code']}/events")
    assert [e["type"] for e in events][-1] == "removal_scheduled"

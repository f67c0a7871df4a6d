"""The host's key agent (refuge.vault.agent) on its own: who may take the key, pooled shares, sealing.

The agent runs in this test process, as in `refuge serve`'s master; child processes of this
process stand for its workers (the agent checks the peer's parent process with SO_PEERCRED).
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from refuge.vault import agent

ROOT = Path(__file__).resolve().parents[2]
CHILD = """
import json, sys
from pathlib import Path
from refuge.vault import agent
try:
    answer, key = agent.call(Path(sys.argv[1]), sys.argv[2], json.loads(sys.argv[3]))
except agent.AgentUnavailable as exc:
    answer, key = {"refused": str(exc)}, None
print(json.dumps({**answer, "key": key.hex() if key else None}))
"""


@pytest.fixture
def running(tmp_path: Path) -> Iterator[agent.Agent]:
    key_agent = agent.Agent(tmp_path / "run" / "vault-agent.sock")
    key_agent.start()
    yield key_agent
    key_agent.stop()


def as_worker(path: Path, op: str, fields: dict[str, Any] | None = None) -> dict[str, Any]:
    """The request from a child process of this one (a worker of the agent's process)."""
    done = subprocess.run(  # noqa: S603  # our own interpreter and code
        [sys.executable, "-c", CHILD, str(path), op, json.dumps(fields or {})],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    answer: dict[str, Any] = json.loads(done.stdout)
    return answer


def test_the_socket_is_the_owners_alone(running: agent.Agent) -> None:
    assert stat.S_IMODE(running.path.parent.stat().st_mode) == 0o700
    assert stat.S_IMODE(running.path.stat().st_mode) == 0o600
    assert stat.S_ISSOCK(running.path.stat().st_mode)


def test_only_a_worker_takes_the_key(running: agent.Agent) -> None:
    key = os.urandom(32)
    agent.call(running.path, "put", {"version": 1, "seal_epoch": 4, "source": "shares"}, key=key)
    with pytest.raises(agent.AgentUnavailable, match="only this server's workers"):
        agent.call(running.path, "get")  # this process is the agent's own, not one of its children
    taken = as_worker(running.path, "get")
    assert bytes.fromhex(taken["key"]) == key
    assert (taken["version"], taken["seal_epoch"], taken["sealed"]) == (1, 4, False)
    status = agent.call(running.path, "status")[0]
    assert not status["sealed"] and status["holders"] == []  # the child that took it has ended


def test_a_seal_empties_the_agent_and_a_stale_epoch_cannot_keep_the_key(running: agent.Agent) -> None:
    agent.call(running.path, "put", {"version": 1, "seal_epoch": 4}, key=os.urandom(32))
    assert agent.call(running.path, "drop", {"unless_epoch": 4})[0] == {"dropped": False, "length": 0}
    assert not agent.call(running.path, "status")[0]["sealed"]
    assert agent.call(running.path, "drop", {"unless_epoch": 5})[0]["dropped"] is True  # sealed meanwhile
    status = agent.call(running.path, "status")[0]
    assert status["sealed"] and status["dropped"]
    assert as_worker(running.path, "get") == {"sealed": True, "dropped": True, "length": 0, "key": None}


def test_shares_typed_on_two_workers_combine(running: agent.Agent) -> None:
    first = as_worker(running.path, "shares", {"identifier": 7, "threshold": 2, "shares": ["alpha words"]})
    assert first["held"] == 1 and "complete" not in first
    assert agent.call(running.path, "status")[0]["pending"] == 1
    again = as_worker(running.path, "shares", {"identifier": 7, "threshold": 2, "shares": ["alpha words"]})
    assert again["held"] == 1  # the same share twice counts once
    second = as_worker(running.path, "shares", {"identifier": 7, "threshold": 2, "shares": ["beta words"]})
    assert second["complete"] == ["alpha words", "beta words"]
    assert agent.call(running.path, "status")[0]["pending"] == 0


def test_shares_of_another_key_start_the_pool_again_and_a_seal_forgets_it(running: agent.Agent) -> None:
    as_worker(running.path, "shares", {"identifier": 7, "threshold": 2, "shares": ["alpha words"]})
    other = as_worker(running.path, "shares", {"identifier": 8, "threshold": 2, "shares": ["gamma words"]})
    assert other["held"] == 1
    agent.call(running.path, "drop")
    assert agent.call(running.path, "status")[0]["pending"] == 0
    anew = as_worker(running.path, "shares", {"identifier": 8, "threshold": 2, "shares": ["gamma words"]})
    assert anew["held"] == 1  # the share before the seal was forgotten


def test_a_second_server_of_the_data_directory_is_refused_and_a_dead_ones_socket_replaced(
    running: agent.Agent, tmp_path: Path
) -> None:
    with pytest.raises(agent.AgentBusy):
        agent.Agent(running.path).start()
    stale = tmp_path / "stale" / "vault-agent.sock"
    stale.parent.mkdir(mode=0o700)
    stale.write_text("")  # what a killed server leaves: a path nobody answers on
    replacement = agent.Agent(stale)
    replacement.start()
    try:
        assert agent.call(stale, "status")[0]["sealed"]
    finally:
        replacement.stop()
    assert not stale.exists()


def test_nothing_answers_once_stopped(tmp_path: Path) -> None:
    key_agent = agent.Agent(tmp_path / "run" / "vault-agent.sock")
    key_agent.start()
    agent.call(key_agent.path, "put", {"version": 1}, key=os.urandom(32))
    held = key_agent.key
    key_agent.stop()
    assert held is not None and held == bytearray(32)  # overwritten, not just forgotten
    with pytest.raises(agent.AgentUnavailable):
        agent.call(key_agent.path, "status")


def test_the_same_key_again_keeps_its_holders_and_another_starts_afresh(running: agent.Agent) -> None:
    key = os.urandom(32)
    agent.call(running.path, "put", {"version": 1, "seal_epoch": 2, "holders": [os.getpid()]}, key=key)
    assert running.holders == {os.getpid()}
    agent.call(running.path, "put", {"version": 1, "seal_epoch": 2}, key=key)  # a second `refuge unseal`
    assert running.holders == {os.getpid()}
    agent.call(running.path, "put", {"version": 2, "seal_epoch": 2}, key=os.urandom(32))  # after a rotation
    assert running.holders == set()

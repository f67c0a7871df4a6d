"""A database file copied from a running demo, without the key, holds none of the demo people's names.

The same check by hand (README, "Checking a copied disk"):

    REFUGE_DATA_DIR=/tmp/d refuge demo --serve &
    mkdir /tmp/copy && cp /tmp/d/refuge.sqlite3* /tmp/copy/
    REFUGE_DATA_DIR=/tmp/d refuge demo --list-names | grep -a -c -F -f - /tmp/copy/refuge.sqlite3*
"""

from __future__ import annotations

import shutil
import subprocess
import time
from pathlib import Path

from tests.cli.helpers import REPO, refuge_argv, refuge_env, run_refuge
from tests.cli.test_serve import fetch, free_port
from tests.vault.test_canary import _scan


def test_a_copy_of_the_running_demos_database_holds_no_demo_name(tmp_path: Path) -> None:
    data, copy = tmp_path / "data", tmp_path / "copy"
    loaded = run_refuge(data, "demo", timeout=300)
    assert loaded.returncode == 0, loaded.stderr[-2000:]
    names = run_refuge(data, "demo", "--list-names").stdout.splitlines()
    assert len(names) >= 30
    assert all(n.strip() for n in names)
    port = free_port()
    proc = subprocess.Popen(  # noqa: S603  # our own command
        refuge_argv("serve", "--port", str(port), "--workers", "2", "--threads", "2"),
        env=refuge_env(data),
        cwd=REPO,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        fetch(f"http://127.0.0.1:{port}/accounts/login/", time.monotonic() + 60)
        copy.mkdir()
        for path in data.glob("refuge.sqlite3*"):  # the file, its WAL and shared memory, as a thief takes them
            shutil.copy(path, copy / path.name)
    finally:
        proc.terminate()
        proc.wait(timeout=15)
    copied = sorted(copy.iterdir())
    assert any(p.name == "refuge.sqlite3" for p in copied)
    assert not any("key" in p.name for p in copied)
    assert _scan(copied, names) == []
    # The demo's names are really in it, sealed: the same scan finds them in plaintext.
    (copy / "plain.txt").write_text(names[0], encoding="utf-8")
    assert _scan([copy / "plain.txt"], names)

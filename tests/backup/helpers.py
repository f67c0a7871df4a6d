"""A real deployment in child processes: made, written to, backed up, restored and probed through its commands."""

from __future__ import annotations

import io
import json
import secrets
import subprocess
import sys
import tarfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyrage

from tests.cli.helpers import REPO, refuge_argv, refuge_env

DRIVE = Path(__file__).with_name("drive.py")


@dataclass
class Deployment:
    data_dir: Path
    database_url: str = ""

    def env(self, **extra: str) -> dict[str, str]:
        env = refuge_env(self.data_dir)
        if self.database_url:
            env["REFUGE_DATABASE_URL"] = self.database_url
        env.update(extra)
        return env

    def refuge(self, *args: str, check: bool = True, **extra: str) -> subprocess.CompletedProcess[str]:
        done = subprocess.run(  # noqa: S603  # our own command
            refuge_argv(*args),
            capture_output=True,
            text=True,
            env=self.env(**extra),
            cwd=REPO,
            timeout=300,
            check=False,
        )
        if check:
            assert done.returncode == 0, f"refuge {' '.join(args)}: {done.stdout}\n{done.stderr}"
        return done

    def drive(self, *args: str) -> str:
        done = subprocess.run(  # noqa: S603  # our own script
            [sys.executable, str(DRIVE), *args],
            capture_output=True,
            text=True,
            env=self.env(),
            cwd=REPO,
            timeout=300,
            check=False,
        )
        assert done.returncode == 0, f"drive {args[0]}: {done.stderr[-3000:]}"
        return done.stdout

    def start_writer(self, canary: str, stop: Path) -> subprocess.Popen[str]:
        return subprocess.Popen(  # noqa: S603  # our own script
            [sys.executable, str(DRIVE), "write", canary, str(stop)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=self.env(),
            cwd=REPO,
        )

    def probe(self) -> dict[str, Any]:
        return json.loads(self.drive("probe"))


def age_identity(directory: Path) -> tuple[Path, Path]:
    """An age key pair written as age-keygen would: the identity file, and the recipient's public key file."""
    identity = pyrage.x25519.Identity.generate()
    key = directory / "backup-identity.txt"
    key.write_text(f"# fictional test key\n{identity}\n", encoding="utf-8")
    public = directory / "backup-recipient.txt"
    public.write_text(f"{identity.to_public()}\n", encoding="utf-8")
    return key, public


def canary() -> str:
    return "CANARY" + secrets.token_hex(6).upper()


def wait_for_writes(counter: Path, at_least: int, timeout: float = 120) -> int:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        done = int(counter.read_text()) if counter.exists() else 0
        if done >= at_least:
            return done
        time.sleep(0.05)
    raise AssertionError(f"the writer did not reach {at_least} writes")


def manifest_of(path: Path) -> dict[str, Any]:
    with path.open("rb") as handle:
        handle.readline()
        return json.loads(handle.readline())


def decrypted_members(path: Path, identity: Path) -> dict[str, bytes]:
    """Every member of a backup's payload, decrypted with the identity (as an attacker holding it would)."""
    secret = next(line for line in identity.read_text().splitlines() if line.startswith("AGE-SECRET-KEY-"))
    with path.open("rb") as handle:
        handle.readline()
        handle.readline()
        plain = pyrage.decrypt(handle.read(), [pyrage.x25519.Identity.from_str(secret)])
    members = {}
    with tarfile.open(fileobj=io.BytesIO(plain)) as tar:
        for info in tar:
            extracted = tar.extractfile(info)
            assert extracted is not None
            members[info.name] = extracted.read()
    return members

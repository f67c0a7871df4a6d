"""`refuge restore --check` and the refusals of `refuge backup` and `refuge restore`, through the CLI."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pytest

from refuge.backup import snapshot
from refuge.backup.snapshot import BackupError
from tests.backup.helpers import Deployment, age_identity


@dataclass
class Made:
    deployment: Deployment
    backup: Path
    identity: Path
    recipient: Path
    public_key: Path


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> Made:
    root = tmp_path_factory.mktemp("check")
    deployment = Deployment(data_dir=root / "data")
    deployment.data_dir.mkdir()
    deployment.refuge("migrate", "-v0")
    deployment.refuge("vault", "init", "--dev")
    deployment.refuge("audit", "keygen")
    identity, recipient = age_identity(root)
    backup = root / "one.backup"
    deployment.refuge("backup", "-o", str(backup), "--recipients-file", str(recipient))
    return Made(deployment, backup, identity, recipient, deployment.data_dir / "audit-signing.pub")


def _check(made: Made, path: Path, *extra: str) -> tuple[int, str]:
    done = made.deployment.refuge("restore", "--check", str(path), *extra, check=False)
    return done.returncode, done.stdout + done.stderr


def _copy(made: Made) -> bytearray:
    return bytearray(made.backup.read_bytes())


def test_check_verifies_the_signature_without_a_private_key(made: Made) -> None:
    code, out = _check(made, made.backup, "--public-key", str(made.public_key))
    assert code == 0, out
    assert "backup OK" in out
    assert "give --identity KEYFILE to check their hashes too" in out


def test_check_with_the_identity_checks_every_member(made: Made) -> None:
    code, out = _check(made, made.backup, "--identity", str(made.identity))
    assert code == 0, out
    assert "every member's hash checked (1)" in out


def test_check_refuses_a_payload_altered_by_one_byte(made: Made, tmp_path: Path) -> None:
    data = _copy(made)
    data[-100] ^= 0x01
    tampered = tmp_path / "tampered.backup"
    tampered.write_bytes(bytes(data))
    code, out = _check(made, tampered)
    assert code != 0
    assert "the encrypted payload does not match its manifest" in out


def test_check_refuses_an_altered_manifest(made: Made, tmp_path: Path) -> None:
    magic, manifest, payload = made.backup.read_bytes().split(b"\n", 2)
    body = json.loads(manifest)
    body["created_at"] = "2020-01-01T00:00:00+00:00"
    tampered = tmp_path / "tampered.backup"
    tampered.write_bytes(magic + b"\n" + json.dumps(body).encode() + b"\n" + payload)
    code, out = _check(made, tampered)
    assert code != 0
    assert "signature does not verify" in out


def test_check_refuses_a_backup_signed_by_another_key(made: Made, tmp_path: Path) -> None:
    other = Deployment(data_dir=tmp_path / "other")
    other.data_dir.mkdir()
    other.refuge("audit", "keygen")
    code, out = _check(made, made.backup, "--public-key", str(other.data_dir / "audit-signing.pub"))
    assert code != 0
    assert "signature does not verify" in out


def test_check_refuses_a_file_that_is_not_a_backup(made: Made, tmp_path: Path) -> None:
    path = tmp_path / "not.backup"
    path.write_text("hello\n")
    code, out = _check(made, path)
    assert code != 0
    assert "is not a Refuge backup" in out


def test_check_with_the_wrong_identity_says_it_cannot_decrypt(made: Made, tmp_path: Path) -> None:
    wrong, _ = age_identity(tmp_path)
    code, out = _check(made, made.backup, "--identity", str(wrong))
    assert code != 0
    assert "cannot decrypt the payload with this identity" in out


def test_restore_refuses_to_start_without_the_shredding_log_or_its_waiver(made: Made, tmp_path: Path) -> None:
    target = Deployment(data_dir=tmp_path / "target")
    target.data_dir.mkdir()
    done = target.refuge(
        "restore", str(made.backup), "--identity", str(made.identity), "--public-key", str(made.public_key), check=False
    )
    assert done.returncode != 0
    assert "--shredded-log FILE" in done.stderr
    assert "--no-shredding-log" in done.stderr
    assert not (target.data_dir / "refuge.sqlite3").exists(), "nothing was restored"


def test_restore_refuses_a_bad_shredding_log(made: Made, tmp_path: Path) -> None:
    target = Deployment(data_dir=tmp_path / "target")
    target.data_dir.mkdir()
    log = tmp_path / "shredding.log"
    log.write_text('{"case": "not a code", "at": "2026-01-01"}\n')
    done = target.refuge(
        "restore", str(made.backup), "--identity", str(made.identity), "--public-key", str(made.public_key),
        "--shredded-log", str(log), check=False,
    )  # fmt: skip
    assert done.returncode != 0
    assert "line 1: not a shredding log entry" in done.stderr
    assert not (target.data_dir / "refuge.sqlite3").exists()


def test_restore_without_a_public_key_on_a_new_machine_says_which_to_give(made: Made, tmp_path: Path) -> None:
    target = Deployment(data_dir=tmp_path / "target")
    target.data_dir.mkdir()
    done = target.refuge(
        "restore", str(made.backup), "--identity", str(made.identity), "--no-shredding-log", check=False
    )
    assert done.returncode != 0
    assert "give --public-key FILE" in done.stderr


def test_backup_needs_a_signing_key(tmp_path: Path) -> None:
    bare = Deployment(data_dir=tmp_path / "bare")
    bare.data_dir.mkdir()
    bare.refuge("migrate", "-v0")
    _, recipient = age_identity(tmp_path)
    done = bare.refuge("backup", "-o", str(tmp_path / "x.backup"), "--recipients-file", str(recipient), check=False)
    assert done.returncode != 0
    assert "run `refuge audit keygen`" in done.stderr
    assert not (tmp_path / "x.backup").exists()


def test_backup_refuses_a_bad_recipient_and_an_existing_file(made: Made, tmp_path: Path) -> None:
    done = made.deployment.refuge(
        "backup", "-o", str(tmp_path / "x.backup"), "--recipient", "age1nonsense", check=False
    )
    assert done.returncode != 0
    assert "is not an age X25519 public key" in done.stderr
    done = made.deployment.refuge(
        "backup", "-o", str(made.backup), "--recipients-file", str(made.recipient), check=False
    )
    assert done.returncode != 0
    assert "a backup never overwrites a file" in done.stderr


def test_backup_needs_a_recipient(made: Made, tmp_path: Path) -> None:
    done = made.deployment.refuge("backup", "-o", str(tmp_path / "x.backup"), check=False)
    assert done.returncode != 0
    assert "no recipient" in done.stderr


def _fake_tool(directory: Path, version: str) -> Path:
    tool = directory / "pg_dump"
    tool.write_text(f"#!/bin/sh\necho 'pg_dump (PostgreSQL) {version}'\n")
    tool.chmod(0o700)
    return tool


def test_a_pg_dump_older_than_the_server_is_refused_with_the_package_to_install(tmp_path: Path) -> None:
    with pytest.raises(BackupError, match=r"server runs PostgreSQL 16 .* install .*postgresql-client-16"):
        snapshot._check_versions(str(_fake_tool(tmp_path, "15.20 (Debian 15.20-0+deb12u1)")), 160002)
    snapshot._check_versions(str(_fake_tool(tmp_path, "16.1")), 150020)  # a newer client dumps an older server


def test_restore_refuses_a_backup_of_another_database_kind(made: Made, tmp_path: Path) -> None:
    target = Deployment(
        data_dir=tmp_path / "target", database_url="postgres://postgres@127.0.0.1:5432/refuge_backup_absent_db"
    )
    target.data_dir.mkdir()
    done = target.refuge(
        "restore", str(made.backup), "--identity", str(made.identity), "--public-key", str(made.public_key),
        "--no-shredding-log", check=False,
    )  # fmt: skip
    assert done.returncode != 0
    assert "a backup of a sqlite deployment; this one is configured for postgresql" in done.stderr

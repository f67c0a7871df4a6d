"""Scheduled backups: one worker holds the lease, retention keeps the newest, settings fail loudly."""

from __future__ import annotations

import sqlite3
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

from refuge.backup import schedule
from refuge.lib.env import env_age_recipients
from tests.backup.helpers import Deployment, age_identity


@pytest.mark.django_db
def test_only_one_worker_wins_the_lease_and_the_next_is_due_a_period_later(settings) -> None:
    settings.REFUGE_BACKUP_EVERY = 6
    now = timezone.now()
    first = schedule.claim(now)
    assert first is not None
    assert schedule.claim(now) is None, "the lease is held"
    assert schedule.claim(now + timedelta(minutes=30)) is None
    assert schedule.release(first, succeeded=True)
    assert schedule.claim(now + timedelta(hours=1)) is None, "not due again before the period"
    assert schedule.claim(now + timedelta(hours=6, minutes=1)) is not None


@pytest.mark.django_db
def test_a_dead_workers_lease_runs_out_and_a_failure_is_retried_an_hour_later(settings) -> None:
    settings.REFUGE_BACKUP_EVERY = 6
    now = timezone.now()
    assert schedule.claim(now) is not None  # this worker dies without releasing
    assert schedule.claim(now + timedelta(hours=5)) is None
    token = schedule.claim(now + timedelta(hours=6, seconds=1))
    assert token is not None
    assert schedule.release(token, succeeded=False)
    later = timezone.now()
    assert schedule.claim(later + timedelta(minutes=30)) is None
    assert schedule.claim(later + timedelta(minutes=61)) is not None


@pytest.mark.django_db
def test_a_released_lease_cannot_be_released_twice(settings) -> None:
    token = schedule.claim(timezone.now())
    assert token is not None
    assert schedule.release(token, succeeded=True)
    assert not schedule.release(token, succeeded=True)


def test_the_worker_backs_up_once_and_retention_deletes_the_oldest(tmp_path: Path) -> None:
    deployment = Deployment(data_dir=tmp_path / "deployment")
    deployment.data_dir.mkdir()
    deployment.refuge("migrate", "-v0")
    deployment.refuge("vault", "init", "--dev")
    deployment.refuge("audit", "keygen")
    _, recipient = age_identity(tmp_path)
    backups = tmp_path / "backups"
    backups.mkdir()
    old = ["refuge-20200101T000000Z.backup", "refuge-20210101T000000Z.backup", "refuge-20220101T000000Z.backup"]
    for name in old:
        (backups / name).write_bytes(b"an old backup")
    (backups / "notes.txt").write_text("not a backup: never deleted")
    settings = {
        "REFUGE_BACKUP_DIR": str(backups),
        "REFUGE_BACKUP_RECIPIENTS": str(recipient),
        "REFUGE_BACKUP_KEEP": "2",
    }
    deployment.refuge("worker", "--once", **settings)
    deployment.refuge("worker", "--once", **settings)  # not due again: no second backup

    made = sorted(p.name for p in backups.iterdir() if p.name not in old and p.name != "notes.txt")
    assert len(made) == 1 and schedule.NAME.fullmatch(made[0]), made
    assert sorted(p.name for p in backups.iterdir()) == sorted([old[2], made[0], "notes.txt"])
    checked = deployment.refuge("restore", "--check", str(backups / made[0]))
    assert "backup OK" in checked.stdout
    with sqlite3.connect(deployment.data_dir / "refuge.sqlite3") as db:
        types = [t for (t,) in db.execute("SELECT type FROM audit_auditevent WHERE type > 1100 ORDER BY id")]
    assert types == [1101, 1103, 1103]


def test_a_restored_scheduled_backup_does_not_inherit_its_lease(tmp_path: Path) -> None:
    deployment = Deployment(data_dir=tmp_path / "deployment")
    deployment.data_dir.mkdir()
    deployment.refuge("migrate", "-v0")
    deployment.refuge("vault", "init", "--dev")
    deployment.refuge("audit", "keygen")
    identity, recipient = age_identity(tmp_path)
    backups = tmp_path / "backups"
    deployment.refuge("worker", "--once", REFUGE_BACKUP_DIR=str(backups), REFUGE_BACKUP_RECIPIENTS=str(recipient))
    (made,) = [p for p in backups.iterdir() if schedule.NAME.fullmatch(p.name)]
    copy = Deployment(data_dir=tmp_path / "copy")
    copy.data_dir.mkdir()
    copy.refuge(
        "restore", str(made), "--identity", str(identity), "--public-key",
        str(deployment.data_dir / "audit-signing.pub"), "--no-shredding-log",
    )  # fmt: skip
    with sqlite3.connect(copy.data_dir / "refuge.sqlite3") as db:
        rows = db.execute("SELECT leased_until, lease_token, last_started_at FROM backup_backupschedule").fetchall()
    assert len(rows) == 1
    leased_until, token, started = rows[0]
    assert started is not None, "the snapshot was taken under the lease"
    assert (leased_until, token) == (None, None)


def test_the_worker_copies_the_shredding_log_beside_the_backups(tmp_path: Path) -> None:
    deployment = Deployment(data_dir=tmp_path / "deployment")
    deployment.data_dir.mkdir()
    deployment.refuge("migrate", "-v0")
    deployment.refuge("vault", "init", "--dev")
    deployment.refuge("audit", "keygen")
    log = '{"at": "2026-01-01T00:00:00+00:00", "case": "6e827def-c9bd-4a10-ae35-bb462673ef07", "keys": [1]}\n'
    (deployment.data_dir / "shredding.log").write_text(log)
    _, recipient = age_identity(tmp_path)
    backups = tmp_path / "backups"
    deployment.refuge("worker", "--once", REFUGE_BACKUP_DIR=str(backups), REFUGE_BACKUP_RECIPIENTS=str(recipient))
    assert (backups / "shredding.log").read_text() == log


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"REFUGE_BACKUP_RECIPIENTS": "age1nonsense"}, "REFUGE_BACKUP_RECIPIENTS: age1nonsense… is not an age X25519"),
        ({"REFUGE_BACKUP_RECIPIENTS": "/nonexistent/keys.txt"}, "cannot be read"),
        ({"REFUGE_BACKUP_DIR": "backups-here"}, "REFUGE_BACKUP_DIR is set but REFUGE_BACKUP_RECIPIENTS is empty"),
        ({"REFUGE_BACKUP_EVERY": "0"}, "REFUGE_BACKUP_EVERY must be at least 1"),
        ({"REFUGE_BACKUP_KEEP": "many"}, "REFUGE_BACKUP_KEEP must be an integer"),
    ],
)
def test_a_bad_backup_setting_stops_the_command_with_its_name(
    tmp_path: Path, env: dict[str, str], message: str
) -> None:
    deployment = Deployment(data_dir=tmp_path / "deployment")
    done = deployment.refuge("backup", "-o", str(tmp_path / "x.backup"), check=False, **env)
    assert done.returncode != 0
    assert message in done.stderr


def test_recipients_are_read_from_a_file_with_comments(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _, recipient = age_identity(tmp_path)
    listed = tmp_path / "recipients.txt"
    listed.write_text(f"# the office's paper key\n{recipient.read_text()}\n")
    monkeypatch.setenv("REFUGE_BACKUP_RECIPIENTS", str(listed))
    assert env_age_recipients("REFUGE_BACKUP_RECIPIENTS") == [recipient.read_text().strip()]
    monkeypatch.setenv("REFUGE_BACKUP_RECIPIENTS", str(tmp_path / "empty.txt"))
    (tmp_path / "empty.txt").write_text("# nothing\n")
    with pytest.raises(ImproperlyConfigured, match="lists no age public key"):
        env_age_recipients("REFUGE_BACKUP_RECIPIENTS")

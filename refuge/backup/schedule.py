"""Scheduled backups from `refuge worker`: every REFUGE_BACKUP_EVERY hours, the newest REFUGE_BACKUP_KEEP kept.

`run_due(now)` runs on each clock pass of `refuge worker` (hooks.WORKER_CLOCK, subscribed in
refuge/wiring/subscribers.py). It claims the schedule's row with one conditional UPDATE (due, and no
live lease), so of several workers exactly one backs up; the backup itself runs in a thread, so
alerts keep going out meanwhile. The lease lasts one period: a worker killed mid-backup frees it
then. A failed backup is retried an hour later (or after one period, if shorter). After each backup,
files beyond the newest KEEP are deleted (audited), and the live shredding log is copied beside the
backups, so an off-site copy of the directory carries what a restore of any of them needs.
"""

from __future__ import annotations

import logging
import re
import shutil
import threading
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.db import IntegrityError, connections, transaction
from django.db.models import Q
from django.utils import timezone

from refuge.audit import actions as audit
from refuge.audit.events import EventType
from refuge.backup.actions import make_backup
from refuge.backup.models import BackupSchedule
from refuge.vault import shredlog

log = logging.getLogger("refuge.backup")

NAME = re.compile(r"refuge-\d{8}T\d{6}Z\.backup")
RETRY = timedelta(hours=1)


def backup_dir() -> Path | None:
    configured = str(getattr(settings, "REFUGE_BACKUP_DIR", "") or "")
    return Path(configured).expanduser() if configured else None


def file_name(at: datetime) -> str:
    return f"refuge-{at.astimezone(UTC):%Y%m%dT%H%M%SZ}.backup"


def claim(now: datetime) -> uuid.UUID | None:
    """Take the lease if a backup is due and nobody holds it; the lease's token, or None."""
    every = timedelta(hours=settings.REFUGE_BACKUP_EVERY)
    if not BackupSchedule.objects.filter(pk=1).exists():
        try:
            with transaction.atomic():
                BackupSchedule.objects.create(pk=1)
        except IntegrityError:  # another worker made it first
            pass
    token = uuid.uuid4()
    due = Q(last_finished_at__isnull=True) | Q(last_finished_at__lte=now - every)
    free = Q(leased_until__isnull=True) | Q(leased_until__lt=now)
    won = BackupSchedule.objects.filter(due & free, pk=1).update(
        leased_until=now + every, lease_token=token, last_started_at=now
    )
    return token if won else None


def release(token: uuid.UUID, *, succeeded: bool) -> bool:
    """End the lease (if still held): done now, or (after a failure) free again in an hour."""
    now = timezone.now()
    held = BackupSchedule.objects.filter(pk=1, lease_token=token)
    if succeeded:
        return bool(held.update(leased_until=None, lease_token=None, last_finished_at=now))
    retry = min(RETRY, timedelta(hours=settings.REFUGE_BACKUP_EVERY))
    return bool(held.update(leased_until=now + retry, lease_token=None))


def expire_old(directory: Path, keep: int) -> list[str]:
    """Delete the scheduled backups beyond the newest `keep` (names sort by time); audited. The names deleted."""
    found = sorted(p.name for p in directory.iterdir() if p.is_file() and NAME.fullmatch(p.name))
    old = found[: max(len(found) - keep, 0)]
    for name in old:
        (directory / name).unlink(missing_ok=True)
        with transaction.atomic():
            audit.record(type=EventType.BACKUP_EXPIRED, actor=None, target=("backup", name.removesuffix(".backup")))
    return old


def copy_shredding_log(directory: Path) -> None:
    live = shredlog.log_path()
    if not live.exists():
        return
    partial = directory / f".{shredlog.LOG_NAME}.partial"
    shutil.copyfile(live, partial)
    partial.replace(directory / shredlog.LOG_NAME)


def run_scheduled(token: uuid.UUID, directory: Path) -> Path | None:
    """Make one backup into `directory`, apply retention, release the lease. The file, or None on failure."""
    succeeded = False
    output = directory / file_name(timezone.now())
    try:
        make_backup(output=output, recipients=list(settings.REFUGE_BACKUP_RECIPIENTS))
        copy_shredding_log(directory)
        expire_old(directory, settings.REFUGE_BACKUP_KEEP)
        succeeded = True
        log.info("backup written to %s", output)
        return output
    except Exception:  # logged and retried later: the worker's loop must go on
        log.exception("scheduled backup failed; retried in an hour")
        return None
    finally:
        release(token, succeeded=succeeded)
        connections.close_all()  # this thread's own connections


def run_due(now: datetime) -> threading.Thread | None:
    """The worker's job: start a backup in a thread when one is due and this worker won the lease."""
    directory = backup_dir()
    if directory is None:
        return None
    token = claim(now)
    if token is None:
        return None
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    thread = threading.Thread(target=run_scheduled, args=(token, directory), name="refuge-backup")
    thread.start()
    return thread

"""Make a backup, check one, restore one (the management commands and the worker call these).

A restore goes into an empty deployment only (no database, no stored file): it never merges into
or overwrites live data. It re-applies the shredding log (refuge/vault/shredlog.py): every case
of the log that the restored database still holds is deleted again, with its data key, so a
client forgotten after the backup stays forgotten. The operator must hand it the current log, or
say in so many words that there is none (`--no-shredding-log`): it refuses to start otherwise.
"""

from __future__ import annotations

import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from django.conf import settings
from django.core.files.base import File
from django.db import connection, connections, transaction
from django.utils import timezone
from django.utils.translation import gettext

from refuge.audit import actions as audit
from refuge.audit.chain import canonical_time
from refuge.audit.events import EventType
from refuge.backup import archive, snapshot
from refuge.backup.models import BackupSchedule
from refuge.backup.snapshot import BackupError
from refuge.cases.actions import delete_case
from refuge.cases.models import Case
from refuge.vault import shredlog
from refuge.vault.storage import vault_storage

FILES_PREFIX = "files/"


def _work_root() -> Path:
    return Path(settings.DATA_DIR) / "tmp"


def _stored(name: str) -> None:
    pure = PurePosixPath(name)
    if pure.is_absolute() or ".." in pure.parts:
        raise BackupError(gettext("a stored file's name leaves the files directory: %(name)s") % {"name": repr(name)})


def make_backup(*, output: Path, recipients: list[str], key_path: Path | None = None) -> dict[str, Any]:
    """Snapshot the database, add every file its rows name, encrypt, sign, write `output`; audited."""
    key = archive.signing_key(key_path)
    archive.parse_recipients(recipients)  # a bad key fails before any work
    vendor = snapshot.vendor()
    with archive.private_directory(_work_root()) as work:
        if vendor == "sqlite":
            database = work / snapshot.SQLITE_MEMBER
            facts = snapshot.snapshot_sqlite(database)
        else:
            database = work / snapshot.POSTGRES_MEMBER
            facts = snapshot.snapshot_postgres(database)
        members = {database.name: database}
        missing = []
        for n, name in enumerate(facts.files):
            _stored(name)  # a name that leaves the files' folder is refused
            copy = work / "files" / str(n)
            if _fetch(name, copy):  # through the storage API: the files may live on shared storage
                members[FILES_PREFIX + name] = copy
            else:  # deleted after the snapshot: its case was shredded, and the shredding log says so
                missing.append(name)
        manifest = archive.write(
            output=output,
            manifest={
                "created_at": canonical_time(timezone.now()),
                "database": vendor,
                "snapshot": {"chains": facts.chains, "counts": facts.counts},
                "files_missing": missing,
            },
            members=members,
            recipients=recipients,
            key=key,
            work=work,
        )
    with transaction.atomic():
        audit.record(
            type=EventType.BACKUP_MADE,
            actor=None,
            target=("backup", manifest["payload"]["sha256"]),
            data={"members": len(members), "files": len(members) - 1, "bytes": int(manifest["payload"]["size"])},
        )
    return manifest


@dataclass(frozen=True)
class CheckResult:
    manifest: dict[str, Any]
    members_checked: int  # 0 without an identity


def check_backup(*, path: Path, public_key_path: Path | None, identity_path: Path | None) -> CheckResult:
    """Signature and payload hash; with an identity, every member's hash (and a SQLite copy's facts)."""
    opened = archive.verify(path, archive.public_key(public_key_path))
    if identity_path is None:
        return CheckResult(manifest=opened.manifest, members_checked=0)
    identities = archive.read_identities(identity_path)
    with archive.private_directory(_work_root()) as work:
        unpacked = archive.decrypt(path, opened, identities, work)
        if snapshot.SQLITE_MEMBER in unpacked:
            copy = sqlite3.connect(f"file:{unpacked[snapshot.SQLITE_MEMBER]}?mode=ro", uri=True)
            try:
                if copy.execute("PRAGMA integrity_check").fetchone() != ("ok",):
                    raise BackupError(
                        gettext("%(path)s: the database inside fails SQLite's integrity check") % {"path": path}
                    )
                facts = snapshot.read_facts(copy.cursor(), quote=lambda n: '"' + n.replace('"', '""') + '"')
            finally:
                copy.close()
            _same_snapshot(facts, opened.manifest, where=str(path))
    return CheckResult(manifest=opened.manifest, members_checked=len(unpacked))


def _same_snapshot(facts: snapshot.Facts, manifest: dict[str, Any], *, where: str) -> None:
    recorded = manifest.get("snapshot") or {}
    if facts.chains != recorded.get("chains") or facts.counts != recorded.get("counts"):
        raise BackupError(
            gettext("%(path)s: the database does not hold the audit heads and row counts its manifest records")
            % {"path": where}
        )


@dataclass(frozen=True)
class RestoreResult:
    manifest: dict[str, Any]
    files: int
    reshredded: int


def _fetch(name: str, copy: Path) -> bool:
    """Copy a stored file (ciphertext) from the vault's storage into the work folder; False if it is gone."""
    try:
        source = vault_storage.open(name, "rb")
    except FileNotFoundError:
        return False
    copy.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    with source, copy.open("wb") as target:
        for chunk in source.chunks():
            target.write(chunk)
    os.chmod(copy, 0o600)
    return True


def _media_is_empty() -> bool:
    return next(vault_storage.stored_names(), None) is None


def restore_backup(
    *,
    path: Path,
    identity_path: Path,
    public_key_path: Path | None,
    shredding_log: Path | None,
    no_shredding_log: bool,
) -> RestoreResult:
    """Restore into this (empty) deployment, then delete again every case the shredding log names."""
    if shredding_log is None and not no_shredding_log:
        raise BackupError(
            gettext(
                "give the current shredding log (--shredded-log FILE: the live deployment's "
                "%(log)s, or the copy beside the newest backup), or --no-shredding-log to say "
                "there is none: without it, cases deleted after this backup would come back"
            )
            % {"log": shredlog.LOG_NAME}
        )
    if shredding_log is not None and no_shredding_log:
        raise BackupError(gettext("--shredded-log and --no-shredding-log exclude each other"))
    entries = shredlog.read(shredding_log) if shredding_log is not None else []
    opened = archive.verify(path, archive.public_key(public_key_path))
    manifest = opened.manifest
    vendor = snapshot.vendor()
    if manifest.get("database") != vendor:
        raise BackupError(
            gettext(
                "this is a backup of a %(theirs)s deployment; this one is configured for %(ours)s "
                "(REFUGE_DATABASE_URL decides)"
            )
            % {"theirs": manifest.get("database"), "ours": vendor}
        )
    empty, where = snapshot.database_is_empty()
    if not empty:
        raise BackupError(
            gettext("%(database)s is not empty: restore only into a new, empty database (nothing was changed)")
            % {"database": where}
        )
    if not _media_is_empty():
        raise BackupError(gettext("the vault's file storage holds files: restore only into an empty deployment"))
    identities = archive.read_identities(identity_path)
    with archive.private_directory(_work_root()) as work:
        unpacked = archive.decrypt(path, opened, identities, work)
        connections.close_all()
        if vendor == "sqlite":
            snapshot.restore_sqlite(unpacked[snapshot.SQLITE_MEMBER])
        else:
            snapshot.restore_postgres(unpacked[snapshot.POSTGRES_MEMBER])
        files = 0
        for name, member in unpacked.items():
            if not name.startswith(FILES_PREFIX):
                continue
            stored = name[len(FILES_PREFIX) :]
            _stored(stored)  # a name that leaves the files' folder is refused
            with member.open("rb") as content:
                saved = vault_storage.save(stored, File(content, name=stored))
            if saved != stored:
                raise BackupError(f"the storage kept a restored file under another name: {stored!r}")
            files += 1
    connections.close_all()
    facts = snapshot.read_facts(connection.cursor(), quote=connection.ops.quote_name)
    _same_snapshot(facts, manifest, where="the restored database")
    reshredded = _reapply_shredding(entries, shredding_log)
    # A scheduled backup holds the lease while it snapshots: the copy must not wait for it to run out.
    BackupSchedule.objects.update(leased_until=None, lease_token=None)
    with transaction.atomic():
        audit.record(
            type=EventType.BACKUP_RESTORED,
            actor=None,
            target=("backup", manifest["payload"]["sha256"]),
            data={"files": files, "reshredded": reshredded, "log": shredding_log is not None},
        )
    return RestoreResult(manifest=manifest, files=files, reshredded=reshredded)


def _reapply_shredding(entries: list[shredlog.Shredded], source: Path | None) -> int:
    """Delete again each logged case the restored database holds; keep the log in the new data directory."""
    live = shredlog.log_path()
    if source is not None and source.resolve() != live.resolve():
        shredlog.append(entries, live)
    done = 0
    for code in dict.fromkeys(e.case for e in entries):
        case = Case.objects.filter(code=code).first()
        if case is None:
            continue
        delete_case(case=case, actor=None, confirm_reference=case.reference)
        done += 1
    return done

"""The shredding log: which cases' data keys were destroyed, and when — kept outside every backup.

A backup holds the data keys of every case alive at its snapshot. Restoring it would bring back a
case deleted (crypto-shredded) after that snapshot, so the deletion is also written here: one JSON
line per case, appended and fsynced before the deletion commits, in REFUGE_DATA_DIR/shredding.log
(never inside the database a backup copies). `refuge restore` reads the current log and deletes
again every case of the log that the restored database still holds (refuge/backup/restore.py).

Written before the commit, not after: if the process dies in between, the log may name a case
whose deletion rolled back (restore then deletes a case someone asked to delete), never miss one
that was shredded (restore would resurrect a client the organisation promised to forget).

Each line: {"case": code, "keys": [data key ids], "at": ISO 8601 UTC}. Codes only: no name.
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext

LOG_NAME = "shredding.log"


class ShreddingLogError(Exception):
    """A shredding log that cannot be read (missing, or a line that is not an entry)."""


@dataclass(frozen=True)
class Shredded:
    case: str
    keys: tuple[int, ...]
    at: str

    def as_json(self) -> str:
        return json.dumps({"case": self.case, "keys": list(self.keys), "at": self.at}, sort_keys=True)


def log_path() -> Path:
    return Path(settings.DATA_DIR) / LOG_NAME


def record(*, case_code: str, key_ids: Sequence[int], at: datetime, path: Path | None = None) -> None:
    """Append one entry and fsync it (the caller's deletion commits only after this returned)."""
    entry = Shredded(case=str(uuid.UUID(str(case_code))), keys=tuple(int(k) for k in key_ids), at=at.isoformat())
    append([entry], path or log_path())


def append(entries: Sequence[Shredded], path: Path) -> None:
    if not entries:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    with os.fdopen(fd, "a", encoding="utf-8") as out:
        for entry in entries:
            out.write(entry.as_json() + "\n")
        out.flush()
        os.fsync(out.fileno())


def read(path: Path) -> list[Shredded]:
    """Every entry of a log file, in order; ShreddingLogError names the first bad line."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        raise ShreddingLogError(
            gettext(
                "no shredding log at %(path)s: a deployment writes it at its first case deletion. Give its copy "
                "beside the backups, or --no-shredding-log if no case was deleted since the backup"
            )
            % {"path": path}
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ShreddingLogError(
            gettext("cannot read the shredding log %(path)s: %(reason)s") % {"path": path, "reason": exc}
        ) from None
    entries = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            body = json.loads(line)
            entry = Shredded(
                case=str(uuid.UUID(str(body["case"]))),
                keys=tuple(int(k) for k in body.get("keys", [])),
                at=str(body["at"]),
            )
        except (json.JSONDecodeError, KeyError, TypeError, ValueError, AttributeError):
            raise ShreddingLogError(
                gettext("%(path)s, line %(line)s: not a shredding log entry") % {"path": path, "line": number}
            ) from None
        entries.append(entry)
    return entries

"""The restore drill (issue 19): back up while the server writes, restore into a fresh deployment, compare.

A real deployment runs in child processes: seeded through the action functions, then written to
(new cases with a document, events on old ones) while `refuge backup` runs. After the backup the
writer goes on a little, then one seeded case is deleted (crypto-shredded). The backup is
restored into a new data directory (and, on PostgreSQL, another database), the vault is opened
with the key the operator brings, and every case, person, event, document and audit entry is
compared with the original at the backup's snapshot point: rows equal, decrypted values equal,
each document's plaintext equal; `refuge audit verify` passes on the copy. Runs on SQLite and,
when the suite runs on PostgreSQL, on PostgreSQL too.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

from tests.backup.helpers import (
    Deployment,
    age_identity,
    canary,
    decrypted_members,
    manifest_of,
    wait_for_writes,
)

SEEDED = 6


def _postgres_url(name: str) -> str:
    db = settings.DATABASES["default"]
    user = db.get("USER") or "postgres"
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{user}{password}@{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}/{name}"


def _server() -> Any:
    import psycopg

    db = settings.DATABASES["default"]
    return psycopg.connect(
        dbname="postgres",
        host=db.get("HOST") or "127.0.0.1",
        port=db.get("PORT") or 5432,
        user=db.get("USER") or "postgres",
        password=db.get("PASSWORD") or None,
        autocommit=True,
    )


CREATED: list[str] = []  # the drill's databases, dropped when its module ends


def _recreate_postgres(name: str) -> str:
    with _server() as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    CREATED.append(name)
    return _postgres_url(name)


def _drop_created() -> None:
    if not CREATED:
        return
    with _server() as conn:
        for name in CREATED:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    CREATED.clear()


@dataclass
class Drill:
    original: Deployment
    backup: Path
    identity: Path
    public_key: Path
    canary: str
    seeded: list[str]
    shredded: str
    after: dict[str, Any]  # the original's probe, after the writer stopped and the case was shredded
    writes_before: int
    writes_after: int
    backend: str

    def fresh(self, root: Path, name: str) -> Deployment:
        url = _recreate_postgres(f"refuge_backup_{name}") if self.backend == "postgresql" else ""
        return Deployment(data_dir=root / name, database_url=url)


BACKENDS = [
    "sqlite",
    pytest.param("postgresql", marks=pytest.mark.postgres_only),
]


@pytest.fixture(scope="module", params=BACKENDS)
def drill(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Drill]:
    backend = request.param
    if backend == "postgresql" and not str(settings.DATABASES["default"]["ENGINE"]).endswith("postgresql"):
        pytest.skip("the suite runs on SQLite (set REFUGE_DATABASE_URL to run the PostgreSQL drill)")
    root = tmp_path_factory.mktemp(f"drill-{backend}")
    url = _recreate_postgres("refuge_backup_original") if backend == "postgresql" else ""
    original = Deployment(data_dir=root / "original", database_url=url)
    original.data_dir.mkdir()
    original.refuge("migrate", "-v0")
    original.refuge("vault", "init", "--dev")
    original.refuge("audit", "keygen")
    identity, recipient = age_identity(root)
    word = canary()
    seeded = json.loads(original.drive("seed", word, str(SEEDED)))["cases"]

    control = root / "control"
    control.mkdir()
    writer = original.start_writer(word, control / "stop")
    try:
        writes_before = wait_for_writes(control / "writes", 5)
        backup = root / "drill.backup"
        original.refuge("backup", "-o", str(backup), "--recipients-file", str(recipient))
        done_at = int((control / "writes").read_text())
        wait_for_writes(control / "writes", done_at + 5)
    finally:
        (control / "stop").touch()
        out, err = writer.communicate(timeout=120)
    assert writer.returncode == 0, err[-3000:]
    writes_after = json.loads(out)["writes"]

    shredded = seeded[0]
    original.drive("shred", shredded)
    yield Drill(
        original=original,
        backup=backup,
        identity=identity,
        public_key=original.data_dir / "audit-signing.pub",
        canary=word,
        seeded=seeded,
        shredded=shredded,
        after=original.probe(),
        writes_before=writes_before,
        writes_after=writes_after,
        backend=backend,
    )
    _drop_created()


def _restore(drill: Drill, target: Deployment, *log: str) -> subprocess.CompletedProcess[str]:
    target.data_dir.mkdir(parents=True, exist_ok=True)
    return target.refuge(
        "restore", str(drill.backup), "--identity", str(drill.identity), "--public-key", str(drill.public_key), *log
    )


def _bring_the_key(drill: Drill, target: Deployment) -> None:
    """What an operator does with the shares: here, the development key file of the original."""
    shutil.copy(drill.original.data_dir / "vault-dev.key", target.data_dir / "vault-dev.key")


@pytest.fixture(scope="module")
def restored(drill: Drill, tmp_path_factory: pytest.TempPathFactory) -> tuple[Deployment, dict[str, Any]]:
    """The backup restored without the shredding log (so the drill sees the whole snapshot), probed."""
    target = drill.fresh(tmp_path_factory.mktemp(f"restored-{drill.backend}"), "restore")
    _restore(drill, target, "--no-shredding-log")
    _bring_the_key(drill, target)
    return target, target.probe()


def _snapshot_seq(drill: Drill) -> dict[int, int]:
    return {c["chain"]: c["seq"] for c in manifest_of(drill.backup)["snapshot"]["chains"]}


def test_the_backup_was_taken_while_the_server_wrote(drill: Drill) -> None:
    assert drill.writes_before >= 5
    assert drill.writes_after >= drill.writes_before + 10, "the writer went on after the backup"
    seq = _snapshot_seq(drill)
    org_chain = max(seq)
    in_original = max(int(a["seq"]) for a in drill.after["audit"].values() if a["chain"] == org_chain)
    assert in_original > seq[org_chain], "entries were added after the snapshot point"


def test_every_audit_entry_up_to_the_snapshot_point_is_restored_unchanged(drill: Drill, restored: Any) -> None:
    _, copy = restored
    seq = _snapshot_seq(drill)

    def upto(probe: dict[str, Any]) -> dict[tuple[int, int], Any]:
        return {(a["chain"], a["seq"]): a for a in probe["audit"].values() if a["seq"] <= seq.get(a["chain"], 0)}

    original, restored_entries = upto(drill.after), upto(copy)
    assert sum(seq.values()) == len(original) == len(restored_entries)
    assert restored_entries == original
    # After the snapshot point the copy holds only its own entries: the restore, then the unseal.
    later = sorted(
        (a["chain"], a["seq"], a["type"]) for a in copy["audit"].values() if a["seq"] > seq.get(a["chain"], 0)
    )
    assert [t for _, _, t in later][:1] == [1102]
    assert all(chain == 0 for chain, _, _ in later)


def test_every_case_event_person_and_document_equals_the_original_at_the_snapshot(drill: Drill, restored: Any) -> None:
    _, copy = restored
    seq = _snapshot_seq(drill)
    touched_later = {a["target_code"] for a in drill.after["audit"].values() if a["seq"] > seq.get(a["chain"], 0)}
    case_of = {pk: row["code"] for pk, row in copy["case"].items()}
    for table in ("case", "person", "event", "document"):
        restored_rows, original_rows = copy[table], drill.after[table]
        last = max(int(pk) for pk in restored_rows)
        # One writer: rows commit in key order, so the snapshot holds exactly the original's rows up to its last.
        missing = {pk for pk in original_rows if int(pk) <= last} - set(restored_rows)
        assert missing == set(), f"{table}: rows of the snapshot not restored"
        extra = set(restored_rows) - set(original_rows)
        owners = {
            row["code"] if table == "case" else case_of[str(row["case_id"])]
            for row in (restored_rows[pk] for pk in extra)
        }
        assert owners == {drill.shredded}, f"{table}: only the case shredded after the backup is not in the original"
        for pk in set(restored_rows) & set(original_rows):
            row, original = restored_rows[pk], dict(original_rows[pk])
            if table == "case" and row["code"] in touched_later:
                original["updated_at"] = row["updated_at"]  # an event added after the snapshot touched it
            assert row == original, f"{table} {pk} differs"
    # Each document's plaintext, decrypted with the restored keys, equals the original's.
    assert len(copy["document_plaintext"]) == len(copy["document"]) > SEEDED
    for pk, digest in copy["document_plaintext"].items():
        if pk in drill.after["document_plaintext"]:
            assert digest == drill.after["document_plaintext"][pk]


def test_the_restored_copy_passes_audit_verify(restored: Any) -> None:
    target, _ = restored
    done = target.refuge("audit", "verify")
    assert "audit log OK" in done.stdout


def test_the_decrypted_payload_holds_no_plaintext_name_or_note(drill: Drill, tmp_path: Path) -> None:
    members = decrypted_members(drill.backup, drill.identity)
    assert any(name.startswith("files/") for name in members), "the documents are in the backup"
    blobs = dict(members)
    for name, data in members.items():
        if name.endswith(".pgdump"):  # compressed custom format: read as pg_restore would write it out
            dump = tmp_path / "member.pgdump"
            dump.write_bytes(data)
            plain = subprocess.run(  # noqa: S603  # the PostgreSQL client tool, our own file
                ["pg_restore", "-f", "-", str(dump)],  # noqa: S607  # from PATH, as refuge uses it
                capture_output=True,
                check=True,
            ).stdout
            blobs[name] = plain
    needles = [drill.canary.encode(e) for e in ("utf-8", "utf-16-le", "utf-16-be")]
    hits = [name for name, data in blobs.items() for n in needles if n in data]
    assert hits == []
    # The scan can see plaintext: the pseudonymous references are there in clear, as designed.
    assert any(b"DRILL-00001" in data for data in blobs.values())
    # And the canary was really written: the restored vault decrypts it.
    names = [row["names"] for row in drill.after["person"].values()]
    assert any(drill.canary in json.dumps(n) for n in names)


def test_a_case_shredded_after_the_backup_stays_shredded_after_restore(
    drill: Drill, tmp_path_factory: pytest.TempPathFactory
) -> None:
    target = drill.fresh(tmp_path_factory.mktemp(f"reshred-{drill.backend}"), "reshred")
    done = _restore(drill, target, "--shredded-log", str(drill.original.data_dir / "shredding.log"))
    assert "1 case(s) deleted again" in done.stdout
    _bring_the_key(drill, target)
    copy = target.probe()
    codes = {row["code"] for row in copy["case"].values()}
    assert drill.shredded not in codes
    assert set(drill.seeded[1:]) <= codes
    left = [p for p in (target.data_dir / "files").rglob("*") if p.is_file() and drill.shredded in p.parts]
    assert left == [], "the shredded case's stored files are deleted too"
    assert drill.shredded in (target.data_dir / "shredding.log").read_text()
    target.refuge("audit", "verify")


def test_restore_refuses_a_non_empty_target(drill: Drill, restored: Any) -> None:
    target, _ = restored
    done = target.refuge(
        "restore",
        str(drill.backup),
        "--identity",
        str(drill.identity),
        "--public-key",
        str(drill.public_key),
        "--no-shredding-log",
        check=False,
    )
    assert done.returncode != 0
    assert "is not empty: restore only into a new, empty database" in done.stderr

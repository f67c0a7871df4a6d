"""`refuge audit keygen | checkpoint | verify`, and appends from several processes at once."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import threading
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from refuge.audit import checkpoint as cp
from refuge.audit import triggers
from refuge.audit.actions import record
from refuge.audit.events import EventType
from refuge.audit.models import AuditEvent
from refuge.audit.verify import verify
from tests.audit.conftest import set_column
from tests.cli.helpers import REPO, refuge_argv, refuge_env, run_refuge


def _fill(count: int) -> None:
    for i in range(count):
        record(type=EventType.CASE_CHANGED, actor=None, target=("case", f"c{i}"), data={"n": i})


@pytest.mark.django_db
def test_keygen_writes_a_private_key_only_its_owner_reads(settings, capsys) -> None:
    call_command("audit", "keygen")
    key = Path(settings.DATA_DIR) / cp.KEY_FILE
    assert key.stat().st_mode & 0o777 == 0o600
    printed = capsys.readouterr().out.strip()
    assert printed == (Path(settings.DATA_DIR) / cp.PUBLIC_KEY_FILE).read_text().strip()
    with pytest.raises(CommandError, match="exists"):
        call_command("audit", "keygen")


@pytest.mark.django_db
def test_a_checkpoint_verifies_then_finds_a_cut_tail(settings, tmp_path: Path, capsys) -> None:
    call_command("audit", "keygen")
    _fill(5)
    out = tmp_path / "cp.json"
    call_command("audit", "checkpoint", "-o", str(out))
    signed = json.loads(out.read_text())
    (mark,) = signed["chains"]
    report = verify()
    assert mark == {"chain": 0, "first": 1, "last": AuditEvent.objects.count(), "head": report.of(0).head}
    public = Path(settings.DATA_DIR) / cp.PUBLIC_KEY_FILE
    call_command("audit", "verify", "--checkpoint", str(out), "--public-key", str(public))
    assert "audit log OK" in capsys.readouterr().out
    _fill(2)  # a log that grew still holds its checkpoint
    call_command("audit", "verify", "--checkpoint", str(out), "--public-key", str(public))
    with connection.cursor() as cursor:
        triggers.drop(connection)
        cursor.execute("DELETE FROM audit_auditevent WHERE chain = 0 AND seq > %s", [mark["last"] - 1])
        # The head row made to match the cut chain: only the checkpoint knows better.
        kept = AuditEvent.objects.get(chain=0, seq=mark["last"] - 1)
        cursor.execute("UPDATE audit_audithead SET seq = %s, hash = %s WHERE chain = 0", [kept.seq, kept.hash])
        triggers.install(connection)
    with pytest.raises(CommandError, match=f"BROKEN at chain 0 entry {mark['last']}: missing") as failure:
        call_command("audit", "verify", "--checkpoint", str(out), "--public-key", str(public))
    assert failure.value.returncode == 1


@pytest.mark.django_db
def test_a_forged_or_foreign_checkpoint_is_refused(settings, tmp_path: Path) -> None:
    call_command("audit", "keygen")
    _fill(3)
    out = tmp_path / "cp.json"
    call_command("audit", "checkpoint", "-o", str(out))
    public = Path(settings.DATA_DIR) / cp.PUBLIC_KEY_FILE
    forged = json.loads(out.read_text())
    forged["chains"][0]["last"] -= 1  # what someone who cut the tail would like the witness to hold
    (tmp_path / "forged.json").write_text(json.dumps(forged))
    with pytest.raises(CommandError, match="signature does not verify"):
        call_command("audit", "verify", "--checkpoint", str(tmp_path / "forged.json"), "--public-key", str(public))
    call_command("audit", "keygen", "-o", str(tmp_path / "other.key"))
    with pytest.raises(CommandError, match="signature does not verify"):
        call_command("audit", "verify", "--checkpoint", str(out), "--public-key", str(tmp_path / "other.key.pub"))


@pytest.mark.django_db
def test_a_broken_log_is_not_signed(tmp_path: Path) -> None:
    call_command("audit", "keygen")
    _fill(3)
    first = AuditEvent.objects.order_by("chain", "seq").first()
    assert first is not None
    set_column(first.pk, "data", '{"n": 99}')
    with pytest.raises(CommandError, match=f"not signed: the audit log is broken at chain 0 entry {first.seq}"):
        call_command("audit", "checkpoint", "-o", str(tmp_path / "cp.json"))
    assert not (tmp_path / "cp.json").exists()


@pytest.mark.django_db
def test_the_signing_key_can_come_from_the_environment(settings, tmp_path: Path) -> None:
    call_command("audit", "keygen", "-o", str(tmp_path / "elsewhere.key"))
    settings.REFUGE_AUDIT_SIGNING_KEY = (tmp_path / "elsewhere.key").read_text()
    call_command("audit", "checkpoint", "-o", str(tmp_path / "cp.json"))
    checkpoint = cp.read(tmp_path / "cp.json")
    cp.check_signature(checkpoint, cp.load_public_key(tmp_path / "elsewhere.key.pub"))
    assert not (Path(settings.DATA_DIR) / cp.KEY_FILE).exists()


def test_the_commands_exit_0_on_a_good_log_and_1_on_a_tampered_one(tmp_path: Path) -> None:
    data = tmp_path / "data"
    for args in (("migrate", "-v", "0"), ("vault", "init", "--dev"), ("audit", "keygen")):
        done = run_refuge(data, *args)
        assert done.returncode == 0, done.stderr
    done = run_refuge(data, "audit", "checkpoint", "-o", str(tmp_path / "cp.json"))
    assert done.returncode == 0, done.stderr
    done = run_refuge(data, "audit", "verify")
    assert done.returncode == 0 and "audit log OK: 1 entries in 1 chain(s)" in done.stdout, done.stderr
    with sqlite3.connect(data / "refuge.sqlite3") as db:
        db.execute("DROP TRIGGER audit_no_update")
        db.execute('UPDATE audit_auditevent SET data = \'{"source": "shares"}\' WHERE seq = 1')
    done = run_refuge(data, "audit", "verify", "--checkpoint", str(tmp_path / "cp.json"))
    assert done.returncode == 1
    assert "BROKEN at chain 0 entry 1: its content does not match its hash" in done.stderr


APPEND = (
    "from refuge.audit.actions import record; from refuge.audit.events import EventType\n"
    "for i in range({n}):\n"
    "    record(type=EventType.CASE_CHANGED, actor=None, target=('case', 'p{p}'), data={{'n': i}})\n"
)


def test_processes_appending_at_once_never_fork_the_chain(tmp_path: Path) -> None:
    """Four processes append to one SQLite file at once: one chain, every entry in it."""
    data = tmp_path / "data"
    assert run_refuge(data, "migrate", "-v", "0").returncode == 0
    writers = [
        subprocess.Popen(  # noqa: S603  # our own command
            refuge_argv("shell", "-c", APPEND.format(n=40, p=p)),
            env=refuge_env(data),
            cwd=REPO,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for p in range(4)
    ]
    for writer in writers:
        _out, err = writer.communicate(timeout=120)
        assert writer.returncode == 0, err
    done = run_refuge(data, "audit", "verify")
    assert done.returncode == 0, done.stderr
    assert "audit log OK: 160 entries" in done.stdout


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_threads_appending_at_once_never_fork_the_chain_on_postgresql() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("SQLite's concurrency is tested with processes (above)")
    from django.db import connections

    before = AuditEvent.objects.count()
    errors: list[BaseException] = []

    def append(p: int) -> None:
        try:
            for i in range(25):
                record(type=EventType.CASE_CHANGED, actor=None, target=("case", f"t{p}"), data={"n": i})
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=append, args=(p,)) for p in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    report = verify()
    assert report.ok and report.count == before + 150


@pytest.mark.django_db(transaction=True)
def test_flush_empties_the_log_and_keeps_it_append_only() -> None:
    _fill(3)
    call_command("flush", interactive=False, verbosity=0)
    assert AuditEvent.objects.count() == 0
    assert triggers.installed(connection)

"""The chain: every entry linked to the one before; every kind of tampering found by `verify`."""

from __future__ import annotations

import itertools
import random
from datetime import timedelta

import pytest
from django.db import DatabaseError, connection, transaction

from refuge.audit import chain, triggers
from refuge.audit.actions import AuditDataError, record
from refuge.audit.checkpoint import Checkpoint
from refuge.audit.events import Area, EventType
from refuge.audit.models import AppendOnlyError, AuditEvent
from refuge.audit.verify import verify
from tests.audit.conftest import entries, head, set_column, tamper, triggers_lifted

pytestmark = pytest.mark.django_db


def _fill(count: int, *, actor=None) -> list[AuditEvent]:  # type: ignore[no-untyped-def]
    kinds = [EventType.CASE_CREATED, EventType.IDENTITY_REVEALED, EventType.EVENT_ADDED, EventType.LOGOUT]
    return [
        record(
            type=kinds[i % len(kinds)],
            actor=actor,
            target=("case", f"00000000-0000-4000-8000-{i:012d}"),
            fields=["at", "note"] if i % 2 else [],
            data={"n": i, "via": "test", "flags": [True, None, "x"]},
        )
        for i in range(count)
    ]


def _checkpoint() -> Checkpoint:
    report = verify()
    assert report.ok
    return Checkpoint(size=report.count, head=report.head, at="now")


def test_entries_link_from_the_genesis_hash(alice) -> None:  # type: ignore[no-untyped-def]
    start = head()
    made = _fill(4, actor=alice)
    assert [e.seq for e in made] == list(range(start + 1, start + 5))
    rows = entries()
    assert rows[0].prev_hash == chain.GENESIS
    for before, after in itertools.pairwise(rows):
        assert after.prev_hash == before.hash
    # What was hashed is what the database gives back.
    for row in rows:
        assert chain.row_hash(row.as_row()) == row.hash
    report = verify()
    assert report.ok and report.count == len(rows) and report.head == rows[-1].hash


def test_an_empty_log_verifies() -> None:
    with triggers_lifted(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditevent")
    report = verify()
    assert report.ok and report.count == 0 and report.head == chain.GENESIS


def test_event_types_sit_in_their_area_hundred() -> None:
    assert {t.area for t in EventType} == set(Area)
    for t in EventType:
        assert 100 * t.area.value < t.value < 100 * (t.area.value + 1), t
    assert EventType.IDENTITY_REVEALED.area is Area.IDENTITY


def test_the_model_refuses_to_change_or_delete_an_entry() -> None:
    entry = _fill(1)[0]
    entry.data = {"n": 2}
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(seq=entry.seq).update(type=1)
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(seq=entry.seq).delete()
    assert verify().ok


@pytest.mark.parametrize(
    "sql",
    ["UPDATE audit_auditevent SET type = 1 WHERE seq = %s", "DELETE FROM audit_auditevent WHERE seq = %s"],
    ids=["update", "delete"],
)
def test_the_database_refuses_to_change_or_delete_an_entry(sql: str) -> None:
    entry = _fill(2)[0]
    assert triggers.installed(connection)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, [entry.seq])
    assert verify().ok


def test_a_rolled_back_transaction_leaves_no_entry() -> None:
    before = head()
    with pytest.raises(RuntimeError), transaction.atomic():
        record(type=EventType.CASE_CHANGED, actor=None, data={"n": 1})
        raise RuntimeError("the action failed after recording")
    assert head() == before
    assert verify().ok


def test_record_takes_codes_and_enumerated_values_only() -> None:
    with pytest.raises(AuditDataError, match="not a code"):
        record(type=EventType.CASE_CHANGED, actor=None, data={"note": "Lives at 12 Hidden Lane, Flat 4, Vladivostok"})
    with pytest.raises(AuditDataError, match="float"):
        record(type=EventType.CASE_CHANGED, actor=None, data={"amount": 1.5})
    with pytest.raises(AuditDataError, match="not an identifier"):
        record(type=EventType.CASE_CHANGED, actor=None, data={"Testov Fiktiv": 1})
    with pytest.raises(AuditDataError, match="not an identifier"):
        record(type=EventType.CASE_CHANGED, actor=None, fields=["names; DROP"])
    with pytest.raises(AuditDataError, match="EventType"):
        record(type=202, actor=None)  # type: ignore[arg-type]  # the check under test


# --- Tampering: every edit is found, at the entry that was edited ---------------------------------

COLUMN_EDITS = {
    "type": lambda e: e.type + 1,
    "at": lambda e: e.at + timedelta(microseconds=1),
    "actor_id": lambda e: (e.actor_id or 0) + 1,
    "organisation_id": lambda e: (e.organisation_id or 0) + 7,
    "target_kind": lambda e: "user",
    "target_code": lambda e: "00000000-0000-4000-8000-999999999999",
    "fields": lambda e: '["names"]',
    "data": lambda e: '{"n": 12345}',
    "ip_hash": lambda e: "f" * 32,
    "prev_hash": lambda e: "e" * 64,
    "hash": lambda e: "d" * 64,
}


@pytest.mark.parametrize("column", list(COLUMN_EDITS))
def test_a_changed_column_of_a_random_entry_is_found(column: str) -> None:
    made = _fill(12)
    rng = random.Random(f"audit-{column}")  # noqa: S311  # picks a victim; a fixed seed replays a failure
    for _ in range(3):
        victim = rng.choice(made)
        with transaction.atomic():
            set_column(victim.seq, column, COLUMN_EDITS[column](victim))
            report = verify()
            transaction.set_rollback(True)
        assert not report.ok, f"{column} of entry {victim.seq} changed and verify saw nothing"
        assert report.problem is not None and report.problem.seq == victim.seq, report.problem
    assert verify().ok


def test_a_deleted_entry_is_found() -> None:
    made = _fill(6)
    victim = made[2]
    tamper("DELETE FROM audit_auditevent WHERE seq = %s", [victim.seq])
    report = verify()
    assert report.problem is not None and report.problem.seq == victim.seq
    assert "missing" in report.problem.reason


def test_a_deleted_first_entry_is_found() -> None:
    _fill(3)
    tamper("DELETE FROM audit_auditevent WHERE seq = 1")
    report = verify()
    assert report.problem is not None and report.problem.seq == 1


def test_an_inserted_entry_is_found() -> None:
    """A forged entry slipped in (later entries renumbered), with a correct hash of its own."""
    made = _fill(6)
    at = made[2]
    tamper("UPDATE audit_auditevent SET seq = seq + 1000 WHERE seq > %s", [at.seq])
    tamper("UPDATE audit_auditevent SET seq = seq - 999 WHERE seq > 1000")
    forged = {
        "seq": at.seq + 1,
        "at": at.at,
        "type": int(EventType.LOGOUT),
        "actor": None,
        "organisation": None,
        "target_kind": "",
        "target_code": "",
        "fields": [],
        "data": {},
        "ip_hash": "",
        "prev_hash": at.hash,
    }
    AuditEvent(
        **{k if k not in ("actor", "organisation") else f"{k}_id": v for k, v in forged.items()},
        hash=chain.entry_hash(**forged),
    ).save()
    report = verify()
    assert report.problem is not None and report.problem.seq == at.seq + 2  # the entry after the forgery


def test_an_entry_added_past_a_gap_is_found() -> None:
    made = _fill(3)
    last = made[-1]
    forged = AuditEvent(seq=last.seq + 5, at=last.at, type=int(EventType.LOGOUT), prev_hash=last.hash, hash="0" * 64)
    forged.save()
    report = verify()
    assert report.problem is not None and report.problem.seq == last.seq + 1
    assert "missing" in report.problem.reason


def test_two_swapped_entries_are_found() -> None:
    made = _fill(8)
    a, b = made[3], made[5]
    tamper("UPDATE audit_auditevent SET seq = -1 WHERE seq = %s", [a.seq])
    tamper("UPDATE audit_auditevent SET seq = %s WHERE seq = %s", [a.seq, b.seq])
    tamper("UPDATE audit_auditevent SET seq = %s WHERE seq = -1", [b.seq])
    report = verify()
    assert report.problem is not None and report.problem.seq == a.seq


def test_a_cut_tail_is_found_only_against_a_checkpoint() -> None:
    _fill(6)
    checkpoint = _checkpoint()
    tamper("DELETE FROM audit_auditevent WHERE seq > %s", [checkpoint.size - 2])
    assert verify().ok  # the chain alone cannot know what came after its end...
    report = verify(checkpoint=checkpoint)  # ...the checkpoint does
    assert report.problem is not None and report.problem.seq == checkpoint.size - 1
    assert "cut off" in report.problem.reason


def test_a_rewritten_history_is_found_against_a_checkpoint() -> None:
    """Every hash recomputed after an edit: the chain is consistent again, the checkpoint is not."""
    made = _fill(6)
    checkpoint = _checkpoint()
    victim = made[1]
    set_column(victim.seq, "type", int(EventType.LOGOUT))
    for row in entries():
        if row.seq < victim.seq:
            continue
        prev = AuditEvent.objects.filter(seq=row.seq - 1).values_list("hash", flat=True).first() or chain.GENESIS
        set_column(row.seq, "prev_hash", prev)
        fresh = AuditEvent.objects.get(seq=row.seq)
        set_column(row.seq, "hash", chain.row_hash(fresh.as_row()))
    assert verify().ok
    report = verify(checkpoint=checkpoint)
    assert report.problem is not None and report.problem.seq == checkpoint.size
    assert "rewritten" in report.problem.reason


def test_a_log_that_grew_after_its_checkpoint_still_holds_it() -> None:
    _fill(3)
    checkpoint = _checkpoint()
    _fill(3)
    assert verify(checkpoint=checkpoint).ok


def test_verify_reads_in_batches_across_a_problem() -> None:
    made = _fill(9)
    set_column(made[-2].seq, "data", '{"n": 1}')
    report = verify(batch=2)
    assert report.problem is not None and report.problem.seq == made[-2].seq
    assert report.count == made[-2].seq - 1

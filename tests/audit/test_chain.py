"""The chain: every entry linked to the one before; every kind of tampering found by `verify`."""

from __future__ import annotations

import itertools
import random
from datetime import timedelta

import pytest
from django.db import DatabaseError, connection, transaction

from refuge.audit import chain, triggers
from refuge.audit.actions import AuditDataError, record, record_many
from refuge.audit.checkpoint import Checkpoint, Mark
from refuge.audit.events import Area, EventType
from refuge.audit.models import AppendOnlyError, AuditEvent, AuditHead
from refuge.audit.verify import verify
from tests.audit.conftest import head, set_column, tamper, triggers_lifted

pytestmark = pytest.mark.django_db


def _fill(count: int, *, actor=None) -> list[AuditEvent]:
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
    return Checkpoint(
        chains=tuple(Mark(chain=c.chain, first=1, last=c.count, head=c.head) for c in report.chains), at="now"
    )


def _server() -> list[AuditEvent]:
    """The server chain's entries, in order (what _fill() writes: no actor, no organisation)."""
    return list(AuditEvent.objects.filter(chain=chain.SERVER_CHAIN).order_by("seq"))


def test_entries_link_from_the_genesis_hash(alice) -> None:
    made = _fill(4, actor=alice)
    org = alice.membership().organisation_id
    assert {e.chain for e in made} == {org}
    rows = list(AuditEvent.objects.filter(chain=org).order_by("seq"))
    assert [r.seq for r in rows] == list(range(1, len(rows) + 1))
    assert rows[0].prev_hash == chain.GENESIS
    for before, after in itertools.pairwise(rows):
        assert after.prev_hash == before.hash
    # What was hashed is what the database gives back.
    for row in rows:
        assert chain.row_hash(row.as_row()) == row.hash
    report = verify()
    assert report.ok and report.of(org).count == len(rows) and report.of(org).head == rows[-1].hash


def test_each_organisation_has_its_own_chain_from_1(alice, carol) -> None:
    ours, theirs = alice.membership().organisation_id, carol.membership().organisation_id
    for i in range(3):
        record(type=EventType.CASE_CHANGED, actor=alice, data={"n": i})
        record(type=EventType.CASE_CHANGED, actor=carol, data={"n": i})
    record(type=EventType.VAULT_SEALED, actor=None)
    for number in (ours, theirs, chain.SERVER_CHAIN):
        seqs = list(AuditEvent.objects.filter(chain=number).order_by("seq").values_list("seq", flat=True))
        assert seqs == list(range(1, len(seqs) + 1)) and seqs
    report = verify()
    assert report.ok and {ours, theirs, chain.SERVER_CHAIN} <= {c.chain for c in report.chains}


def test_an_empty_log_verifies() -> None:
    with triggers_lifted(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditevent")
        cursor.execute("DELETE FROM audit_audithead")
    report = verify()
    assert report.ok and report.count == 0 and report.chains == []


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
        AuditEvent.objects.filter(pk=entry.pk).update(type=1)
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=entry.pk).delete()
    assert verify().ok


@pytest.mark.parametrize(
    "sql",
    ["UPDATE audit_auditevent SET type = 1 WHERE id = %s", "DELETE FROM audit_auditevent WHERE id = %s"],
    ids=["update", "delete"],
)
def test_the_database_refuses_to_change_or_delete_an_entry(sql: str) -> None:
    entry = _fill(2)[0]
    assert triggers.installed(connection)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, [entry.pk])
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
            set_column(victim.pk, column, COLUMN_EDITS[column](victim))
            report = verify()
            transaction.set_rollback(True)
        assert not report.ok, f"{column} of entry {victim.seq} changed and verify saw nothing"
        assert report.problem is not None and report.problem.seq == victim.seq, report.problem
    assert verify().ok


def test_a_deleted_entry_is_found() -> None:
    made = _fill(6)
    victim = made[2]
    tamper("DELETE FROM audit_auditevent WHERE id = %s", [victim.pk])
    report = verify()
    assert report.problem is not None and report.problem.seq == victim.seq
    assert "missing" in report.problem.reason


def test_a_deleted_first_entry_is_found() -> None:
    _fill(3)
    tamper("DELETE FROM audit_auditevent WHERE chain = 0 AND seq = 1")
    report = verify()
    assert report.problem is not None and report.problem.seq == 1


def _forge(*, seq: int, prev: str, organisation: int | None = None) -> AuditEvent:
    """An entry with a correct hash of its own, as someone who knows the format would write it."""
    last = _server()[-1]
    forged = {
        "chain": chain.chain_of(organisation),
        "seq": seq,
        "at": last.at,
        "type": int(EventType.LOGOUT),
        "actor": None,
        "organisation": organisation,
        "target_kind": "",
        "target_code": "",
        "fields": [],
        "data": {},
        "ip_hash": "",
        "prev_hash": prev,
    }
    entry = AuditEvent(
        **{k if k not in ("actor", "organisation") else f"{k}_id": v for k, v in forged.items()},
        hash=chain.entry_hash(**forged),
    )
    entry.save()
    return entry


def test_an_inserted_entry_is_found() -> None:
    """A forged entry slipped in (later entries renumbered), with a correct hash of its own."""
    made = _fill(6)
    at = made[2]
    tamper("UPDATE audit_auditevent SET seq = seq + 1000 WHERE chain = 0 AND seq > %s", [at.seq])
    tamper("UPDATE audit_auditevent SET seq = seq - 999 WHERE chain = 0 AND seq > 1000")
    _forge(seq=at.seq + 1, prev=at.hash)
    report = verify()
    assert report.problem is not None and report.problem.seq == at.seq + 2  # the entry after the forgery


@pytest.mark.parametrize("seq", [0, -1, -1000])
def test_a_forged_entry_numbered_zero_or_below_is_found(seq: int) -> None:
    """Rows below 1 were never read, so they passed: they are a forgery wherever they sit."""
    _fill(3)
    _forge(seq=seq, prev=chain.GENESIS)
    report = verify()
    assert not report.ok
    assert report.problem is not None and report.problem.seq == 1 and "forged" in report.problem.reason


def test_a_forged_entry_numbered_zero_fails_with_a_checkpoint_too() -> None:
    _fill(3)
    checkpoint = _checkpoint()
    _forge(seq=0, prev=chain.GENESIS)
    assert not verify(checkpoint=checkpoint).ok


def test_an_entry_added_past_a_gap_is_found() -> None:
    made = _fill(3)
    last = made[-1]
    _forge(seq=last.seq + 5, prev=last.hash)
    report = verify()
    assert report.problem is not None and report.problem.seq == last.seq + 1
    assert "missing" in report.problem.reason


def test_an_entry_moved_to_another_chain_is_found(alice) -> None:
    _fill(3)
    org = alice.membership().organisation_id
    victim = _server()[1]
    set_column(victim.pk, "chain", org)
    report = verify()
    assert not report.ok
    assert {c.chain for c in report.chains if not c.ok} == {chain.SERVER_CHAIN, org}


def test_two_swapped_entries_are_found() -> None:
    made = _fill(8)
    a, b = made[3], made[5]
    tamper("UPDATE audit_auditevent SET seq = -1 WHERE id = %s", [a.pk])
    tamper("UPDATE audit_auditevent SET seq = %s WHERE id = %s", [a.seq, b.pk])
    tamper("UPDATE audit_auditevent SET seq = %s WHERE id = %s", [b.seq, a.pk])
    report = verify()
    assert report.problem is not None and report.problem.seq == a.seq


def test_a_cut_tail_is_found_by_the_head_row() -> None:
    made = _fill(6)
    tamper("DELETE FROM audit_auditevent WHERE chain = 0 AND seq > %s", [made[-1].seq - 2])
    report = verify()
    assert report.problem is not None and report.problem.seq == made[-1].seq - 1
    assert "cut off" in report.problem.reason


def test_a_cut_tail_with_its_head_rewritten_is_found_only_against_a_checkpoint() -> None:
    _fill(6)
    checkpoint = _checkpoint()
    last = checkpoint.chains[0].last
    tamper("DELETE FROM audit_auditevent WHERE chain = 0 AND seq > %s", [last - 2])
    keep = _server()[-1]
    with connection.cursor() as cursor:
        cursor.execute("UPDATE audit_audithead SET seq = %s, hash = %s WHERE chain = 0", [keep.seq, keep.hash])
    assert verify().ok  # the chain and its head alone cannot know what came after its end...
    report = verify(checkpoint=checkpoint)  # ...the checkpoint does
    assert report.problem is not None and report.problem.seq == last - 1
    assert "cut off" in report.problem.reason


def test_a_whole_chain_removed_is_found_against_a_checkpoint(alice) -> None:
    _fill(2)
    record(type=EventType.CASE_CHANGED, actor=alice, data={"n": 1})
    checkpoint = _checkpoint()
    org = alice.membership().organisation_id
    tamper("DELETE FROM audit_auditevent WHERE chain = %s", [org])
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_audithead WHERE chain = %s", [org])
    assert verify().ok
    report = verify(checkpoint=checkpoint)
    assert report.problem is not None and report.problem.chain == org and "cut off" in report.problem.reason


def _rewrite_from(victim: AuditEvent) -> None:
    """Recompute every hash and link from the victim on, and the head: the chain is consistent again."""
    for row in _server():
        if row.seq < victim.seq:
            continue
        prev = (
            AuditEvent.objects.filter(chain=0, seq=row.seq - 1).values_list("hash", flat=True).first() or chain.GENESIS
        )
        set_column(row.pk, "prev_hash", prev)
        fresh = AuditEvent.objects.get(pk=row.pk)
        set_column(row.pk, "hash", chain.row_hash(fresh.as_row()))
    last = _server()[-1]
    with connection.cursor() as cursor:
        cursor.execute("UPDATE audit_audithead SET seq = %s, hash = %s WHERE chain = 0", [last.seq, last.hash])


def test_a_rewritten_history_is_found_against_a_checkpoint() -> None:
    """Every hash recomputed after an edit: the chain is consistent again, the checkpoint is not."""
    made = _fill(6)
    checkpoint = _checkpoint()
    victim = made[1]
    set_column(victim.pk, "type", int(EventType.LOGOUT))
    _rewrite_from(victim)
    assert verify().ok
    report = verify(checkpoint=checkpoint)
    assert report.problem is not None and report.problem.seq == checkpoint.chains[0].last
    assert "rewritten" in report.problem.reason


def test_a_log_that_grew_after_its_checkpoint_still_holds_it() -> None:
    _fill(3)
    checkpoint = _checkpoint()
    _fill(3)
    assert verify(checkpoint=checkpoint).ok


def test_verify_reads_in_batches_across_a_problem() -> None:
    made = _fill(9)
    set_column(made[-2].pk, "data", '{"n": 1}')
    report = verify(batch=2)
    assert report.problem is not None and report.problem.seq == made[-2].seq
    assert report.of(0).count == made[-2].seq - 1


def test_many_entries_appended_as_one_segment_link_as_one_by_one_appends_do(alice) -> None:
    _fill(2, actor=alice)  # the segment continues a chain that already has entries
    org = alice.membership().organisation_id
    targets = [("case", f"00000000-0000-4000-8000-{i:012d}") for i in range(5)] + [("case", "server-side")]
    made = record_many(
        type=EventType.CASE_CREATED,
        actor=alice,
        targets=targets,
        data=[{"via": "import", "events": i} for i in range(6)],
    )
    assert [e.target_code for e in made] == [code for _, code in targets]  # in the order given
    assert [e.data["events"] for e in made] == list(range(6))
    rows = list(AuditEvent.objects.filter(chain=org).order_by("seq"))
    assert [r.seq for r in rows] == list(range(1, 9))
    for before, after in itertools.pairwise(rows):
        assert after.prev_hash == before.hash
    assert AuditHead.objects.filter(chain=org).values_list("seq", "hash").get() == (8, rows[-1].hash)
    record(type=EventType.LOGOUT, actor=alice)  # and a one-by-one append continues after it
    report = verify()
    assert report.ok, report.problem
    assert AuditEvent.objects.filter(chain=org).count() == 9

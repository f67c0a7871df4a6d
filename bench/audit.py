"""Audit log: time to verify a long chain, and the cost of one append.

    python -m bench.audit [--entries 1000000] [--appends 500] [--data-dir DIR] [--seed 7]

1. Makes a fresh SQLite database (Refuge's own settings and migrations) in a temporary data
   directory (or DIR, which must not hold a database yet).
2. Fills the log with ``--entries`` fictional entries in one bulk insert, each hashed and chained
   exactly as ``refuge.audit.actions.record`` does (the same ``chain.entry_hash``), with a
   realistic mix: reveals of identity and case changes with case and event codes, logins with
   address hashes, a few vault operations.
3. Times ``refuge.audit.verify.verify()``, the function behind ``refuge audit verify``: reading
   every entry back through the ORM in key order, recomputing every hash and link. Then edits one
   entry near the end behind the triggers' back and checks that verify finds it.
4. Times ``--appends`` calls of ``record()``, each its own transaction, as a request pays it.

Target: verifying 1,000,000 entries takes under 60 s.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bench.common import SQLITE_FILE, machine_info, setup_django

TARGET_SECONDS = 60.0
BATCH = 10_000


def _kinds() -> list[tuple[int, int]]:
    """(event type, weight): what a working office's log is mostly made of."""
    from refuge.audit.events import EventType as T  # noqa: PLC0415  # after Django is set up

    return [
        (T.IDENTITY_REVEALED, 40),
        (T.LOGIN_SUCCEEDED, 10),
        (T.LOGOUT, 6),
        (T.EVENT_ADDED, 15),
        (T.EVENT_CHANGED, 8),
        (T.PERSON_CHANGED, 4),
        (T.DOCUMENT_UPLOADED, 4),
        (T.DOCUMENT_DOWNLOADED, 6),
        (T.CASE_CREATED, 3),
        (T.TEAM_CHANGED, 2),
        (T.LOGIN_FAILED, 1),
        (T.CASE_EXPORTED, 1),
    ]


def _entry(rng: random.Random, kind: int, cases: list[str], users: int) -> dict[str, Any]:
    """The content of one fictional entry (codes and enumerated values, as record() allows)."""
    from refuge.audit.actions import IDENTITY_FIELDS  # noqa: PLC0415  # after Django is set up
    from refuge.audit.events import EventType as T  # noqa: PLC0415

    actor: int | None = rng.randint(1, users)
    org: int | None = 1
    target_kind, target_code = "case", rng.choice(cases)
    fields: list[str] = []
    data: dict[str, Any] = {}
    ip_hash = ""
    if kind in (T.LOGIN_SUCCEEDED, T.LOGOUT):
        target_kind, target_code = "user", str(uuid.UUID(int=actor or 0))
        ip_hash = f"{rng.getrandbits(128):032x}"
    elif kind == T.LOGIN_FAILED:
        actor, org, target_kind, target_code = None, None, "", ""
        data = {"username_hmac": f"{rng.getrandbits(128):032x}"}
        ip_hash = f"{rng.getrandbits(128):032x}"
    elif kind == T.IDENTITY_REVEALED:
        fields = list(IDENTITY_FIELDS)
        data = {"via": rng.choice(["case_page", "case_page", "person_form", "document_download"])}
        ip_hash = f"{rng.getrandbits(128):032x}"
    elif kind in (T.EVENT_ADDED, T.EVENT_CHANGED):
        fields = ["at", "attributes", "source", "note"]
        data = {"event": str(uuid.UUID(int=rng.getrandbits(128))), "event_type": "decision_issued"}
    elif kind == T.PERSON_CHANGED:
        fields = ["names", "birth_date", "contact_notes", "location_notes", "document_numbers"]
    elif kind in (T.DOCUMENT_UPLOADED, T.DOCUMENT_DOWNLOADED):
        data = {"document": str(uuid.UUID(int=rng.getrandbits(128))), "doc_type": "decision", "size": 48213}
    elif kind == T.CASE_CREATED:
        data = {"via": "intake", "events": 3}
    elif kind == T.TEAM_CHANGED:
        data = {"members": [str(uuid.UUID(int=rng.getrandbits(128))) for _ in range(2)]}
    else:
        data = {"via": "export_command"}
    return {
        "type": int(kind),
        "actor": actor,
        "organisation": org,
        "target_kind": target_kind,
        "target_code": target_code,
        "fields": fields,
        "data": data,
        "ip_hash": ip_hash,
    }


def fill(entries: int, *, seed: int) -> float:
    """Bulk-insert `entries` chained entries; returns the seconds it took."""
    from django.db import connection, transaction  # noqa: PLC0415  # after Django is set up

    from refuge.audit import chain  # noqa: PLC0415

    rng = random.Random(seed)
    kinds, weights = zip(*_kinds(), strict=True)
    cases = [str(uuid.UUID(int=rng.getrandbits(128))) for _ in range(5_000)]
    at = datetime(2024, 1, 1, tzinfo=UTC)
    heads: dict[int, tuple[int, str]] = {}
    adapt = connection.ops.adapt_datetimefield_value
    sql = (
        "INSERT INTO audit_auditevent (chain, seq, at, type, actor_id, organisation_id, target_kind, target_code,"
        " fields, data, ip_hash, prev_hash, hash) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)"
    )
    started = time.perf_counter()
    done = 0
    with transaction.atomic(), connection.cursor() as cursor:
        while done < entries:
            rows = []
            for kind in rng.choices(kinds, weights, k=min(BATCH, entries - done)):
                done += 1
                at += timedelta(microseconds=rng.randint(1, 60_000_000))
                e = _entry(rng, kind, cases, users=300)
                number = chain.chain_of(e["organisation"])
                seq, prev = heads.get(number, (0, chain.GENESIS))
                seq += 1
                digest = chain.entry_hash(chain=number, seq=seq, at=at, prev_hash=prev, **e)
                heads[number] = (seq, digest)
                rows.append(
                    (
                        number,
                        seq,
                        adapt(at),
                        e["type"],
                        e["actor"],
                        e["organisation"],
                        e["target_kind"],
                        e["target_code"],
                        json.dumps(e["fields"]),
                        json.dumps(e["data"]),
                        e["ip_hash"],
                        prev,
                        digest,
                    )
                )
            cursor.executemany(sql, rows)
            print(f"\r  filled {done:,} / {entries:,}", end="", file=sys.stderr, flush=True)
        cursor.executemany(
            "INSERT INTO audit_audithead (chain, seq, hash) VALUES (%s, %s, %s)",
            [(number, seq, digest) for number, (seq, digest) in heads.items()],
        )
    print(file=sys.stderr)
    return time.perf_counter() - started


def time_verify() -> tuple[float, float, Any]:
    """(wall seconds, CPU seconds, report) of one full verify."""
    from refuge.audit.verify import verify  # noqa: PLC0415  # after Django is set up

    wall, cpu = time.perf_counter(), time.process_time()
    report = verify()
    return time.perf_counter() - wall, time.process_time() - cpu, report


def tamper_is_found(entries: int) -> bool:
    """Change one entry near the end (the triggers lifted) and check that verify names it."""
    from django.db import connection  # noqa: PLC0415  # after Django is set up

    from refuge.audit import triggers  # noqa: PLC0415
    from refuge.audit.verify import verify  # noqa: PLC0415

    victim = max(1, entries - 10)
    triggers.drop(connection)
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT chain, seq FROM audit_auditevent WHERE id = %s", [victim])
            number, victim = cursor.fetchone()
            cursor.execute("UPDATE audit_auditevent SET type = 103 WHERE chain = %s AND seq = %s", [number, victim])
    finally:
        triggers.install(connection)
    report = verify()
    return report.problem is not None and report.problem.seq == victim


def time_appends(count: int) -> float:
    """Mean milliseconds of one record() in a transaction of its own (what a request pays)."""
    from refuge.audit.actions import record  # noqa: PLC0415  # after Django is set up
    from refuge.audit.events import EventType  # noqa: PLC0415

    started = time.perf_counter()
    for i in range(count):
        record(
            type=EventType.IDENTITY_REVEALED,
            actor=None,
            target=("case", "00000000-0000-4000-8000-000000000001"),
            fields=["names"],
            data={"via": "bench", "n": i},
        )
    return (time.perf_counter() - started) / max(count, 1) * 1000


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.audit", description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=1_000_000, help="entries in the chain (default 1,000,000)")
    parser.add_argument("--appends", type=int, default=500, help="record() calls to time (default 500)")
    parser.add_argument("--data-dir", type=Path, help="REFUGE_DATA_DIR for the database (default: a temporary one)")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)

    temporary = None
    if args.data_dir is None:
        temporary = tempfile.TemporaryDirectory(prefix="refuge-bench-audit-")
        args.data_dir = Path(temporary.name)
    if (args.data_dir / SQLITE_FILE).exists():
        parser.error(f"{args.data_dir / SQLITE_FILE} exists: the benchmark needs a fresh database")
    args.data_dir.mkdir(parents=True, exist_ok=True)
    try:
        setup_django(args.data_dir, None)
        from django.core.management import call_command  # noqa: PLC0415  # after Django is set up

        call_command("migrate", verbosity=0)
        filled = fill(args.entries, seed=args.seed)
        size = (args.data_dir / SQLITE_FILE).stat().st_size
        wall, cpu, report = time_verify()
        found = tamper_is_found(args.entries)
        append_ms = time_appends(args.appends)
    finally:
        if temporary is not None:
            temporary.cleanup()

    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"python {platform.python_version()} on {platform.machine()}, {os.cpu_count()} cores, load {load}")
    for name, value in machine_info("sqlite", "(file, WAL, synchronous=FULL)"):
        print(f"  {name}: {value}")
    rate = args.entries / filled
    print(f"filled {args.entries:,} entries in {filled:.1f} s ({rate:,.0f} /s); database {size / 2**20:.0f} MiB")
    status = "OK" if report.ok and report.count == args.entries else f"FAILED ({report.problem})"
    print(
        f"verify: {status}, {report.count:,} entries in {wall:.1f} s wall, {cpu:.1f} s CPU "
        f"({report.count / wall:,.0f} entries/s; {wall / max(report.count, 1) * 1e6:.1f} µs each)"
    )
    print(f"one entry changed near the end: {'found' if found else 'NOT FOUND'} by verify")
    print(f"record(): {append_ms:.2f} ms per append in its own transaction (mean of {args.appends})")
    met = report.ok and found and wall < TARGET_SECONDS
    verdict = "met" if met else "NOT met"
    print(f"target: verify {args.entries:,} entries in under {TARGET_SECONDS:.0f} s — {verdict}")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())

"""The hash chains, without Django: the canonical form of an entry, its hash, and the walk that checks them.

There is one chain per organisation (numbered by the organisation's key) and one for the server's
own events (chain 0: the vault, commands, failed logins of unknown names). Each starts at seq 1
and has no gaps. Entry n's hash is SHA-256 over a domain tag and the canonical JSON of its
content, which includes its chain and entry n-1's hash (`prev`). Changing, removing, inserting
or moving one entry therefore breaks the link of the entry itself or of the one after it; only
rewriting every later entry hides it, and a signed checkpoint (each chain's last seq and head
hash) held outside the server exposes that rewrite.

The canonical form is a JSON array (field order fixed by position), compact, keys of `data`
sorted, non-ASCII kept as UTF-8; the time is UTC with microseconds. Both SQLite and PostgreSQL
give back exactly what was written for every member, so the hash is the same on either.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

FORMAT = "refuge.audit/2"
GENESIS = "0" * 64  # the `prev` of entry 1 of every chain
SERVER_CHAIN = 0  # the chain of entries that belong to no organisation
_TAG = FORMAT.encode() + b"\n"
_dumps = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode

JSONScalar = str | int | bool | None
JSONValue = JSONScalar | list[JSONScalar]


@dataclass(frozen=True, slots=True)
class Row:
    """One entry as stored (the order of `ROW_FIELDS`)."""

    chain: int
    seq: int
    at: datetime
    type: int
    actor: int | None
    organisation: int | None
    target_kind: str
    target_code: str
    fields: Sequence[str]
    data: Mapping[str, JSONValue]
    ip_hash: str
    prev_hash: str
    hash: str


# The model's column names, in the order of Row.
ROW_FIELDS = (
    "chain",
    "seq",
    "at",
    "type",
    "actor_id",
    "organisation_id",
    "target_kind",
    "target_code",
    "fields",
    "data",
    "ip_hash",
    "prev_hash",
    "hash",
)


def canonical_time(at: datetime) -> str:
    if at.tzinfo is None:
        raise ValueError("audit times are aware datetimes")
    return at.astimezone(UTC).isoformat(timespec="microseconds")


def chain_of(organisation: int | None) -> int:
    """The chain an entry of this organisation (None: of the server) belongs to."""
    return SERVER_CHAIN if organisation is None else int(organisation)


def entry_hash(
    *,
    chain: int,
    seq: int,
    at: datetime,
    type: int,
    actor: int | None,
    organisation: int | None,
    target_kind: str,
    target_code: str,
    fields: Sequence[str],
    data: Mapping[str, JSONValue],
    ip_hash: str,
    prev_hash: str,
) -> str:
    """The hex SHA-256 of an entry's canonical form (its `prev_hash` included)."""
    body = _dumps(
        [
            chain,
            seq,
            canonical_time(at),
            type,
            actor,
            organisation,
            target_kind,
            target_code,
            list(fields),
            data,
            ip_hash,
            prev_hash,
        ]
    )
    return hashlib.sha256(_TAG + body.encode("utf-8")).hexdigest()


def row_hash(row: Row) -> str:
    return entry_hash(
        chain=row.chain,
        seq=row.seq,
        at=row.at,
        type=row.type,
        actor=row.actor,
        organisation=row.organisation,
        target_kind=row.target_kind,
        target_code=row.target_code,
        fields=row.fields,
        data=row.data,
        ip_hash=row.ip_hash,
        prev_hash=row.prev_hash,
    )


@dataclass(frozen=True, slots=True)
class Problem:
    seq: int  # the first entry found bad (or, for a checkpoint, the entry it names)
    reason: str
    chain: int = SERVER_CHAIN

    def __str__(self) -> str:
        return f"chain {self.chain} entry {self.seq}: {self.reason}"


class Walker:
    """Checks the entries of one chain fed in seq order, stopping at the first bad one.

    Every seq is checked, zero and negative ones included: the chain is 1, 2, 3, ... exactly.
    `watch` is a checkpoint's last seq: the hash of that entry is kept in `watched_hash`.
    """

    def __init__(self, *, chain: int = SERVER_CHAIN, watch: int | None = None) -> None:
        self.chain = chain
        self.count = 0
        self.head = GENESIS
        self.problem: Problem | None = None
        self.watch = watch
        self.watched_hash: str | None = GENESIS if watch == 0 else None

    def feed(self, rows: Iterable[Row]) -> bool:
        """Check these rows; False once a bad entry is found (feed no more)."""
        if self.problem is not None:
            return False
        expected = self.count + 1
        head = self.head
        for row in rows:
            problem = None
            if row.chain != self.chain:
                problem = Problem(expected, f"an entry of chain {row.chain} was read in this chain", self.chain)
            elif row.seq != expected:
                if row.seq < 1:
                    what = "forged (a chain starts at 1)"
                else:
                    what = "missing" if row.seq > expected else "duplicated or out of order"
                problem = Problem(expected, f"the next entry found is {row.seq}: entries are {what}", self.chain)
            elif chain_of(row.organisation) != row.chain:
                problem = Problem(row.seq, "its organisation is not its chain's (the entry was moved)", self.chain)
            elif row.prev_hash != head:
                problem = Problem(row.seq, "its link to the entry before does not match that entry's hash", self.chain)
            elif row_hash(row) != row.hash:
                problem = Problem(row.seq, "its content does not match its hash (the entry was changed)", self.chain)
            if problem is not None:
                self.count, self.head, self.problem = expected - 1, head, problem
                return False
            head = row.hash
            if expected == self.watch:
                self.watched_hash = head
            expected += 1
        self.count = expected - 1
        self.head = head
        return True


def walk(rows: Iterable[Row], *, chain: int = SERVER_CHAIN, watch: int | None = None) -> Walker:
    walker = Walker(chain=chain, watch=watch)
    walker.feed(rows)
    return walker

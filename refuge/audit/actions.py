"""Appending to the audit log: `record(...)`, inside the transaction of what it records (STYLE.md §2).

Each organisation has its own chain, and the server one for entries of no organisation
(refuge/audit/chain.py). Appends to one chain serialise on that chain's head row only: one
conditional `UPDATE ... SET seq = seq + 1 ... RETURNING` takes the row's lock and the next
position, the entry is inserted, and the head gets its hash. The row lock lasts until the
caller's transaction ends (so a rolled-back change leaves no gap); appends to other chains do not
wait for it. On SQLite every transaction begins IMMEDIATE (settings.py) and the database's one
writer lock serialises everything anyway. The unique (chain, seq) constraint is the backstop.

An entry carries codes, enumerated values and field names, never a decrypted value: `data` is
checked here (identifier keys; short strings without spaces, integers, booleans, or lists of them).
"""

from __future__ import annotations

import dataclasses
import re
import uuid
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from django.db import connections, router, transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac

from refuge.audit import chain
from refuge.audit.events import EventType
from refuge.audit.models import AuditEvent

if TYPE_CHECKING:
    from django.http import HttpRequest

MAX_STRING = 64  # a UUID is 36, a SHA-256 in hex 64: longer is not a code
_IDENTIFIER = re.compile(r"[a-z][a-z0-9_]{0,39}")
_SPACE = re.compile(r"\s")  # a code has none; a name, an address or a note usually does

# What a reveal of identity shows (the case page, the client's form).
IDENTITY_FIELDS = ("names", "birth_date", "document_numbers", "contact_notes", "location_notes")

Target = Any  # a model instance with a `code` (Case, User, ...), a (kind, code) pair, or None


class AuditDataError(ValueError):
    """What was to be recorded is not codes and enumerated values."""


def keyed_hash(purpose: str, value: str) -> str:
    """A keyed hash (HMAC-SHA256 under SECRET_KEY) that recognises a value without revealing it."""
    digest: str = salted_hmac(f"refuge.audit.{purpose}", value, algorithm="sha256").hexdigest()
    return digest[:32]


def client_ip_hash(request: HttpRequest | None) -> str:
    """The keyed hash of the request's peer address (REMOTE_ADDR; proxies' headers can be forged)."""
    if request is None:
        return ""
    address = str(request.META.get("REMOTE_ADDR") or "")
    return keyed_hash("ip", address) if address else ""


def _check_value(key: str, value: object) -> chain.JSONValue:
    if isinstance(value, list | tuple):
        return [_check_scalar(key, item) for item in value]
    return _check_scalar(key, value)


def _check_scalar(key: str, value: object) -> chain.JSONScalar:
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int):
        return int(value)  # an IntEnum member is stored, and hashed, as its number
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, str):
        if len(value) > MAX_STRING or _SPACE.search(value):
            raise AuditDataError(f"audit data {key!r}: {len(value)} characters, or spaces: not a code")
        return str.__str__(value)  # a str enum member as its plain value
    raise AuditDataError(f"audit data {key!r}: {type(value).__name__} is not a code or an enumerated value")


def clean_data(data: Mapping[str, object] | None) -> dict[str, chain.JSONValue]:
    cleaned: dict[str, chain.JSONValue] = {}
    for key, value in (data or {}).items():
        if not _IDENTIFIER.fullmatch(key):
            raise AuditDataError(f"audit data key {key!r} is not an identifier")
        cleaned[key] = _check_value(key, value)
    return cleaned


def clean_fields(fields: Sequence[str]) -> list[str]:
    for name in fields:
        if not _IDENTIFIER.fullmatch(name):
            raise AuditDataError(f"audit field name {name!r} is not an identifier")
    return list(fields)


def _target(target: Target) -> tuple[str, str]:
    if target is None:
        return "", ""
    if isinstance(target, tuple):
        kind, code = target
        return str(kind), str(code)
    kind = str(target._meta.model_name)
    return kind, str(target.code)


def _organisation_id(target: Target, actor: Any) -> int | None:
    """The organisation an entry belongs to: the target's, else the actor's."""
    for obj in (target, actor):
        if obj is None or isinstance(obj, tuple):
            continue
        org_id = getattr(obj, "organisation_id", None)
        if org_id is not None:
            return int(org_id)
        membership = getattr(obj, "membership", None)
        if callable(membership):
            member = membership()
            if member is not None:
                return int(member.organisation_id)
    return None


_ADVANCE = "UPDATE audit_audithead SET seq = seq + %s WHERE chain = %s RETURNING seq, hash"
_START = "INSERT INTO audit_audithead (chain, seq, hash) VALUES (%s, 0, %s) ON CONFLICT (chain) DO NOTHING"
_LINK = "UPDATE audit_audithead SET hash = %s WHERE chain = %s"


def _advance(cursor: Any, number: int, count: int = 1) -> tuple[int, str]:
    """Lock this chain's head and take its next `count` positions: (the first seq, the previous entry's hash)."""
    cursor.execute(_ADVANCE, [count, number])
    head = cursor.fetchone()
    if head is None:  # the chain's first entry: make its head (a racing first append waits on it)
        cursor.execute(_START, [number, chain.GENESIS])
        cursor.execute(_ADVANCE, [count, number])
        head = cursor.fetchone()
    return int(head[0]) - count + 1, str(head[1])


def record(
    *,
    type: EventType,  # the brief's and the model's word (a keyword, so shadowing is harmless)
    actor: Any,
    target: Target = None,
    fields: Sequence[str] = (),
    data: Mapping[str, object] | None = None,
    request: HttpRequest | None = None,
    organisation: Any = None,
) -> AuditEvent:
    """Append one entry, in the caller's transaction (or a transaction of its own outside one).

    `actor` is the acting user (None for the system); `target` a model instance with a `code`, or
    a (kind, code) pair; `organisation` defaults to the target's, then the actor's.
    """
    return record_many(
        type=type, actor=actor, targets=[target], fields=fields, data=[data], request=request, organisation=organisation
    )[0]


def record_many(
    *,
    type: EventType,  # as record's
    actor: Any,
    targets: Sequence[Target],
    data: Sequence[Mapping[str, object] | None],
    fields: Sequence[str] = (),
    request: HttpRequest | None = None,
    organisation: Any = None,
) -> list[AuditEvent]:
    """`record` for many entries of one type by one actor (`targets[i]` with `data[i]`), in order.

    The entries and their hashes are those that as many calls of `record` would append, but each
    chain's head is locked and moved once, and its new entries are inserted together: one segment
    of the chain (`refuge import` writes one entry per case this way)."""
    if not isinstance(type, EventType):
        raise AuditDataError(f"{type!r} is not an EventType")
    if len(targets) != len(data):
        raise AuditDataError("one data mapping per target")
    names = clean_fields(fields)
    actor_id = actor.pk if actor is not None and getattr(actor, "is_authenticated", False) else None
    ip_hash = client_ip_hash(request)
    segments: dict[int, list[tuple[int, int | None, str, str, dict[str, Any]]]] = {}
    for index, (target, payload) in enumerate(zip(targets, data, strict=True)):
        kind, code = _target(target)
        org_id = int(organisation.pk) if organisation is not None else _organisation_id(target, actor)
        segments.setdefault(chain.chain_of(org_id), []).append((index, org_id, kind, code, clean_data(payload)))
    using = router.db_for_write(AuditEvent)
    made: list[tuple[int, AuditEvent]] = []
    with transaction.atomic(using=using), connections[using].cursor() as cursor:
        for number, items in segments.items():
            seq, prev = _advance(cursor, number, len(items))
            entries = []
            now = timezone.now()
            for index, org_id, kind, code, payload in items:
                row = chain.Row(
                    chain=number,
                    seq=seq,
                    at=now,
                    type=int(type),
                    actor=actor_id,
                    organisation=org_id,
                    target_kind=kind,
                    target_code=code,
                    fields=names,
                    data=payload,
                    ip_hash=ip_hash,
                    prev_hash=prev,
                    hash="",  # computed over the rest just below
                )
                values = [getattr(row, f.name) for f in dataclasses.fields(row)]
                entry = AuditEvent(**dict(zip(chain.ROW_FIELDS, values, strict=True)))
                entry.hash = prev = chain.row_hash(row)
                entries.append(entry)
                made.append((index, entry))
                seq += 1
            if len(entries) == 1:
                entries[0].save(using=using)
            else:
                AuditEvent.objects.using(using).bulk_create(entries)
            cursor.execute(_LINK, [prev, number])
    return [entry for _, entry in sorted(made, key=lambda pair: pair[0])]

"""Insert many new rows at once, faster than `bulk_create`, for `refuge import`.

`insert_new(objs)` writes model instances not yet saved with one `executemany` per chunk (on
PostgreSQL, from COPY_FROM rows, one COPY), after giving them their ids (so that rows pointing at
them can follow in the same transaction). Each field's value is made as Django's own save would
make it (a vault field encrypts its plaintext through its `pre_save`; `auto_now` fields get the
time; dates, instants, JSON and UUIDs are adapted by the backend's own adapters) but without the
per-value machinery of `bulk_create`, which prepares every value through several layers of calls
and reads the ids back.

Ids: PostgreSQL hands out the next values of the table's own sequence (as an insert would, safe
with other writers); SQLite continues after the highest id the table ever had (its AUTOINCREMENT
counter), which is safe because the caller's transaction already holds SQLite's one write lock
(call it inside a transaction that has written). Signals (`post_save`) are not sent, as with
`bulk_create`.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from datetime import datetime, tzinfo
from typing import Any
from uuid import UUID

from django.conf import settings
from django.db import connections, models, router
from django.db.backends.base.operations import BaseDatabaseOperations

from refuge.vault.fields import Ciphertext, EncryptedField

# Fields whose stored value is the attribute itself (the caller builds rows of the right types).
_PLAIN = (models.CharField, models.TextField, models.IntegerField, models.BooleanField, models.FloatField)
CHUNK = 2_000  # rows per executemany
COPY_FROM = 50  # rows from which PostgreSQL is sent a COPY rather than INSERTs


def insert_new(objs: Sequence[models.Model]) -> None:
    """Insert unsaved instances of one model, setting their `pk` (see the module's docstring)."""
    if not objs:
        return
    if not connections[router.db_for_write(type(objs[0]))].in_atomic_block:
        raise RuntimeError("insert_new runs inside a transaction (its ids are safe only there)")
    model = type(objs[0])
    meta = model._meta
    alias = router.db_for_write(model)
    conn = connections[alias]
    pk = _auto_pk(meta, "insert_new")
    fields = [f for f in meta.concrete_fields if f is not pk]
    getters = [_getter(f, conn) for f in fields]
    ids = _allocate(conn, meta.db_table, pk.column, len(objs))
    rows = []
    for obj, new_id in zip(objs, ids, strict=True):
        if type(obj) is not model or not obj._state.adding:
            raise TypeError(f"insert_new: every row must be a new {meta.label}")
        rows.append((new_id, *(get(obj) for get in getters)))
    _send(conn, meta.db_table, [pk.column, *(f.column for f in fields)], rows)
    for obj, new_id in zip(objs, ids, strict=True):
        obj.pk = new_id
        obj._state.adding = False
        obj._state.db = alias


def insert_rows(
    model: type[models.Model], names: Sequence[str], rows: Sequence[Sequence[Any]], *, adapted: bool = False
) -> list[int]:
    """Insert rows given as tuples of values (one per field in `names`), not as model instances;
    returns their ids, in order. Every concrete field but the primary key must be named; values are
    adapted as `insert_new` adapts an instance's (an encrypted field takes the `Ciphertext` its
    `seal` made; `auto_now` fields take the value given). For rows nothing reads as objects.

    `adapted=True`: the rows already hold what the backend takes, each value made by the caller with
    `adapters(model, names)` (or as it is, where that gives None): the rows are inserted as given."""
    meta = model._meta
    conn = connections[router.db_for_write(model)]
    if not conn.in_atomic_block:
        raise RuntimeError("insert_rows runs inside a transaction (its ids are safe only there)")
    pk = _auto_pk(meta, "insert_rows")
    fields = _named_fields(model, names)
    if not rows:
        return []
    ids = _allocate(conn, meta.db_table, pk.column, len(rows))
    width = len(fields)
    if adapted:
        if any(len(row) != width for row in rows):
            raise TypeError(f"{meta.label}: a row of other than {width} values")
        values: list[Sequence[Any]] = [(new_id, *row) for new_id, row in zip(ids, rows, strict=True)]
    else:  # only the values that need it are adapted (by position: the id first); the rest go as they are
        typed = [(i + 1, adapt) for i, adapt in enumerate(_adapter(f, conn) for f in fields) if adapt is not _same]
        values = []
        for new_id, row in zip(ids, rows, strict=True):
            if len(row) != width:
                raise TypeError(f"{meta.label}: a row of {len(row)} values for {width} fields")
            made = [new_id, *row]
            for i, adapt in typed:
                made[i] = adapt(made[i])
            values.append(made)
    _send(conn, meta.db_table, [pk.column, *(f.column for f in fields)], values)
    return ids


def _send(conn: Any, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """The rows (values for `columns`, in order) into the table: PostgreSQL's COPY where there are many
    (the same values, through the same adapters, without a statement per row for the server to run),
    else an INSERT by `executemany` per CHUNK. Table and column names come from the model, quoted."""
    qn = conn.ops.quote_name
    names = ", ".join(qn(str(c)) for c in columns)
    with conn.cursor() as cursor:
        if conn.vendor == "postgresql" and len(rows) >= COPY_FROM:
            with cursor.cursor.copy(f"COPY {qn(table)} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        sql = f"INSERT INTO {qn(table)} ({names}) VALUES ({', '.join(['%s'] * len(columns))})"  # noqa: S608
        for start in range(0, len(rows), CHUNK):
            cursor.executemany(sql, rows[start : start + CHUNK])


def adapters(model: type[models.Model], names: Sequence[str]) -> list[Callable[[Any], Any] | None]:
    """Per field in `names`, the function that makes a value what the backend takes (as `insert_rows`
    adapts it), or None where the value goes as it is: for a caller that builds rows already adapted
    (`insert_rows(..., adapted=True)`), without a second pass over every value."""
    conn = connections[router.db_for_write(model)]
    return [None if adapt is _same else adapt for adapt in (_adapter(f, conn) for f in _named_fields(model, names))]


def _auto_pk(meta: Any, caller: str) -> models.Field[Any, Any]:
    pk = meta.pk
    if pk is None or not isinstance(pk, models.AutoField | models.BigAutoField | models.SmallAutoField):
        raise TypeError(f"{meta.label}: {caller} needs an automatic integer primary key")
    return pk


def _named_fields(model: type[models.Model], names: Sequence[str]) -> list[models.Field[Any, Any]]:
    """The concrete fields named, in order: every one but the primary key, each once."""
    meta = model._meta
    fields: list[models.Field[Any, Any]] = []
    for name in names:
        field = meta.get_field(name)
        if not isinstance(field, models.Field) or not field.concrete:
            raise TypeError(f"{meta.label}.{name}: insert_rows takes concrete fields only")
        fields.append(field)
    missing = {f.name for f in meta.concrete_fields if f is not meta.pk} - set(names)
    if missing or len(set(names)) != len(names):
        raise TypeError(f"{meta.label}: insert_rows needs every field once (missing {sorted(missing)})")
    return fields


def _getter(field: models.Field[Any, Any], conn: Any) -> Callable[[models.Model], Any]:
    """How one field's stored value is read off an instance, as the backend takes it."""
    attname = field.attname
    if isinstance(field, EncryptedField):  # encrypts on pre_save, as a save would
        return lambda obj: field.get_db_prep_value(field.pre_save(obj, True), conn)
    if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
        adapt_now = _adapter(field, conn)
        return lambda obj: adapt_now(field.pre_save(obj, True))
    adapt = _adapter(field, conn)
    return lambda obj: adapt(getattr(obj, attname))


def _adapter(field: models.Field[Any, Any], conn: Any) -> Callable[[Any], Any]:
    """How a field's value is made ready for the backend, as `get_db_prep_value` makes it."""
    typed = _typed_adapter(field, conn)
    if typed is not None:
        return typed
    if isinstance(field, EncryptedField) and type(field).get_db_prep_value is EncryptedField.get_db_prep_value:
        binary = conn.Database.Binary  # what get_db_prep_value makes of a Ciphertext (it refuses a plaintext)
        return lambda v: binary(bytes(v)) if type(v) is Ciphertext else field.get_db_prep_value(v, conn)
    if isinstance(field, models.ForeignKey) or (
        isinstance(field, _PLAIN) and type(field).get_db_prep_value is models.Field.get_db_prep_value
    ):
        return _same
    return lambda v: field.get_db_prep_value(v, conn, prepared=False)


def _same(value: Any) -> Any:
    """The adapter of a field whose value goes to the backend as it is (`insert_rows` skips it)."""
    return value


def _typed_adapter(field: models.Field[Any, Any], conn: Any) -> Callable[[Any], Any] | None:
    """The backend's own adapter of an instant, a date, JSON, a UUID or an integer, called directly."""
    ops = conn.ops
    if isinstance(field, models.DateTimeField):
        return _instant(conn)
    if isinstance(field, models.DateField):
        return lambda v: None if v is None else ops.adapt_datefield_value(v)
    if isinstance(field, models.JSONField):
        return _json(field, ops)
    if type(field) is models.UUIDField:  # get_db_prep_value: the UUID, or its hex where the backend has no UUID type
        native = conn.features.has_native_uuid_field
        return lambda v: field.get_db_prep_value(v, conn) if type(v) is not UUID else v if native else v.hex
    if isinstance(field, models.IntegerField) and _integer_prep(type(field)):
        return _integer(ops, field.get_internal_type())
    return None


def _json(field: models.JSONField[Any], ops: Any) -> Callable[[Any], Any]:
    """JSONField's value as the backend takes it. The base backend's adapter (SQLite's) is
    `json.dumps(value, cls=encoder)`: here one encoder made once (dumps makes one per call for a
    `cls`), and the texts of the empty list and object, which most such values are, given as they are."""
    null = field.null
    if type(ops).adapt_json_value is not BaseDatabaseOperations.adapt_json_value:  # PostgreSQL's Jsonb
        encoder = field.encoder
        return lambda v: None if v is None and null else ops.adapt_json_value(v, encoder)
    encode = (field.encoder or json.JSONEncoder)().encode
    empty: dict[type, str] = {list: encode([]), dict: encode({})}

    def adapt(value: Any) -> Any:
        if value is None and null:
            return None
        if not value and type(value) in empty:
            return empty[type(value)]
        return encode(value)

    return adapt


def _integer_prep(kind: type[models.Field[Any, Any]]) -> bool:
    """Whether the field makes its value as IntegerField does (not overridden by a subclass)."""
    return (
        kind.get_db_prep_value is models.IntegerField.get_db_prep_value
        and kind.get_prep_value is models.IntegerField.get_prep_value
    )


def _integer(ops: Any, internal_type: str) -> Callable[[Any], Any]:
    """IntegerField's `get_db_prep_value` (`int`, then the backend's adapter) without its layers;
    the base backend's adapter (SQLite's) gives the value as it is."""
    if type(ops).adapt_integerfield_value is BaseDatabaseOperations.adapt_integerfield_value:
        return lambda v: v if v is None else int(v)
    adapt = ops.adapt_integerfield_value
    return lambda v: v if v is None else adapt(int(v), internal_type)


def _instant(conn: Any) -> Callable[[Any], Any]:
    if conn.vendor == "sqlite" and settings.USE_TZ:
        return _sqlite_instant(conn.timezone)
    ops = conn.ops
    return lambda v: None if v is None else ops.adapt_datetimefield_value(v)


def _sqlite_instant(zone: tzinfo) -> Callable[[Any], Any]:
    """SQLite's `adapt_datetimefield_value` (an aware instant as naive text in the connection's zone)
    without its per-value calls: `make_naive` is `astimezone(zone).replace(tzinfo=None)`."""

    made: dict[Any, str] = {}  # per statement: an instant's text, once (many rows share their clock readings)

    def adapt(value: Any) -> Any:
        if value is None or hasattr(value, "resolve_expression"):
            return value
        if type(value) is datetime and value.utcoffset() is not None:  # equal instants: the same text
            text = made.get(value)
            if text is None:
                text = made[value] = str(value.astimezone(zone).replace(tzinfo=None))
            return text
        if value.utcoffset() is not None:
            value = value.astimezone(zone).replace(tzinfo=None)
        return str(value)

    return adapt


def _allocate(conn: Any, table: str, column: str, count: int) -> list[int]:
    with conn.cursor() as cursor:
        if conn.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)", [table, column, count]
            )
            return [row[0] for row in cursor.fetchall()]
        qn = conn.ops.quote_name
        cursor.execute(f"SELECT MAX({qn(column)}) FROM {qn(table)}")  # noqa: S608  # names from the model
        highest = cursor.fetchone()[0] or 0
        cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
        row = cursor.fetchone()
        highest = max(highest, row[0] if row else 0)
    return list(range(highest + 1, highest + 1 + count))

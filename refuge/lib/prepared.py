"""Reads compiled once per database connection and run again with another id (the case page's).

Django compiles a queryset to SQL anew each time it is evaluated. For the case page's small reads
of one case's rows (its events, deadlines, conflicts, proceedings, team, documents, filings and
sendings) compiling costs 0.3–0.5 ms a read, several times the SQL. A `Prepared` read is built once
with a marker in place of the id, compiled once per connection, and run again with the id in the
marker's place; its rows become model instances as Django's own iterable makes them (the fields'
converters, `Model.from_db`, the select_related populators, the parent as a known related object).
tests/lib/test_prepared.py compares each prepared read of the pages with its queryset's, field by field.
"""

from __future__ import annotations

import uuid
import weakref
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from django.db import connections, models
from django.db.models.query import get_related_populators  # type: ignore[attr-defined]  # not in django-stubs

if TYPE_CHECKING:
    from collections.abc import Callable

    from django.db.models import QuerySet

# The ids compiled in (MARKER, MARKER - 1, …): within every integer field's range, since Django compiles an
# out-of-range value (a negative one for a positive field) to no query at all. A constant of the query
# equal to a marker makes compiling refuse (one parameter per key), never a wrong read.
MARKER = 32_749
UUID_MARKER = uuid.UUID(int=0x7340033_7340033_7340033)  # a code compiled in: not a random (version 4) UUID

M = TypeVar("M", bound=models.Model)


class NotPreparableError(ValueError):
    """The queryset is not a plain read of one model's rows by one id."""


@dataclass(frozen=True)
class _Compiled:
    sql: str
    values: bool  # a values_list() read: tuples, not instances
    params: tuple[Any, ...]
    slots: tuple[tuple[int, bool], ...]  # each key's place among the parameters; whether it goes as hex
    model: type[models.Model] | None
    init_list: list[str]
    start: int  # the model's columns in a row
    end: int
    populators: list[Any]  # select_related's
    converters: list[tuple[int, tuple[list[Any], Any]]]


class Prepared(Generic[M]):
    """`build(id)` -> the queryset; `read(id)` -> its rows, as `list(build(id))` gives them.

    `parent`: the foreign key by whose id `build` filters; `read` sets it on each row to the instance
    it is given, as a related manager's queryset does (`case.events.all()`: each event's `case`).
    None for a read by the rows' own id (the session's user, its second-factor device).

    `keys`: the types of `build`'s arguments when it takes more than one id, or a code (int or
    uuid.UUID): `read` then takes a tuple of as many values (a case by organisation, user and code)."""

    def __init__(
        self, build: Callable[..., QuerySet[M, Any]], *, parent: str | None = None, keys: tuple[type, ...] = (int,)
    ) -> None:
        self.build = build
        self.parent = parent
        self.keys = keys
        self._compiled: weakref.WeakKeyDictionary[Any, _Compiled] = weakref.WeakKeyDictionary()

    def read(self, key: Any, parent: models.Model | None = None, *, using: str = "default") -> list[M]:
        connection, compiled, rows = self._execute(key, using)
        if compiled.model is None:
            raise NotPreparableError("a values_list() read gives rows(), not instances")
        found = []
        for fetched in rows:
            row = _converted(fetched, compiled, connection)
            obj = compiled.model.from_db(using, compiled.init_list, row[compiled.start : compiled.end])
            for populator in compiled.populators:
                populator.populate(row, obj)
            if parent is not None and self.parent is not None:
                setattr(obj, self.parent, parent)
            found.append(obj)
        return found  # type: ignore[return-value]  # rows of build()'s model

    def rows(self, key: Any, *, using: str = "default") -> list[tuple[Any, ...]]:
        """The tuples of a `values_list()` read (not flat), as `list(build(id))` gives them."""
        connection, compiled, rows = self._execute(key, using)
        if not compiled.values:
            raise NotPreparableError("a read of instances gives read(), not rows()")
        return [tuple(_converted(fetched, compiled, connection)) for fetched in rows]

    def _execute(self, key: Any, using: str) -> tuple[Any, _Compiled, list[tuple[Any, ...]]]:
        connection = connections[using]
        compiled = self._compiled.get(connection)
        if compiled is None:
            compiled = self._compiled[connection] = self._compile(connection)
        params = list(compiled.params)
        for (slot, as_hex), value in zip(compiled.slots, key if len(self.keys) > 1 else (key,), strict=True):
            params[slot] = value.hex if as_hex else value
        with connection.cursor() as cursor:
            cursor.execute(compiled.sql, params)
            return connection, compiled, cursor.fetchall()

    def first(self, key: int, *, using: str = "default") -> M | None:
        """The one row of a read by the rows' own id (`build(id).first()`), or None."""
        found = self.read(key, using=using)
        return found[0] if found else None

    def _markers(self) -> list[Any]:
        markers: list[Any] = []
        for n, kind in enumerate(self.keys):
            if kind is int:
                markers.append(MARKER - n)
            elif kind is uuid.UUID:
                markers.append(uuid.UUID(int=UUID_MARKER.int + n))
            else:
                raise NotPreparableError(f"a prepared read's keys are ints and UUIDs, not {kind.__name__}")
        return markers

    def _compile(self, connection: Any) -> _Compiled:
        markers = self._markers()
        queryset = self.build(*markers)
        query = queryset.query
        if (
            query.annotations
            or query.extra
            or query.combinator
            or query.deferred_loading != (frozenset(), True)
            or queryset._prefetch_related_lookups  # type: ignore[attr-defined]  # a prefetch
            # Instances, or a values_list() of tuples; not values() dicts, flat or named rows.
            or queryset._iterable_class not in (models.query.ModelIterable, models.query.ValuesListIterable)
        ):
            raise NotPreparableError("a prepared read is a plain read of one model's rows (select_related aside)")
        compiler = query.get_compiler(connection=connection)
        sql, params = compiler.as_sql()
        slots = []
        for marker in markers:
            # A UUID goes to the database as itself, or as its hex digits where it has no UUID type (SQLite).
            forms = (marker, getattr(marker, "hex", None))
            found = [(i, value != marker) for i, value in enumerate(params) if value in forms]
            if len(found) != 1:
                raise NotPreparableError(f"each key must be one parameter of the read, {marker} is {len(found)}")
            slots.extend(found)
        select, klass_info = compiler.select, compiler.klass_info
        converters = compiler.get_converters([column[0] for column in select[0 : compiler.col_count]])
        if queryset._iterable_class is models.query.ValuesListIterable:
            return _Compiled(
                sql=sql,
                values=True,
                params=tuple(params),
                slots=tuple(slots),
                model=None,
                init_list=[],
                start=0,
                end=compiler.col_count,
                populators=[],
                converters=list(converters.items()),
            )
        assert klass_info is not None  # noqa: S101  # a model's read has one
        fields = klass_info["select_fields"]
        return _Compiled(
            sql=sql,
            values=False,
            params=tuple(params),
            slots=tuple(slots),
            model=klass_info["model"],
            init_list=[column[0].target.attname for column in select[fields[0] : fields[-1] + 1]],
            start=fields[0],
            end=fields[-1] + 1,
            populators=get_related_populators(klass_info, select, connection.alias),
            converters=list(converters.items()),
        )


def _converted(fetched: tuple[Any, ...], compiled: _Compiled, connection: Any) -> list[Any]:
    """A fetched row with the fields' converters applied, as Django's iterables apply them."""
    row = list(fetched)
    for pos, (convert_all, expression) in compiled.converters:
        value = row[pos]
        for convert in convert_all:
            value = convert(value, expression, connection)
        row[pos] = value
    return row

"""A list of ids for several queries' `__in`, its SQL and parameters made once.

`Model.objects.filter(case_id__in=[...])` resolves and prepares each id of the list anew for every
query that names it: for a lawyer's hundred or two cases, 0.2–0.5 ms a query. The dashboard reads
the same cases' conflicts, deadlines and removals: `Ids(ids)` is built once and each query's
`__in=Ids(ids)` compiles to the same `IN (%s, …)` with the same parameters.
tests/lib/test_ids.py compares the rows each way, on SQLite and PostgreSQL.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.exceptions import EmptyResultSet
from django.db.models import BigIntegerField, Expression

if TYPE_CHECKING:
    from collections.abc import Iterable


class Ids(Expression):
    """The right side of `field__in` for integer ids; none matches nothing, as an empty list does."""

    def __init__(self, ids: Iterable[int]) -> None:
        super().__init__(output_field=BigIntegerField())
        self.ids = tuple(int(i) for i in ids)
        self.sql = "(" + ", ".join(["%s"] * len(self.ids)) + ")"

    def __len__(self) -> int:
        return len(self.ids)

    def __iter__(self) -> Any:
        return iter(self.ids)

    def resolve_expression(self, *args: Any, **kwargs: Any) -> Ids:
        return self  # nothing to resolve: numbers, not columns

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, tuple[int, ...]]:
        if not self.ids:
            raise EmptyResultSet  # the condition matches no row (Django's own answer to `__in=[]`)
        return self.sql, self.ids

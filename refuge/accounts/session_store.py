"""Django's database sessions, with the read every request makes compiled once per connection.

`SESSION_ENGINE = "refuge.accounts.session_store"`. Everything is Django's `db` backend (the same
table, the same writes, sealing still ends sessions by deleting their rows) except `load`: the
session's data by its key while unexpired, Django's `Session.objects.get(session_key=…,
expire_date__gt=now)`, as one statement written once per connection instead of a queryset compiled
on every request. tests/accounts/test_session_store.py compares the two.
"""

from __future__ import annotations

from typing import Any

from django.contrib.sessions.backends import db
from django.db import connections, router
from django.utils import timezone


class SessionStore(db.SessionStore):
    _sql: dict[str, str] = {}  # per database vendor, shared by every store

    def load(self) -> dict[str, Any]:
        connection = connections[router.db_for_read(self.model)]
        sql = self._sql.get(connection.vendor)
        if sql is None:
            qn = connection.ops.quote_name
            table, key, data, expires = (
                qn(self.model._meta.db_table),
                qn(self.model._meta.get_field("session_key").column),
                qn(self.model._meta.get_field("session_data").column),
                qn(self.model._meta.get_field("expire_date").column),
            )
            # Names from the model, quoted; the key and the instant are parameters.
            sql = f"SELECT {data} FROM {table} WHERE {key} = %s AND {expires} > %s"  # noqa: S608
            self._sql[connection.vendor] = sql
        with connection.cursor() as cursor:
            cursor.execute(sql, [self.session_key, connection.ops.adapt_datetimefield_value(timezone.now())])
            row = cursor.fetchone()
        if row is None:  # missing or expired: as Django's load, the key is dropped and the session is empty
            self._session_key = None
            return {}
        return self.decode(row[0])

"""`flush` that can empty the audit log too: Django's own, with the append-only triggers lifted meanwhile.

Flushing erases every table (tests end each transactional test with it). The audit log's triggers
refuse that, so they are dropped for the flush and installed again right after, whatever happens.
"""

from __future__ import annotations

from typing import Any

from django.core.management.commands import flush
from django.db import DEFAULT_DB_ALIAS, connections

from refuge.audit import triggers


class Command(flush.Command):
    def handle(self, **options: Any) -> None:
        connection = connections[options.get("database") or DEFAULT_DB_ALIAS]
        table_exists = triggers.TABLE in connection.introspection.table_names()
        if table_exists:
            triggers.drop(connection)
        try:
            super().handle(**options)
        finally:
            if table_exists:
                triggers.install(connection)

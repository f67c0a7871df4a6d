from __future__ import annotations

from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate, post_save


def _analyse_sqlite(using: str = "default", **kwargs: Any) -> None:
    """Give SQLite's query planner statistics after a migration (Django never runs ANALYZE).

    Without them, a lawyer's case list at 100,000 cases takes 7 ms of SQL instead of 1.2 ms
    (bench/README.md). `analysis_limit` keeps it to milliseconds on a large file.
    """
    from django.db import connections  # noqa: PLC0415  # only when migrations ran

    connection = connections[using]
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA analysis_limit=400")
        cursor.execute("ANALYZE")


def _relink_events(sender: Any, instance: Any, raw: bool = False, update_fields: Any = None, **kwargs: Any) -> None:
    """A directory entry saved (by a page, a command or the demo): re-match the events naming authorities."""
    if raw or (update_fields is not None and "name" not in update_fields):
        return
    from refuge.cases.actions import relink_authorities  # noqa: PLC0415  # actions import the models

    relink_authorities(instance.organisation_id)


class CasesConfig(AppConfig):
    name = "refuge.cases"
    label = "cases"
    verbose_name = "Cases"

    def ready(self) -> None:
        post_migrate.connect(_analyse_sqlite, sender=self, dispatch_uid="refuge.cases.analyse_sqlite")
        post_save.connect(
            _relink_events, sender=self.get_model("Authority"), dispatch_uid="refuge.cases.relink_events"
        )

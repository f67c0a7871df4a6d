"""Triggers that refuse UPDATE and DELETE of audit entries (and TRUNCATE on PostgreSQL)."""

from __future__ import annotations

from typing import Any

from django.db import migrations

from refuge.audit import triggers


def install(apps: Any, schema_editor: Any) -> None:
    triggers.install(schema_editor.connection)


def drop(apps: Any, schema_editor: Any) -> None:
    triggers.drop(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_append_only_chained_log")]

    operations = [migrations.RunPython(install, drop, elidable=False)]

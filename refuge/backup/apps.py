from __future__ import annotations

from django.apps import AppConfig


class BackupConfig(AppConfig):
    name = "refuge.backup"
    label = "backup"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = "Backups"

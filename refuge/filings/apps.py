from __future__ import annotations

from django.apps import AppConfig


class FilingsConfig(AppConfig):
    name = "refuge.filings"
    label = "filings"
    verbose_name = "Filings"
    default_auto_field = "django.db.models.BigAutoField"

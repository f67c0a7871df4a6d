from __future__ import annotations

from django.apps import AppConfig


class FilingsConfig(AppConfig):
    name = "refuge.filings"
    label = "filings"
    verbose_name = "Filings"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from refuge.cases.recompute import CONFLICT_PROVIDERS  # noqa: PLC0415  # apps are loaded by now
        from refuge.filings.conflicts import authority_not_notified  # noqa: PLC0415  # as above

        if authority_not_notified not in CONFLICT_PROVIDERS:
            CONFLICT_PROVIDERS.append(authority_not_notified)

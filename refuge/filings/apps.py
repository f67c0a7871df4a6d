from __future__ import annotations

from django.apps import AppConfig


class FilingsConfig(AppConfig):
    name = "refuge.filings"
    label = "filings"
    verbose_name = "Filings"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from refuge.cases.recompute import CONFLICT_PROVIDERS  # noqa: PLC0415  # apps are loaded by now
        from refuge.filings.conflicts import authority_not_notified, removal_update_not_sent  # noqa: PLC0415  # as above

        for provider in (authority_not_notified, removal_update_not_sent):
            if provider not in CONFLICT_PROVIDERS:
                CONFLICT_PROVIDERS.append(provider)

        from django.db.models.signals import post_delete  # noqa: PLC0415  # as above

        from refuge.filings.models import GeneratedFiling, Sending, delete_stored_files  # noqa: PLC0415  # as above

        for model in (GeneratedFiling, Sending):
            post_delete.connect(delete_stored_files, sender=model, dispatch_uid=f"refuge.filings.{model.__name__}")

from __future__ import annotations

from django.apps import AppConfig


class AlertsConfig(AppConfig):
    name = "refuge.alerts"
    label = "alerts"
    verbose_name = "Alerts"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Imported here, once the apps are loaded.
        from refuge.alerts import checks  # noqa: F401, PLC0415  # registers the deployment checks
        from refuge.alerts.queue import alert_failed_unseal, queue_recomputed  # noqa: PLC0415
        from refuge.cases.recompute import RECOMPUTE_HOOKS  # noqa: PLC0415
        from refuge.vault.state import ON_FAILED_UNSEAL  # noqa: PLC0415

        if queue_recomputed not in RECOMPUTE_HOOKS:
            RECOMPUTE_HOOKS.append(queue_recomputed)
        if alert_failed_unseal not in ON_FAILED_UNSEAL:
            ON_FAILED_UNSEAL.append(alert_failed_unseal)

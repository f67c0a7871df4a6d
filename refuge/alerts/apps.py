from __future__ import annotations

from django.apps import AppConfig


class AlertsConfig(AppConfig):
    name = "refuge.alerts"
    label = "alerts"
    verbose_name = "Alerts"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from refuge.alerts.queue import queue_recomputed  # noqa: PLC0415  # apps are loaded now
        from refuge.cases.recompute import RECOMPUTE_HOOKS  # noqa: PLC0415  # apps are loaded now

        if queue_recomputed not in RECOMPUTE_HOOKS:
            RECOMPUTE_HOOKS.append(queue_recomputed)

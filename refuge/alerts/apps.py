from __future__ import annotations

from django.apps import AppConfig

from refuge.alerts import checks  # noqa: F401  # registers the deployment checks (Django-only imports)


class AlertsConfig(AppConfig):
    name = "refuge.alerts"
    label = "alerts"
    verbose_name = "Alerts"
    default_auto_field = "django.db.models.BigAutoField"

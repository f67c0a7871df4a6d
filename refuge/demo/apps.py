from __future__ import annotations

from django.apps import AppConfig


class DemoConfig(AppConfig):
    """Installed for its management command (`refuge demo`); it has no models."""

    name = "refuge.demo"
    label = "demo"
    verbose_name = "Demo"

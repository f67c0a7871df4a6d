from __future__ import annotations

from django.apps import AppConfig


class WiringConfig(AppConfig):
    name = "refuge.wiring"
    label = "wiring"
    verbose_name = "Wiring"

    def ready(self) -> None:
        from refuge.wiring import subscribers  # noqa: PLC0415  # deferred: it imports every app's models, loaded only by now

        subscribers.connect()

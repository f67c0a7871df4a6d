from __future__ import annotations

from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "refuge.search"
    label = "search"
    verbose_name = "Search"

    def ready(self) -> None:
        from refuge.search import index, signals  # noqa: F401, PLC0415  # registers the Person receivers
        from refuge.vault import state  # noqa: PLC0415  # the vault's models need the app registry

        state.on_seal(index.drop_all)

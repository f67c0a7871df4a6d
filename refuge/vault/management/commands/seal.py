"""`refuge seal`: every server process drops the vault's keys, every session ends."""

from __future__ import annotations

from typing import Any

from django.contrib.sessions.models import Session
from django.core.management.base import BaseCommand
from django.utils.translation import ngettext

from refuge.vault import state


class Command(BaseCommand):
    help = "Seal the vault: servers drop the root key within a second and every session ends now."

    def handle(self, *args: Any, **options: Any) -> None:
        sessions = Session.objects.count()
        state.seal(reason="refuge seal")
        self.stdout.write(
            ngettext(
                "vault sealed; %(count)s session ended. Servers drop the key within a second.",
                "vault sealed; %(count)s sessions ended. Servers drop the key within a second.",
                sessions,
            )
            % {"count": sessions}
        )

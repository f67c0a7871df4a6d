"""`refuge seal`: every server process drops the vault's keys, every session ends.

Through the database, so it reaches every process of every host (their watchers see the seal
epoch move within a second); this host's key agent, if `refuge serve` runs here, forgets the key
at once. Sealing from any host seals them all: there is no --url.
"""

from __future__ import annotations

from typing import Any

from django.contrib.sessions.models import Session
from django.utils.translation import gettext_noop, ngettext

from refuge.lib.commands import RefugeCommand
from refuge.vault import state


class Command(RefugeCommand):
    help = gettext_noop("Seal the vault: servers drop the root key within a second and every session ends now.")

    def handle(self, *args: Any, **options: Any) -> None:
        sessions = Session.objects.count()
        state.seal(reason="refuge seal")
        self.stdout.write(
            ngettext(
                "vault sealed; %(count)s session ended. "
                "Every server process, on every host, drops the key within a second.",
                "vault sealed; %(count)s sessions ended. "
                "Every server process, on every host, drops the key within a second.",
                sessions,
            )
            % {"count": sessions}
        )

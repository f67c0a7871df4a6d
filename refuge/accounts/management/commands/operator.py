"""`refuge operator grant|revoke USERNAME`, `refuge operator list`: who may seal the server."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandError, CommandParser
from django.utils.translation import gettext, gettext_noop

from refuge.accounts import actions
from refuge.accounts.models import Organisation, User
from refuge.lib.commands import RefugeCommand


class Command(RefugeCommand):
    help = gettext_noop(
        "Grant or revoke the server operator's role (sealing the server from its pages), or list operators."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["grant", "revoke", "list"])
        parser.add_argument("username", nargs="?")

    def handle(self, *args: Any, action: str, username: str | None, **options: Any) -> None:
        if action == "list":
            for name in User.objects.filter(is_operator=True).order_by("username").values_list("username", flat=True):
                self.stdout.write(name)
            if Organisation.objects.count() == 1:
                self.stdout.write(gettext("(one organisation: its admins are operators too)"))
            return
        if not username:
            raise CommandError(gettext("refuge operator %(action)s needs a USERNAME") % {"action": action})
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(gettext("no user named %(username)s") % {"username": repr(username)})
        changed = actions.set_operator(user=user, operator=action == "grant", actor=None)
        if not changed:
            message = gettext("%(username)s: nothing to change.")
        elif action == "grant":
            message = gettext("%(username)s is now an operator.")
        else:
            message = gettext("%(username)s is no longer an operator.")
        self.stdout.write(message % {"username": repr(username)})

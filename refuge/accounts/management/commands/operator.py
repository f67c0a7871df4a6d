"""`refuge operator grant|revoke USERNAME`, `refuge operator list`: who may seal the server."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from refuge.accounts import actions
from refuge.accounts.models import Organisation, User


class Command(BaseCommand):
    help = "Grant or revoke the server operator's role (sealing the server from its pages), or list operators."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["grant", "revoke", "list"])
        parser.add_argument("username", nargs="?")

    def handle(self, *args: Any, action: str, username: str | None, **options: Any) -> None:
        if action == "list":
            for name in User.objects.filter(is_operator=True).order_by("username").values_list("username", flat=True):
                self.stdout.write(name)
            if Organisation.objects.count() == 1:
                self.stdout.write("(one organisation: its admins are operators too)")
            return
        if not username:
            raise CommandError(f"refuge operator {action} needs a USERNAME")
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"no user named {username!r}")
        changed = actions.set_operator(user=user, operator=action == "grant", actor=None)
        state = "is now" if action == "grant" else "is no longer"
        self.stdout.write(f"{username!r} {state} an operator." if changed else f"{username!r}: nothing to change.")

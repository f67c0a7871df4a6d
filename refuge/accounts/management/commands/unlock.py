"""`refuge unlock USERNAME`: forget the failed logins counted for a username (its throttles)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from refuge.accounts import actions


class Command(BaseCommand):
    help = "Clear the login throttles of a username: attempts for it are no longer slowed down."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")

    def handle(self, *args: Any, username: str, **options: Any) -> None:
        was_slowed = actions.is_slowed(username)
        removed = actions.unlock(username=username)
        if was_slowed:
            self.stdout.write(f"Cleared {removed} throttle(s) of {username!r}: its logins are no longer slowed down.")
        else:
            self.stdout.write(
                f"{username!r} was not slowed down; its {removed} counter(s) of failed logins are forgotten."
            )

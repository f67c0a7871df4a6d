"""`refuge unlock USERNAME`: let a username locked out by failed logins try again."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from refuge.accounts import actions


class Command(BaseCommand):
    help = "Unlock a username that too many failed logins locked out."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")

    def handle(self, *args: Any, username: str, **options: Any) -> None:
        was_locked = actions.is_locked(username)
        actions.unlock(username=username)
        if was_locked:
            self.stdout.write(f"Unlocked {username!r}: it may log in again.")
        else:
            self.stdout.write(f"{username!r} was not locked out; its failed logins are forgotten.")

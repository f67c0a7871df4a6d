"""`refuge unlock USERNAME`: forget the failed logins counted for a username (its throttles)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandParser
from django.utils.translation import gettext, gettext_noop

from refuge.accounts import actions
from refuge.lib.commands import RefugeCommand


class Command(RefugeCommand):
    help = gettext_noop("Clear the login throttles of a username: attempts for it are no longer slowed down.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")

    def handle(self, *args: Any, username: str, **options: Any) -> None:
        was_slowed = actions.is_slowed(username)
        removed = actions.unlock(username=username)
        if was_slowed:
            self.stdout.write(
                gettext("Cleared %(count)s throttle(s) of %(username)s: its logins are no longer slowed down.")
                % {"count": removed, "username": repr(username)}
            )
        else:
            self.stdout.write(
                gettext("%(username)s was not slowed down; its %(count)s counter(s) of failed logins are forgotten.")
                % {"username": repr(username), "count": removed}
            )

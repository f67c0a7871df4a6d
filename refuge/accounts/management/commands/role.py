"""`refuge role USERNAME ROLE`: change a user's role in their organisation (audited; their sessions end)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandError, CommandParser
from django.utils.translation import gettext, gettext_noop

from refuge.accounts import actions
from refuge.accounts.models import Role, User
from refuge.lib.commands import RefugeCommand


class Command(RefugeCommand):
    help = gettext_noop("Change a user's role (admin, lawyer, caseworker, analyst); their sessions end.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("role", choices=Role.values)

    def handle(self, *args: Any, username: str, role: str, **options: Any) -> None:
        user = User.objects.filter(username=username, membership_row__isnull=False).first()
        if user is None:
            raise CommandError(gettext("no user named %(username)s in an organisation") % {"username": repr(username)})
        label = str(Role(role).label).lower()  # the role's name in the operator's language, as in a sentence
        if actions.set_role(user=user, role=role, actor=None):
            self.stdout.write(
                gettext("%(username)s is now %(role)s; their sessions ended.")
                % {"username": repr(username), "role": label}
            )
        else:
            self.stdout.write(
                gettext("%(username)s already is %(role)s.") % {"username": repr(username), "role": label}
            )

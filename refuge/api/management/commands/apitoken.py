"""`refuge apitoken create USERNAME --name N --scopes read,write [--days D]`: a personal access token for scripts.

The secret is printed once on standard output (and never stored); `refuge apitoken revoke USERNAME`
revokes every live token of a user.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandError, CommandParser
from django.utils.translation import gettext, gettext_noop

from refuge.accounts.models import User
from refuge.api import tokens
from refuge.lib.commands import RefugeCommand


class Command(RefugeCommand):
    help = gettext_noop("Create a personal access token for a user (printed once), or revoke a user's tokens.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=("create", "revoke"))
        parser.add_argument("username")
        parser.add_argument("--name", default="command line", help=gettext("what the token is for"))
        parser.add_argument("--scopes", default="read", help=gettext("comma-separated: read, write, identity"))
        parser.add_argument("--days", type=int, default=30, help=f"1 to {tokens.MAX_DAYS} (default 30)")

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(username=options["username"], is_active=True).first()
        if user is None or user.membership() is None:
            raise CommandError(gettext("no active member named %(username)s") % {"username": repr(options["username"])})
        if options["action"] == "revoke":
            ended = tokens.revoke_tokens_of(user=user, reason="command")
            self.stdout.write(gettext("%(count)s token(s) revoked.") % {"count": ended})
            return
        scopes = [s.strip() for s in options["scopes"].split(",") if s.strip()]
        try:
            _, secret = tokens.create_token(user=user, name=options["name"], scopes=scopes, days=options["days"])
        except tokens.TokenError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(secret)

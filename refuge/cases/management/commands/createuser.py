"""`refuge createuser`: a user with a role in one organisation."""

from __future__ import annotations

import getpass
import sys
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import CommandError, CommandParser
from django.db import transaction
from django.utils.translation import gettext, gettext_noop

from refuge.accounts import actions
from refuge.accounts.models import Organisation, Role, User
from refuge.lib.commands import RefugeCommand


class Command(RefugeCommand):
    help = gettext_noop("Create a user in an organisation with a role (admin, lawyer, caseworker, analyst).")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--organisation", required=True, help=gettext("the organisation's name"))
        parser.add_argument("--role", required=True, choices=Role.values)
        parser.add_argument("--email", default="")
        parser.add_argument("--first-name", default="")
        parser.add_argument("--last-name", default="")
        parser.add_argument(
            "--password-stdin",
            action="store_true",
            help=gettext("read the password from the first line of standard input"),
        )
        parser.add_argument(
            "--create-organisation", action="store_true", help=gettext("create the organisation if it does not exist")
        )

    def handle(self, *args: Any, **options: Any) -> None:
        username: str = options["username"].strip()
        if not username:
            raise CommandError(gettext("the username is empty"))
        if User.objects.filter(username__iexact=username).exists():
            raise CommandError(gettext("a user named %(username)s already exists") % {"username": repr(username)})
        org_name: str = options["organisation"].strip()
        organisation = Organisation.objects.filter(name=org_name).first()
        if organisation is None and not options["create_organisation"]:
            raise CommandError(
                gettext("no organisation named %(name)s (add --create-organisation to create it)")
                % {"name": repr(org_name)}
            )

        names = {"email": options["email"], "first_name": options["first_name"], "last_name": options["last_name"]}
        password = self._read_password(options["password_stdin"])
        try:
            validate_password(password, user=User(username=username, **names))
        except ValidationError as exc:
            raise CommandError(gettext("the password is refused:") + "\n  " + "\n  ".join(exc.messages)) from None

        with transaction.atomic():
            if organisation is None:
                organisation = Organisation.objects.create(name=org_name)
                self.stdout.write(gettext("Created organisation %(name)s.") % {"name": repr(organisation.name)})
            user = actions.create_user(
                username=username,
                password=password,
                organisation=organisation,
                role=options["role"],
                actor=None,
                **names,
            )
        self.stdout.write(
            gettext("Created %(role)s %(username)s in %(organisation)s.")
            % {"role": options["role"], "username": repr(user.username), "organisation": repr(organisation.name)}
        )

    def _read_password(self, from_stdin: bool) -> str:
        if from_stdin:
            line = sys.stdin.readline()
            password = line[:-1] if line.endswith("\n") else line
            if not password:
                raise CommandError(gettext("no password on standard input"))
            return password
        if not sys.stdin.isatty():
            raise CommandError(gettext("standard input is not a terminal: pass the password with --password-stdin"))
        first = getpass.getpass(gettext("Password: "))
        second = getpass.getpass(gettext("Password (again): "))
        if first != second:
            raise CommandError(gettext("the two passwords differ"))
        if not first:
            raise CommandError(gettext("the password is empty"))
        return first

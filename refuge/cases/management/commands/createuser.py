"""`refuge createuser`: a user with a role in one organisation."""

from __future__ import annotations

import getpass
import sys
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from refuge.accounts import actions
from refuge.accounts.models import Organisation, Role, User


class Command(BaseCommand):
    help = "Create a user in an organisation with a role (admin, lawyer, caseworker, analyst)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--organisation", required=True, help="the organisation's name")
        parser.add_argument("--role", required=True, choices=Role.values)
        parser.add_argument("--email", default="")
        parser.add_argument("--first-name", default="")
        parser.add_argument("--last-name", default="")
        parser.add_argument(
            "--password-stdin", action="store_true", help="read the password from the first line of standard input"
        )
        parser.add_argument(
            "--create-organisation", action="store_true", help="create the organisation if it does not exist"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        username: str = options["username"].strip()
        if not username:
            raise CommandError("the username is empty")
        if User.objects.filter(username__iexact=username).exists():
            raise CommandError(f"a user named {username!r} already exists")
        org_name: str = options["organisation"].strip()
        organisation = Organisation.objects.filter(name=org_name).first()
        if organisation is None and not options["create_organisation"]:
            raise CommandError(f"no organisation named {org_name!r} (add --create-organisation to create it)")

        names = {"email": options["email"], "first_name": options["first_name"], "last_name": options["last_name"]}
        password = self._read_password(options["password_stdin"])
        try:
            validate_password(password, user=User(username=username, **names))
        except ValidationError as exc:
            raise CommandError("the password is refused:\n  " + "\n  ".join(exc.messages)) from None

        with transaction.atomic():
            if organisation is None:
                organisation = Organisation.objects.create(name=org_name)
                self.stdout.write(f"Created organisation {organisation.name!r}.")
            user = actions.create_user(
                username=username,
                password=password,
                organisation=organisation,
                role=options["role"],
                actor=None,
                **names,
            )
        self.stdout.write(f"Created {options['role']} {user.username!r} in {organisation.name!r}.")

    def _read_password(self, from_stdin: bool) -> str:
        if from_stdin:
            line = sys.stdin.readline()
            password = line[:-1] if line.endswith("\n") else line
            if not password:
                raise CommandError("no password on standard input")
            return password
        if not sys.stdin.isatty():
            raise CommandError("standard input is not a terminal: pass the password with --password-stdin")
        first = getpass.getpass("Password: ")
        second = getpass.getpass("Password (again): ")
        if first != second:
            raise CommandError("the two passwords differ")
        if not first:
            raise CommandError("the password is empty")
        return first

"""`refuge lockdown ORGANISATION [--lift]`: stop one organisation (or let it in again), no other."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandError, CommandParser
from django.utils.translation import gettext, gettext_noop

from refuge.accounts import actions
from refuge.accounts.models import Organisation
from refuge.lib.commands import RefugeCommand


class Command(RefugeCommand):
    help = gettext_noop("Lock down one organisation (end its sessions and feeds, suspend its logins), or --lift it.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("organisation", help=gettext("the organisation's name"))
        parser.add_argument("--lift", action="store_true", help=gettext("let its people log in again"))

    def handle(self, *args: Any, organisation: str, lift: bool, **options: Any) -> None:
        org = Organisation.objects.filter(name=organisation).first()
        if org is None:
            raise CommandError(gettext("no organisation named %(name)s") % {"name": repr(organisation)})
        if lift:
            lifted = actions.lift_lock_down(organisation=org, actor=None)
            self.stdout.write(
                gettext("Lock-down lifted: its people may log in again.")
                if lifted
                else gettext("It was not locked down.")
            )
            return
        done = actions.lock_down_organisation(organisation=org, actor=None)
        self.stdout.write(
            gettext(
                "Locked down: %(sessions)s sessions ended, %(feeds)s calendar feeds revoked; "
                "nobody of it logs in until `refuge lockdown --lift`."
            )
            % {"sessions": done["sessions"], "feeds": done["feeds"]}
        )

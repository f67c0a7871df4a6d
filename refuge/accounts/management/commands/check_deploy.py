"""`refuge check-deploy`: exit 0 only for a configuration fit for client data.

Runs `check --deploy --fail-level WARNING`: Django's deployment checks, the vault's checks (no
development key file, uploads encrypted as they arrive) and Refuge's own (refuge.accounts.checks:
CSP, Argon2 first, session limits, second factor, no demo exemption, DEBUG off, secure cookies,
password guesses throttled, no passkey policy on an IP address, a shared secret key when
REFUGE_MULTI_HOST says several machines serve). Messages that are translated come in the
operator's language (LANG and the other locale variables). Any warning fails it, as any
error does. Then, as information that passes, whether organisations require passkeys of admins.
"""

from __future__ import annotations

from typing import Any

from django.core.management import call_command
from django.utils.translation import gettext, gettext_noop

from refuge.accounts.checks import passkey_policy_counts
from refuge.lib.commands import RefugeCommand


class Command(RefugeCommand):
    help = gettext_noop("Check that this configuration is fit for production (exit status 1 on any warning or error).")

    def handle(self, *args: Any, **options: Any) -> None:
        call_command("check", deploy=True, fail_level="WARNING", stdout=self.stdout, stderr=self.stderr)
        counts = passkey_policy_counts()
        if counts is None:
            self.stdout.write(
                gettext("check-deploy: passkeys for admins: no organisation yet (database not migrated).")
            )
        else:
            required, total = counts
            if required:
                said = gettext(
                    "check-deploy: passkeys for admins and lawyers: required "
                    "(%(required)s of %(total)s organisation(s) require them)."
                )
            else:
                said = gettext(
                    "check-deploy: passkeys for admins and lawyers: not required "
                    "(%(required)s of %(total)s organisation(s) require them)."
                )
            self.stdout.write(said % {"required": required, "total": total})
        self.stdout.write(gettext("check-deploy: this configuration is fit for production."))

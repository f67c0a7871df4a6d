"""`refuge demo`: migrate, load the fictional demo data (refuge/demo/data), print the logins (and serve)."""

from __future__ import annotations

import subprocess
import sys
import zoneinfo
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError, CommandParser
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop

from refuge.accounts.models import Organisation
from refuge.demo.load import DemoConflictError, DemoResult, build_demo, demo_casefiles, reset_demo
from refuge.demo.manifest import DATA, DemoDataError, read_manifest
from refuge.lib.commands import RefugeCommand
from refuge.vault.models import RootKey

T = TypeVar("T")
INVALID = 2  # exit status when the demo's data is invalid (as `refuge import` on an invalid file)


class Command(RefugeCommand):
    help = gettext_noop("Load about thirty fictional cases with demo users (idempotent); --serve then serves them.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--serve", action="store_true", help=gettext("then serve on --host:--port (as `refuge serve`)")
        )
        parser.add_argument(
            "--reset", action="store_true", help=gettext("delete the demo organisation first and rebuild it")
        )
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument(
            "--no-worker",
            action="store_true",
            help=gettext("with --serve: do not run `refuge worker` beside the server"),
        )
        parser.add_argument(
            "--no-mailsink",
            action="store_true",
            help=gettext("with --serve: do not run a local mail server (`refuge mailsink`) on REFUGE_SMTP_PORT"),
        )
        parser.add_argument(
            "--list-names",
            action="store_true",
            help=gettext(
                "print every demo person's (invented) names, one per line, and stop: for checking a copied disk"
            ),
        )
        parser.add_argument(
            "--no-history",
            action="store_true",
            help=gettext("leave out the ten years of closed asylum cases behind the statistics page"),
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help=gettext("load even where other organisations exist (the demo users' password is public)"),
        )
        parser.add_argument(
            "--data",
            type=Path,
            default=DATA,
            help=gettext("a folder with a manifest.json and its case files, instead of the demo shipped with Refuge"),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            manifest = read_manifest(options["data"])
        except DemoDataError as exc:
            raise CommandError(str(exc), returncode=INVALID) from None
        zone = zoneinfo.ZoneInfo(manifest.zone)  # most demo cases are in Russia: their "today"
        if options["list_names"]:
            today = timezone.now().astimezone(zone).date()
            docs = self._load(lambda: demo_casefiles(manifest, today=today))
            names = {n["value"] for _, doc in docs for n in doc.get("person", {}).get("names", [])}
            self.stdout.write("\n".join(sorted(names)))
            return
        call_command("migrate", interactive=False, verbosity=0)
        if not RootKey.objects.exists():
            # The demo is development: an INSECURE key file, named as such at every start.
            call_command("vault", "init", "--dev", stdout=self.stdout, stderr=self.stderr)
        others = Organisation.objects.exclude(is_demo=True)
        if others.exists() and not options["force"]:
            raise CommandError(
                gettext(
                    "this database holds %(count)s other organisation(s); the demo adds users whose password "
                    "is published. Use an empty REFUGE_DATA_DIR, or --force if this really is a test database."
                )
                % {"count": others.count()}
            )
        if options["reset"]:
            deleted = reset_demo()
            self.stdout.write(gettext("Deleted the demo organisation (%(count)s cases).") % {"count": deleted})

        now = timezone.now()
        today = now.astimezone(zone).date()
        result = self._load(
            lambda: build_demo(today=today, now=now, history=not options["no_history"], data=options["data"])
        )
        if result.created:
            self.stdout.write(
                gettext("Loaded %(count)s fictional cases into %(organisation)s.")
                % {"count": len(result.created), "organisation": repr(result.organisation.name)}
            )
        if result.history:
            self.stdout.write(
                gettext("Loaded %(count)s closed historical cases for the statistics page.") % {"count": result.history}
            )
        if result.existing:
            self.stdout.write(
                gettext("%(count)s demo cases were already there and were left as they are (--reset rebuilds).")
                % {"count": len(result.existing)}
            )
        if options["verbosity"] >= 2:
            for reference, summary in result.summaries:
                self.stdout.write(f"  {reference}  {summary}")
        self._print_logins(options["host"], options["port"], result)
        if options["serve"]:
            self._serve(options)

    @staticmethod
    def _load(load: Callable[[], T]) -> T:
        """Run a load; invalid data, or a demo name taken by a real user or organisation, is the command's error."""
        try:
            return load()
        except DemoDataError as exc:
            raise CommandError(str(exc), returncode=INVALID) from None
        except DemoConflictError as exc:
            raise CommandError(str(exc)) from None

    def _serve(self, options: dict[str, Any]) -> None:
        """The server, with the alerts' worker and a local mail sink beside it, stopped together."""
        children: list[subprocess.Popen[bytes]] = []
        if not options["no_mailsink"]:
            folder = settings.DATA_DIR / "mail"
            children.append(self._child("mailsink", "--port", str(settings.REFUGE_SMTP_PORT), "--dir", str(folder)))
            self.stdout.write(
                gettext(
                    "Alert e-mails go to a local mail server on port %(port)s: open the .eml files "
                    "in %(folder)s (their acknowledge links work)."
                )
                % {"port": settings.REFUGE_SMTP_PORT, "folder": folder}
            )
        if not options["no_worker"]:
            children.append(self._child("worker"))
        served = f"http://{options['host']}:{options['port']}"
        if settings.REFUGE_BASE_URL.rstrip("/") != served:
            self.stderr.write(
                gettext(
                    "Links in alert e-mails and calendar feeds point at %(base)s, not %(served)s: "
                    "set REFUGE_BASE_URL=%(served)s (make demo PORT=... does)."
                )
                % {"base": settings.REFUGE_BASE_URL, "served": served}
            )
        try:
            call_command("serve", host=options["host"], port=options["port"])
        finally:
            for child in children:
                child.terminate()
            for child in children:
                try:
                    child.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    child.kill()

    @staticmethod
    def _child(*args: str) -> subprocess.Popen[bytes]:
        return subprocess.Popen([sys.executable, "-m", "refuge", *args])  # noqa: S603  # our own interpreter and module

    def _print_logins(self, host: str, port: int, result: DemoResult) -> None:
        width = max(len(u) for u, _ in result.users)
        lines = [
            "",
            f"Log in at http://{host}:{port}/accounts/login/ with the password {result.password!r} and one of:",
            *(f"  {username:<{width}}  {role}" for username, role in result.users),
            "",
            f"Data: {self._where()} (every name, court and number in it is invented).",
            self._second_factor(),
        ]
        self.stdout.write("\n".join(lines))

    @staticmethod
    def _second_factor() -> str:
        if not settings.REFUGE_REQUIRE_2FA or settings.REFUGE_DEMO_NO_2FA:
            return (
                "Demo only: REFUGE_DEMO_NO_2FA is set, so these users need no second factor; their password "
                "is public. `refuge check-deploy` refuses this setting."
            )
        return (
            "demo-admin, demo-lawyer and demo-lawyer2 then set up an authenticator app (TOTP): the page shows "
            "a QR code and the secret. For the password alone, run with REFUGE_DEMO_NO_2FA=true (as `make demo` does)."
        )

    @staticmethod
    def _where() -> str:
        db = settings.DATABASES["default"]
        if str(db["ENGINE"]).endswith("sqlite3"):
            return str(db["NAME"])
        return f"PostgreSQL database {db['NAME']!r} on {db.get('HOST') or 'the local socket'}"

"""`refuge restore FILE --identity KEY`: into an empty deployment; `--check` verifies without restoring."""

from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError
from django.utils.translation import gettext, gettext_noop

from refuge.backup.actions import check_backup, restore_backup
from refuge.backup.snapshot import BackupError
from refuge.lib.commands import RefugeCommand
from refuge.vault.shredlog import ShreddingLogError


def _path(value: str | None) -> Path | None:
    return Path(value).expanduser() if value else None


class Command(RefugeCommand):
    help = gettext_noop("Restore a backup into an empty data directory and database, or --check one.")
    requires_system_checks: list[str] = []  # the target is empty: nothing to check yet
    requires_migrations_checks = False

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("file", metavar="FILE", help=gettext("a file made by `refuge backup`"))
        parser.add_argument(
            "--check", action="store_true", help=gettext("verify the manifest and signature; restore nothing")
        )
        parser.add_argument(
            "--identity",
            metavar="KEYFILE",
            help=gettext("the age identity (AGE-SECRET-KEY-1…) the backup is encrypted to"),
        )
        parser.add_argument(
            "--public-key",
            metavar="FILE",
            help=gettext("the signer's public key (default: this deployment's audit-signing.pub)"),
        )
        parser.add_argument(
            "--shredded-log",
            metavar="FILE",
            help=gettext("the current shredding log: cases deleted after the backup are deleted again"),
        )
        parser.add_argument(
            "--no-shredding-log",
            action="store_true",
            help=gettext("restore without a shredding log (say so only when no case was deleted since the backup)"),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"]).expanduser()
        try:
            if options["check"]:
                self._check(path, options)
                return
            if not options["identity"]:
                raise BackupError(gettext("give --identity KEYFILE: the age private key the backup is encrypted to"))
            result = restore_backup(
                path=path,
                identity_path=Path(options["identity"]).expanduser(),
                public_key_path=_path(options["public_key"]),
                shredding_log=_path(options["shredded_log"]),
                no_shredding_log=options["no_shredding_log"],
            )
        except (BackupError, ShreddingLogError) as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(
            gettext(
                "restored the backup of %(created)s: %(files)s stored file(s); "
                "%(cases)s case(s) deleted again from the shredding log"
            )
            % {"created": result.manifest["created_at"], "files": result.files, "cases": result.reshredded}
        )
        self.stdout.write(
            gettext(
                "next: `refuge migrate` (if this Refuge is newer), `refuge unseal` with the shares the backup needs"
            )
        )

    def _check(self, path: Path, options: dict[str, Any]) -> None:
        result = check_backup(
            path=path, public_key_path=_path(options["public_key"]), identity_path=_path(options["identity"])
        )
        manifest = result.manifest
        chains = manifest["snapshot"]["chains"]
        self.stdout.write(
            gettext(
                "backup OK: made %(created)s (%(database)s), signed by key %(key)s; %(members)s member(s), "
                "%(entries)s audit entries in %(chains)s chain(s)"
            )
            % {
                "created": manifest["created_at"],
                "database": manifest["database"],
                "key": manifest["key_id"],
                "members": len(manifest["members"]),
                "entries": sum(c["seq"] for c in chains),
                "chains": len(chains),
            }
        )
        if result.members_checked:
            self.stdout.write(gettext("every member's hash checked (%(count)s)") % {"count": result.members_checked})
        else:
            self.stdout.write(gettext("members not decrypted: give --identity KEYFILE to check their hashes too"))

"""`refuge backup -o FILE`: the database and every stored file, encrypted to age public keys, signed."""

from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import CommandError
from django.utils.translation import gettext, gettext_noop

from refuge.backup import archive
from refuge.backup.actions import make_backup
from refuge.backup.snapshot import BackupError
from refuge.lib.commands import RefugeCommand


class Command(RefugeCommand):
    help = gettext_noop(
        "Make a consistent online backup of the database and stored files, encrypted with age and signed."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("-o", "--output", metavar="FILE", required=True, help=gettext("where to write the backup"))
        parser.add_argument(
            "--recipient",
            action="append",
            default=[],
            metavar="AGE_PUBLIC_KEY",
            help=gettext("an age public key (age1…) to encrypt to; repeat for more (default REFUGE_BACKUP_RECIPIENTS)"),
        )
        parser.add_argument("--recipients-file", metavar="FILE", help=gettext("a file of age public keys, one a line"))
        parser.add_argument(
            "--signing-key",
            metavar="FILE",
            help=gettext(
                "an Ed25519 PEM key to sign with (default: the audit checkpoints' key, `refuge audit keygen`)"
            ),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        recipients = list(options["recipient"])
        try:
            if options["recipients_file"]:
                recipients += archive.read_recipients_file(Path(options["recipients_file"]).expanduser())
            if not recipients:
                recipients = list(settings.REFUGE_BACKUP_RECIPIENTS)
            output = Path(options["output"]).expanduser()
            if output.exists():
                raise BackupError(gettext("%(path)s exists: a backup never overwrites a file") % {"path": output})
            key = Path(options["signing_key"]).expanduser() if options["signing_key"] else None
            manifest = make_backup(output=output, recipients=recipients, key_path=key)
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        chains = manifest["snapshot"]["chains"]
        self.stderr.write(
            gettext(
                "backup written to %(path)s: %(members)s member(s), %(entries)s audit entries in %(chains)s chain(s), "
                "encrypted to %(recipients)s recipient(s)"
            )
            % {
                "path": output,
                "members": len(manifest["members"]),
                "entries": sum(c["seq"] for c in chains),
                "chains": len(chains),
                "recipients": len(recipients),
            }
        )
        if manifest["files_missing"]:
            self.stderr.write(
                gettext(
                    "%(count)s stored file(s) were deleted while the backup ran (their cases are in the shredding log)"
                )
                % {"count": len(manifest["files_missing"])}
            )
        self.stdout.write(manifest["payload"]["sha256"])

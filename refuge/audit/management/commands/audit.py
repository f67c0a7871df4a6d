"""`refuge audit keygen | checkpoint | verify`: the signing key, signed checkpoints, and the chain's check."""

from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from refuge.audit import checkpoint as cp
from refuge.audit.models import AuditHead
from refuge.audit.verify import verify


class Command(BaseCommand):
    help = "Make the checkpoint signing key, sign a checkpoint of the audit log, or verify the log."

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        keygen = sub.add_parser("keygen", help="make the Ed25519 key that signs checkpoints")
        keygen.add_argument(
            "-o", "--output", metavar="FILE", help=f"where to write it (default REFUGE_DATA_DIR/{cp.KEY_FILE})"
        )
        keygen.add_argument("--force", action="store_true", help="replace an existing key")
        check = sub.add_parser(
            "checkpoint", help="sign each chain's (first, last, head hash) and the time, after verifying them"
        )
        check.add_argument(
            "-o", "--output", metavar="FILE", help="write the checkpoint to FILE (default: standard output)"
        )
        check.add_argument("--no-verify", action="store_true", help="sign the head without walking the chain first")
        ver = sub.add_parser("verify", help="recompute the chain; with --checkpoint, detect truncation and rewrites")
        ver.add_argument("--checkpoint", metavar="FILE", help="a checkpoint made earlier by `refuge audit checkpoint`")
        ver.add_argument(
            "--public-key", metavar="FILE", help="the witness's copy of the public key (default: this server's own key)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            if options["action"] == "keygen":
                self._keygen(options)
            elif options["action"] == "checkpoint":
                self._checkpoint(options)
            else:
                self._verify(options)
        except cp.CheckpointError as exc:
            raise CommandError(str(exc)) from None

    def _keygen(self, options: dict[str, Any]) -> None:
        path = Path(options["output"]).expanduser() if options["output"] else cp.default_key_path()
        key = cp.generate(path, force=options["force"])
        self.stderr.write(f"signing key written to {path} (mode 600); public key in {cp.public_key_path(path)}")
        self.stderr.write("Give the witness this public key; it verifies every checkpoint signed from now on:")
        self.stdout.write(cp.public_key_text(key.public_key()))

    def _checkpoint(self, options: dict[str, Any]) -> None:
        key = cp.signing_key()
        if options["no_verify"]:
            heads = AuditHead.objects.filter(seq__gt=0).values_list("chain", "seq", "hash")
            marks = [cp.Mark(chain=int(c), first=1, last=int(s), head=str(h)) for c, s, h in heads]
        else:
            report = verify()
            if report.problem is not None:
                raise CommandError(f"not signed: the audit log is broken at {report.problem}", returncode=1)
            marks = [cp.Mark(chain=c.chain, first=1, last=c.count, head=c.head) for c in report.chains if c.count]
        signed = cp.make(chains=marks, at=timezone.now(), key=key)
        if options["output"] and options["output"] != "-":
            Path(options["output"]).expanduser().write_text(signed.to_json(), encoding="utf-8")
            self.stderr.write(
                f"checkpoint of {signed.size} entries in {len(marks)} chain(s) written to {options['output']}"
            )
        else:
            self.stdout.write(signed.to_json(), ending="")

    def _verify(self, options: dict[str, Any]) -> None:
        checkpoint = None
        if options["checkpoint"]:
            checkpoint = cp.read(Path(options["checkpoint"]).expanduser())
            if options["public_key"]:
                public = cp.load_public_key(Path(options["public_key"]).expanduser())
            else:
                public = cp.signing_key().public_key()
                self.stderr.write("checking the signature with this server's own key (a witness uses --public-key)")
            cp.check_signature(checkpoint, public)
        report = verify(checkpoint=checkpoint)
        broken = [c for c in report.chains if c.problem is not None]
        for c in report.chains:
            state = "OK" if c.ok else f"BROKEN at {c.problem}"
            self.stdout.write(f"chain {c.chain}: {c.count} entries verify, head {c.head}: {state}")
        if broken:
            raise CommandError(
                f"audit log BROKEN at {broken[0].problem} ({len(broken)} of {len(report.chains)} chains broken)",
                returncode=1,
            )
        line = f"audit log OK: {report.count} entries in {len(report.chains)} chain(s)"
        if checkpoint is not None:
            line += f"; it holds the checkpoint of {checkpoint.at} ({checkpoint.size} entries)"
        self.stdout.write(line)

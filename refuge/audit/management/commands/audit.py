"""`refuge audit keygen | checkpoint | verify`: the signing key, signed checkpoints, and the chain's check."""

from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop

from refuge.audit import checkpoint as cp
from refuge.audit.models import AuditHead
from refuge.audit.verify import verify
from refuge.lib.commands import RefugeCommand


class Command(RefugeCommand):
    help = gettext_noop("Make the checkpoint signing key, sign a checkpoint of the audit log, or verify the log.")

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        keygen = sub.add_parser("keygen", help=gettext("make the Ed25519 key that signs checkpoints"))
        keygen.add_argument(
            "-o", "--output", metavar="FILE", help=f"where to write it (default REFUGE_DATA_DIR/{cp.KEY_FILE})"
        )
        keygen.add_argument("--force", action="store_true", help=gettext("replace an existing key"))
        check = sub.add_parser(
            "checkpoint", help=gettext("sign each chain's (first, last, head hash) and the time, after verifying them")
        )
        check.add_argument(
            "-o", "--output", metavar="FILE", help=gettext("write the checkpoint to FILE (default: standard output)")
        )
        check.add_argument(
            "--no-verify", action="store_true", help=gettext("sign the head without walking the chain first")
        )
        ver = sub.add_parser(
            "verify", help=gettext("recompute the chain; with --checkpoint, detect truncation and rewrites")
        )
        ver.add_argument(
            "--checkpoint", metavar="FILE", help=gettext("a checkpoint made earlier by `refuge audit checkpoint`")
        )
        ver.add_argument(
            "--public-key",
            metavar="FILE",
            help=gettext("the witness's copy of the public key (default: this server's own key)"),
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
        self.stderr.write(
            gettext("signing key written to %(path)s (mode 600); public key in %(public)s")
            % {"path": path, "public": cp.public_key_path(path)}
        )
        self.stderr.write(gettext("Give the witness this public key; it verifies every checkpoint signed from now on:"))
        self.stdout.write(cp.public_key_text(key.public_key()))

    def _checkpoint(self, options: dict[str, Any]) -> None:
        key = cp.signing_key()
        if options["no_verify"]:
            heads = AuditHead.objects.filter(seq__gt=0).values_list("chain", "seq", "hash")
            marks = [cp.Mark(chain=int(c), first=1, last=int(s), head=str(h)) for c, s, h in heads]
        else:
            report = verify()
            if report.problem is not None:
                raise CommandError(
                    gettext("not signed: the audit log is broken at %(problem)s") % {"problem": report.problem},
                    returncode=1,
                )
            marks = [cp.Mark(chain=c.chain, first=1, last=c.count, head=c.head) for c in report.chains if c.count]
        signed = cp.make(chains=marks, at=timezone.now(), key=key)
        if options["output"] and options["output"] != "-":
            Path(options["output"]).expanduser().write_text(signed.to_json(), encoding="utf-8")
            self.stderr.write(
                gettext("checkpoint of %(entries)s entries in %(chains)s chain(s) written to %(path)s")
                % {"entries": signed.size, "chains": len(marks), "path": options["output"]}
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
                self.stderr.write(
                    gettext("checking the signature with this server's own key (a witness uses --public-key)")
                )
            cp.check_signature(checkpoint, public)
        report = verify(checkpoint=checkpoint)
        broken = [c for c in report.chains if c.problem is not None]
        for c in report.chains:
            state = "OK" if c.ok else gettext("BROKEN at %(problem)s") % {"problem": c.problem}
            self.stdout.write(
                gettext("chain %(chain)s: %(count)s entries verify, head %(head)s: %(state)s")
                % {"chain": c.chain, "count": c.count, "head": c.head, "state": state}
            )
        if broken:
            raise CommandError(
                gettext("audit log BROKEN at %(problem)s (%(broken)s of %(chains)s chains broken)")
                % {"problem": broken[0].problem, "broken": len(broken), "chains": len(report.chains)},
                returncode=1,
            )
        line = gettext("audit log OK: %(count)s entries in %(chains)s chain(s)") % {
            "count": report.count,
            "chains": len(report.chains),
        }
        if checkpoint is not None:
            line += gettext("; it holds the checkpoint of %(at)s (%(entries)s entries)") % {
                "at": checkpoint.at,
                "entries": checkpoint.size,
            }
        self.stdout.write(line)

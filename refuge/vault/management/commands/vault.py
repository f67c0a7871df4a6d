"""`refuge vault init | rotate | status`: the vault's root key, made, changed and described."""

from __future__ import annotations

import sys
from argparse import ArgumentParser
from typing import Any, TextIO, cast

from django.core.management.base import BaseCommand, CommandError

from refuge.vault import agent, cli, keys, rotation, state
from refuge.vault.models import CaseKey, OrganisationKey, RootKey, RootKeySource, RootKeyStatus

SHARES_NOTICE = """
The vault's root key was split into {n} shares; any {k} of them unseal the server.
Each share is shown ONCE, here, and is stored nowhere. Give each to a different operator,
written on paper, and keep the paper away from this server.
"""


def _add_source_arguments(parser: ArgumentParser, *, required: bool) -> None:
    group = parser.add_mutually_exclusive_group(required=required)
    group.add_argument("--dev", action="store_true", help="an INSECURE key file under REFUGE_DATA_DIR (development)")
    group.add_argument("--shares", type=int, metavar="N", help="split the key into N SLIP-39 shares")
    group.add_argument("--passphrase", action="store_true", help="derive the key from a passphrase (scrypt)")
    parser.add_argument("--threshold", type=int, metavar="K", help="shares needed to unseal (with --shares)")
    parser.add_argument(
        "--scrypt-n", type=int, default=keys.SCRYPT_N, help=f"scrypt cost, a power of two (default {keys.SCRYPT_N})"
    )


class Command(BaseCommand):
    help = "Initialise the vault's root key, rotate it, or show the vault's status."

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        init = sub.add_parser("init", help="create the root key (once)")
        _add_source_arguments(init, required=True)
        rotate = sub.add_parser("rotate", help="re-wrap every case key under a new root key (resumable)")
        _add_source_arguments(rotate, required=False)
        rotate.add_argument("--batch-size", type=int, default=200, help="rows per batch (default 200)")
        rotate.add_argument("--pause", type=float, default=0.0, help="seconds to wait between batches")
        sub.add_parser("status", help="describe the vault (no secrets)")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "init":
            self._init(options)
        elif action == "rotate":
            self._rotate(options)
        else:
            self._status()

    # --- helpers ---

    def _secret(self, prompt: str) -> str:
        # the wrapped stream (django-stubs types OutputWrapper._out as a callable)
        return cli.read_secret(prompt, stdin=sys.stdin, stderr=cast("TextIO", self.stderr._out))

    def _new_key(self, options: dict[str, Any], *, like: RootKey | None = None) -> keys.NewRootKey:
        source = None
        if options.get("dev"):
            source = RootKeySource.DEV
        elif options.get("shares") is not None:
            source = RootKeySource.SHARES
        elif options.get("passphrase"):
            source = RootKeySource.PASSPHRASE
        elif like is not None:
            source = str(like.source)
        shares, threshold = options.get("shares"), options.get("threshold")
        if source == RootKeySource.SHARES and shares is None and like is not None:
            shares, threshold = int(like.params["shares"]), int(like.params["threshold"])
        passphrase = None
        if source == RootKeySource.PASSPHRASE:
            passphrase = self._secret("New vault passphrase: ")
            if self._is_tty() and self._secret("Again: ") != passphrase:
                raise CommandError("the passphrases differ")
        try:
            return keys.new_root_key(
                source=str(source),
                shares=shares,
                threshold=threshold,
                passphrase=passphrase,
                scrypt_n=options.get("scrypt_n") or keys.SCRYPT_N,
            )
        except keys.SourceError as exc:
            raise CommandError(str(exc)) from None

    def _is_tty(self) -> bool:
        return sys.stdin.isatty()

    def _announce(self, row: RootKey, mnemonics: list[str]) -> None:
        if row.source == RootKeySource.SHARES:
            self.stdout.write(SHARES_NOTICE.format(n=row.params["shares"], k=row.params["threshold"]))
            for number, mnemonic in enumerate(mnemonics, start=1):
                self.stdout.write(f"share {number}: {mnemonic}")
            self.stdout.write("")
        RootKey.objects.filter(pk=row.pk).update(announced=True)

    # --- actions ---

    def _init(self, options: dict[str, Any]) -> None:
        new = self._new_key(options)
        try:
            row = keys.init_vault(new)
        except keys.SourceError as exc:
            raise CommandError(str(exc)) from None
        self._announce(row, new.mnemonics)
        if new.source == RootKeySource.DEV:
            self.stderr.write(
                f"WARNING: development key file written to {keys.dev_key_path()}. It protects nothing: "
                "never put real client data in this vault."
            )
        self.stdout.write(f"vault initialised: root key v1 ({row.get_source_display()})")

    def _rotate(self, options: dict[str, Any]) -> None:
        cli.unseal_here(stdin=sys.stdin, stderr=cast("TextIO", self.stderr._out))  # as in _secret
        pending = keys.pending_root_key()
        if pending is None:
            active = keys.active_root_key()
            new = self._new_key(options, like=active)
            try:
                pending = rotation.begin(new)
            except rotation.RotationError as exc:
                raise CommandError(str(exc)) from None
            self._announce(pending, new.mnemonics)
            self.stdout.write(f"rotation to root key v{pending.version} started")
        else:
            self.stdout.write(f"resuming the rotation to root key v{pending.version}")
            if not pending.announced:
                # The shares were never shown (the command died first): split the same key again.
                new_key = state.root_key(pending.version)
                mnemonics, identifier = keys.split_into_shares(
                    new_key, shares=int(pending.params["shares"]), threshold=int(pending.params["threshold"])
                )
                RootKey.objects.filter(pk=pending.pk).update(params={**pending.params, "identifier": identifier})
                pending.params = {**pending.params, "identifier": identifier}
                self._announce(pending, mnemonics)
        if options["batch_size"] < 1:
            raise CommandError("--batch-size must be at least 1")

        def report(line: str) -> None:
            self.stdout.write(line)
            self.stdout.flush()

        done = rotation.run(batch_size=options["batch_size"], pause=options["pause"], report=report)
        self.stdout.write(f"rotation finished: root key v{done.version} ({done.get_source_display()}) is active")

    def _status(self) -> None:
        control = state.control()
        rows = list(RootKey.objects.exclude(status=RootKeyStatus.RETIRED))
        if not rows:
            self.stdout.write("vault: not initialised (run `refuge vault init`)")
        for row in rows:
            extra = ""
            if row.source == RootKeySource.SHARES:
                extra = f", {row.params['threshold']} of {row.params['shares']} shares"
            self.stdout.write(f"root key v{row.version}: {row.status}, {row.get_source_display()}{extra}")
            if row.status == RootKeyStatus.PENDING:
                left = rotation.remaining(row.version)
                self.stdout.write(
                    f"rotation in progress: {left[0]} data keys and {left[1]} index entries left;"
                    " run `refuge vault rotate` to finish it"
                )
        self.stdout.write(f"case keys: {CaseKey.objects.count()}")
        self.stdout.write(f"organisation keys: {OrganisationKey.objects.count()}")
        self.stdout.write(f"seal epoch: {control.seal_epoch}; last sealed: {control.sealed_at or 'never'}")
        self.stdout.write(
            f"failed unseal attempts: {control.failed_unseals}; last: {control.last_failed_unseal_at or 'never'}"
        )
        self._agent_status()
        if keys.dev_key_exists():
            self.stdout.write(f"WARNING: development key file present at {keys.dev_key_path()}: INSECURE")

    def _agent_status(self) -> None:
        """What this host's `refuge serve` holds, from its key agent (other hosts: ask on each)."""
        try:
            held = agent.call(state.agent_path(), "status")[0]
        except agent.AgentUnavailable:
            self.stdout.write("this host: no `refuge serve` runs with this data directory")
            return
        if held["sealed"]:
            self.stdout.write(f"this host: sealed; {len(held['workers'])} worker processes wait for `refuge unseal`")
            if held["pending"]:
                self.stdout.write(f"this host: {held['pending']} shares entered on the unseal page, waiting for more")
        else:
            self.stdout.write(
                f"this host: unsealed; {len(held['holders'])} of {len(held['workers'])} worker processes hold the key"
            )

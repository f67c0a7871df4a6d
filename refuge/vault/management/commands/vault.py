"""`refuge vault init | rotate | status`: the vault's root key, made, changed and described."""

from __future__ import annotations

import sys
from argparse import ArgumentParser
from typing import Any, TextIO, cast

from django.core.management.base import CommandError
from django.utils.translation import gettext, gettext_noop

from refuge.lib.commands import RefugeCommand
from refuge.vault import agent, cli, keys, rotation, state
from refuge.vault.models import CaseKey, OrganisationKey, RootKey, RootKeySource, RootKeyStatus

SHARES_NOTICE = gettext_noop(
    """
The vault's root key was split into %(shares)s shares; any %(threshold)s of them unseal the server.
Each share is shown ONCE, here, and is stored nowhere. Give each to a different operator,
written on paper, and keep the paper away from this server.
"""
)


def _add_source_arguments(parser: ArgumentParser, *, required: bool) -> None:
    group = parser.add_mutually_exclusive_group(required=required)
    group.add_argument(
        "--dev", action="store_true", help=gettext("an INSECURE key file under REFUGE_DATA_DIR (development)")
    )
    group.add_argument("--shares", type=int, metavar="N", help=gettext("split the key into N SLIP-39 shares"))
    group.add_argument("--passphrase", action="store_true", help=gettext("derive the key from a passphrase (scrypt)"))
    parser.add_argument("--threshold", type=int, metavar="K", help=gettext("shares needed to unseal (with --shares)"))
    parser.add_argument(
        "--scrypt-n", type=int, default=keys.SCRYPT_N, help=f"scrypt cost, a power of two (default {keys.SCRYPT_N})"
    )


class Command(RefugeCommand):
    help = gettext_noop("Initialise the vault's root key, rotate it, or show the vault's status.")

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        init = sub.add_parser("init", help=gettext("create the root key (once)"))
        _add_source_arguments(init, required=True)
        rotate = sub.add_parser("rotate", help=gettext("re-wrap every case key under a new root key (resumable)"))
        _add_source_arguments(rotate, required=False)
        rotate.add_argument("--batch-size", type=int, default=200, help=gettext("rows per batch (default 200)"))
        rotate.add_argument("--pause", type=float, default=0.0, help=gettext("seconds to wait between batches"))
        sub.add_parser("status", help=gettext("describe the vault (no secrets)"))

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
            passphrase = self._secret(gettext("New vault passphrase: "))
            if self._is_tty() and self._secret(gettext("Again: ")) != passphrase:
                raise CommandError(gettext("the passphrases differ"))
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
            self.stdout.write(
                gettext(SHARES_NOTICE) % {"shares": row.params["shares"], "threshold": row.params["threshold"]}
            )
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
                gettext(
                    "WARNING: development key file written to %(path)s. It protects nothing: "
                    "never put real client data in this vault."
                )
                % {"path": keys.dev_key_path()}
            )
        self.stdout.write(gettext("vault initialised: root key v1 (%(source)s)") % {"source": row.get_source_display()})

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
            self.stdout.write(gettext("rotation to root key v%(version)s started") % {"version": pending.version})
        else:
            self.stdout.write(gettext("resuming the rotation to root key v%(version)s") % {"version": pending.version})
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
            raise CommandError(gettext("--batch-size must be at least 1"))

        def report(line: str) -> None:
            self.stdout.write(line)
            self.stdout.flush()

        done = rotation.run(batch_size=options["batch_size"], pause=options["pause"], report=report)
        self.stdout.write(
            gettext("rotation finished: root key v%(version)s (%(source)s) is active")
            % {"version": done.version, "source": done.get_source_display()}
        )

    def _status(self) -> None:
        control = state.control()
        rows = list(RootKey.objects.exclude(status=RootKeyStatus.RETIRED))
        if not rows:
            self.stdout.write(gettext("vault: not initialised (run `refuge vault init`)"))
        for row in rows:
            extra = ""
            if row.source == RootKeySource.SHARES:
                extra = gettext(", %(threshold)s of %(shares)s shares") % {
                    "threshold": row.params["threshold"],
                    "shares": row.params["shares"],
                }
            self.stdout.write(f"root key v{row.version}: {row.status}, {row.get_source_display()}{extra}")
            if row.status == RootKeyStatus.PENDING:
                left = rotation.remaining(row.version)
                self.stdout.write(
                    gettext(
                        "rotation in progress: %(keys)s data keys and %(entries)s index entries left;"
                        " run `refuge vault rotate` to finish it"
                    )
                    % {"keys": left[0], "entries": left[1]}
                )
        never = gettext("never")
        self.stdout.write(gettext("case keys: %(count)s") % {"count": CaseKey.objects.count()})
        self.stdout.write(gettext("organisation keys: %(count)s") % {"count": OrganisationKey.objects.count()})
        self.stdout.write(
            gettext("seal epoch: %(epoch)s; last sealed: %(when)s")
            % {"epoch": control.seal_epoch, "when": control.sealed_at or never}
        )
        self.stdout.write(
            gettext("failed unseal attempts: %(count)s; last: %(when)s")
            % {"count": control.failed_unseals, "when": control.last_failed_unseal_at or never}
        )
        self._agent_status()
        if keys.dev_key_exists():
            self.stdout.write(
                gettext("WARNING: development key file present at %(path)s: INSECURE") % {"path": keys.dev_key_path()}
            )

    def _agent_status(self) -> None:
        """What this host's `refuge serve` holds, from its key agent (other hosts: ask on each)."""
        try:
            held = agent.call(state.agent_path(), "status")[0]
        except agent.AgentUnavailable:
            self.stdout.write(gettext("this host: no `refuge serve` runs with this data directory"))
            return
        if held["sealed"]:
            self.stdout.write(
                gettext("this host: sealed; %(count)s worker processes wait for `refuge unseal`")
                % {"count": len(held["workers"])}
            )
            if held["pending"]:
                self.stdout.write(
                    gettext("this host: %(count)s shares entered on the unseal page, waiting for more")
                    % {"count": held["pending"]}
                )
        else:
            self.stdout.write(
                gettext("this host: unsealed; %(held)s of %(count)s worker processes hold the key")
                % {"held": len(held["holders"]), "count": len(held["workers"])}
            )

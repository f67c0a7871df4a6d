"""What the vault's commands share: reading secrets and unsealing the command's own process."""

from __future__ import annotations

import getpass
import sys
from typing import TextIO

from django.core.management.base import CommandError
from django.utils.translation import gettext

from refuge.vault import keys, state
from refuge.vault.records import RootKey, RootKeySource


def read_secret(prompt: str, *, stdin: TextIO | None = None, stderr: TextIO | None = None) -> str:
    """A secret from the terminal without echo, or one line of standard input when it is not a terminal."""
    stdin = stdin or sys.stdin
    stderr = stderr or sys.stderr
    if stdin.isatty():
        return getpass.getpass(prompt, stream=stderr)
    stderr.write(prompt)
    stderr.flush()
    line = stdin.readline()
    if not line:
        raise CommandError(gettext("no more input: the secret was not given"))
    return line.rstrip("\r\n")


def read_shares(threshold: int, *, stdin: TextIO | None = None, stderr: TextIO | None = None) -> list[str]:
    shares: list[str] = []
    while len(shares) < threshold:
        prompt = gettext("Share %(number)s of %(threshold)s: ") % {"number": len(shares) + 1, "threshold": threshold}
        share = read_secret(prompt, stdin=stdin, stderr=stderr)
        if not share.strip():
            continue
        try:
            keys.share_identifier(share)
        except keys.SourceError as exc:
            raise CommandError(str(exc)) from None
        shares.append(share)
    return shares


def root_key_from_prompt(active: RootKey, *, stdin: TextIO | None = None, stderr: TextIO | None = None) -> bytes:
    """Ask the operator for the active root key's material and rebuild the key (not yet verified)."""
    try:
        if active.source == RootKeySource.SHARES:
            shares = read_shares(int(active.params["threshold"]), stdin=stdin, stderr=stderr)
            return keys.root_key_from_shares(shares)
        if active.source == RootKeySource.PASSPHRASE:
            passphrase = read_secret(gettext("Vault passphrase: "), stdin=stdin, stderr=stderr)
            return keys.root_key_from_passphrase(passphrase, dict(active.params))
    except keys.SourceError as exc:
        state.record_failed_unseal(f"{active.source}: unusable input")
        raise CommandError(str(exc)) from None
    raise CommandError(gettext("a development vault is unsealed from its key file, not by an operator"))


def unseal_here(*, stdin: TextIO | None = None, stderr: TextIO | None = None) -> None:
    """Unseal this command's own process (rotation needs the active key)."""
    if not state.is_sealed():
        return
    try:
        active = keys.active_root_key()
    except keys.VaultNotInitialised as exc:
        raise CommandError(str(exc)) from None
    try:
        if active.source == RootKeySource.DEV:
            state.unseal_with_dev_key()
        else:
            state.unseal(root_key=root_key_from_prompt(active, stdin=stdin, stderr=stderr), source=active.source)
    except state.UnsealError as exc:
        raise CommandError(f"not unsealed: {exc}") from None


def unseal_if_initialised(*, stdin: TextIO | None = None, stderr: TextIO | None = None) -> None:
    """Unseal this command's process when the vault exists (an uninitialised one fails where a key is needed)."""
    try:
        keys.active_root_key()
    except keys.VaultNotInitialised:
        return
    unseal_here(stdin=stdin, stderr=stderr)

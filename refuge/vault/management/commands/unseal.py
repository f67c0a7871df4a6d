"""`refuge unseal`: ask for shares or the passphrase, check them here, hand them to the running server.

The server keeps the key in its own memory, so the operator's material has to reach it: this
command checks it against the vault's verifier first (a typo fails here, counted and logged),
then submits it to the server's unseal page over HTTP (loopback by default; use HTTPS elsewhere).
"""

from __future__ import annotations

import http.cookiejar
import sys
import urllib.error
import urllib.parse
import urllib.request
from argparse import ArgumentParser
from typing import Any, TextIO, cast

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext

from refuge.vault import cli, crypto, keys, state
from refuge.vault.models import RootKeySource

DEFAULT_URL = "http://127.0.0.1:8000/vault/unseal/"
TIMEOUT = 30


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


class Command(BaseCommand):
    help = "Unseal the running server with SLIP-39 shares or the vault passphrase."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--url", default=DEFAULT_URL, help=f"the server's unseal page (default {DEFAULT_URL})")
        parser.add_argument("--check", action="store_true", help=gettext("only check the material against the vault"))

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            active = keys.active_root_key()
        except keys.VaultNotInitialised as exc:
            raise CommandError(str(exc)) from None
        form: dict[str, str] = {}
        if active.source == RootKeySource.DEV:
            if not keys.read_dev_keys():
                raise CommandError(gettext("no development key file at %(path)s") % {"path": keys.dev_key_path()})
        else:
            stderr = cast("TextIO", self.stderr._out)  # the wrapped stream (django-stubs: a callable)
            if active.source == RootKeySource.SHARES:
                shares = cli.read_shares(int(active.params["threshold"]), stdin=sys.stdin, stderr=stderr)
                try:
                    root_key = keys.root_key_from_shares(shares)
                except keys.SourceError:
                    state.record_failed_unseal("shares: do not combine")
                    raise CommandError(gettext("the shares do not combine into a key")) from None
                form["shares"] = "\n".join(shares)
            else:
                passphrase = cli.read_secret(gettext("Vault passphrase: "), stdin=sys.stdin, stderr=stderr)
                root_key = keys.root_key_from_passphrase(passphrase, dict(active.params))
                form["passphrase"] = passphrase
            if not crypto.check_verifier(root_key, bytes(active.verifier)):
                state.record_failed_unseal(f"{active.source}: not the active root key (refuge unseal)")
                raise CommandError(gettext("that is not this vault's root key"))
        if options["check"]:
            self.stdout.write(gettext("the key material opens this vault"))
            return
        self._submit(options["url"], form)

    def _submit(self, url: str, form: dict[str, str]) -> None:
        jar = http.cookiejar.CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), _NoRedirect())
        try:
            opener.open(url, timeout=TIMEOUT)  # an operator-given http(s) URL
        except urllib.error.HTTPError as exc:
            if exc.code not in (200, 503):
                raise CommandError(gettext("the unseal page answered %(status)s") % {"status": exc.code}) from None
        except urllib.error.URLError as exc:
            raise CommandError(
                gettext("cannot reach the server at %(url)s: %(reason)s") % {"url": url, "reason": exc.reason}
            ) from None
        token = next((c.value for c in jar if c.name == settings.CSRF_COOKIE_NAME), None)
        if token is None:
            self.stdout.write(gettext("the server is not sealed (or its unseal page offered no form)"))
            return
        body = urllib.parse.urlencode({**form, "csrfmiddlewaretoken": token}).encode()
        request = urllib.request.Request(url, data=body, headers={"Referer": url, "X-CSRFToken": token})  # noqa: S310  # see above
        try:
            response = opener.open(request, timeout=TIMEOUT)  # see above
            code = response.status
        except urllib.error.HTTPError as exc:
            code = exc.code
        if code in (302, 303):
            self.stdout.write(gettext("the server is unsealed"))
        elif code == 202:
            self.stdout.write(gettext("shares accepted; the server waits for more"))
        else:
            raise CommandError(
                gettext("the server refused to unseal (HTTP %(status)s); see its log") % {"status": code}
            )

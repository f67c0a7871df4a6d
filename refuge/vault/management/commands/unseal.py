"""`refuge unseal`: ask for shares or the passphrase, check them here, hand the key to the servers.

The servers keep the key in memory only, so the operator's material has to reach them: this
command checks it against the vault's verifier first (a typo fails here, counted and logged), then

- without --url, on the host that runs `refuge serve`: hands the verified root key to the host's
  key agent (refuge.vault.agent, a Unix socket in the data directory), from which every worker
  process of the server takes it within a second; it waits for them and says how many hold it;
- with --url (repeatable: one per host of a multi-machine deployment): submits the material to
  each host's unseal page, over HTTPS (plain HTTP only to this machine's loopback address); the
  worker that receives it hands the key to its own host's agent.
"""

from __future__ import annotations

import http.cookiejar
import ipaddress
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from argparse import ArgumentParser
from typing import Any, TextIO, cast

from django.conf import settings
from django.core.management.base import CommandError
from django.utils.translation import gettext, gettext_noop

from refuge.lib.commands import RefugeCommand
from refuge.vault import agent, cli, crypto, keys, state
from refuge.vault.models import RootKeySource

DEFAULT_URL = "http://127.0.0.1:8000/vault/unseal/"
TIMEOUT = 30
WAIT_FOR_WORKERS = 10.0  # seconds; the workers ask the agent every second


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def check_url(url: str) -> str:
    """An unseal page's URL: HTTPS, or HTTP to a loopback address (the key material travels in it)."""
    parts = urllib.parse.urlsplit(url)
    host = parts.hostname or ""
    if parts.scheme == "https" and host:
        return url
    if parts.scheme == "http":
        try:
            loopback = host == "localhost" or ipaddress.ip_address(host).is_loopback
        except ValueError:
            loopback = False
        if loopback:
            return url
    raise CommandError(
        gettext("%(url)s: the shares or passphrase travel in this request; use https:// (http:// only to loopback)")
        % {"url": url}
    )


class Command(RefugeCommand):
    help = gettext_noop("Unseal the running server(s) with SLIP-39 shares or the vault passphrase.")

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--url",
            action="append",
            default=[],
            help=gettext(
                "a host's unseal page (https://host/vault/unseal/); repeat for every host. Without it: "
                "this host's `refuge serve` through its key agent (else %(url)s)"
            )
            % {"url": DEFAULT_URL},
        )
        parser.add_argument("--check", action="store_true", help=gettext("only check the material against the vault"))

    def handle(self, *args: Any, **options: Any) -> None:
        urls = [check_url(url) for url in options["url"]]
        try:
            active = keys.active_root_key()
        except keys.VaultNotInitialised as exc:
            raise CommandError(str(exc)) from None
        form: dict[str, str] = {}
        root_key = b""
        if active.source == RootKeySource.DEV:
            root_key = next((k for k in keys.read_dev_keys() if crypto.check_verifier(k, bytes(active.verifier))), b"")
            if not root_key:
                raise CommandError(
                    gettext("no development key file holding this vault's key at %(path)s")
                    % {"path": keys.dev_key_path()}
                )
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
        if not urls:
            if state.agent_path().exists():
                self._through_agent(root_key, str(active.source))
                return
            urls = [DEFAULT_URL]
        failed = [url for url in urls if not self._submit(url, form)]
        if failed:
            raise CommandError(gettext("not unsealed: %(urls)s (see above)") % {"urls": ", ".join(failed)})

    def _through_agent(self, root_key: bytes, source: str) -> None:
        path = state.agent_path()
        try:
            status = state.unseal_through_agent(path, root_key=root_key, source=source)
        except agent.AgentUnavailable as exc:
            raise CommandError(
                gettext("%(error)s: is `refuge serve` running with this REFUGE_DATA_DIR?") % {"error": exc}
            ) from None
        except state.UnsealError as exc:
            raise CommandError(str(exc)) from None
        deadline = time.monotonic() + WAIT_FOR_WORKERS
        while set(status["workers"]) - set(status["holders"]) and time.monotonic() < deadline:
            time.sleep(0.2)
            status = agent.call(path, "status")[0]
        held, workers = len(status["holders"]), len(status["workers"])
        self.stdout.write(
            gettext("the server is unsealed: %(held)s of %(count)s worker processes hold the key")
            % {"held": held, "count": workers}
        )
        if held < workers:
            raise CommandError(
                gettext("%(count)s worker process(es) did not take the key; see the server's log")
                % {"count": workers - held}
            )

    def _submit(self, url: str, form: dict[str, str]) -> bool:
        jar = http.cookiejar.CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), _NoRedirect())
        try:
            opener.open(url, timeout=TIMEOUT)  # an operator-given URL, checked by check_url
        except urllib.error.HTTPError as exc:
            if exc.code not in (200, 503):
                self.stderr.write(
                    gettext("%(url)s: the unseal page answered %(status)s") % {"url": url, "status": exc.code}
                )
                return False
        except urllib.error.URLError as exc:
            self.stderr.write(
                gettext("%(url)s: cannot reach the server: %(reason)s") % {"url": url, "reason": exc.reason}
            )
            return False
        token = next((c.value for c in jar if c.name == settings.CSRF_COOKIE_NAME), None)
        if token is None:
            self.stdout.write(
                gettext("%(url)s: the server is not sealed (or its unseal page offered no form)") % {"url": url}
            )
            return True
        body = urllib.parse.urlencode({**form, "csrfmiddlewaretoken": token}).encode()
        request = urllib.request.Request(url, data=body, headers={"Referer": url, "X-CSRFToken": token})  # noqa: S310  # see above
        try:
            response = opener.open(request, timeout=TIMEOUT)  # see above
            code = response.status
        except urllib.error.HTTPError as exc:
            code = exc.code
        except urllib.error.URLError as exc:
            self.stderr.write(f"{url}: cannot reach the server: {exc.reason}")
            return False
        if code in (302, 303):
            self.stdout.write(gettext("%(url)s: the server is unsealed") % {"url": url})
        elif code == 202:
            self.stdout.write(gettext("%(url)s: shares accepted; the server waits for more") % {"url": url})
        else:
            self.stderr.write(
                gettext("%(url)s: the server refused to unseal (HTTP %(status)s); see its log")
                % {"url": url, "status": code}
            )
            return False
        return True

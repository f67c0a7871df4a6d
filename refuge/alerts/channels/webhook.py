"""Webhooks: a JSON POST with an HMAC-SHA256 signature of the body, retried until accepted.

The signing key is derived from the server's secret and the user's code (and a version the user
raises to replace it), so no secret is stored. The receiver checks `X-Refuge-Signature:
sha256=<hex HMAC of the raw body>` and uses `Idempotency-Key` to ignore a message it already has.
Hosts that resolve to private, loopback, link-local or reserved addresses are refused unless
REFUGE_WEBHOOK_ALLOW_PRIVATE is set; the connection goes to the address that was checked.
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import ipaddress
import json
import socket
import ssl
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from django.conf import settings
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext

from refuge.alerts.channels.base import Channel, TransportError
from refuge.alerts.message import compose
from refuge.alerts.models import settings_for

if TYPE_CHECKING:
    from refuge.accounts.models import User
    from refuge.alerts.models import AlertSettings, Delivery

RETRYABLE_STATUSES = {408, 425, 429}


def signing_key(user: User, version: int) -> str:
    return salted_hmac("refuge.alerts.webhook", f"{user.code}:{version}", algorithm="sha256").hexdigest()


def signature(key: str, body: bytes) -> str:
    return "sha256=" + hmac.new(key.encode(), body, hashlib.sha256).hexdigest()


NAT64 = ipaddress.ip_network("64:ff9b::/96")  # RFC 6052: the last 32 bits are an IPv4 address
NAT64_LOCAL = ipaddress.ip_network("64:ff9b:1::/48")  # RFC 8215: local-use NAT64
SIX_TO_FOUR = ipaddress.ip_network("2002::/16")  # RFC 3056: bits 16-48 are an IPv4 address
COMPATIBLE = ipaddress.ip_network("::/96")  # RFC 4291's deprecated IPv4-compatible addresses


def embedded_ipv4(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> list[ipaddress.IPv4Address]:
    """The IPv4 addresses an IPv6 address carries (mapped, compatible, NAT64, 6to4, Teredo): it may reach them."""
    if not isinstance(ip, ipaddress.IPv6Address):
        return []
    found = []
    if ip.ipv4_mapped is not None:
        found.append(ip.ipv4_mapped)
    if ip.sixtofour is not None:
        found.append(ip.sixtofour)
    if ip.teredo is not None:
        found.extend(ip.teredo)
    if ip in NAT64 or ip in NAT64_LOCAL or ip in COMPATIBLE:
        found.append(ipaddress.IPv4Address(int(ip) & 0xFFFF_FFFF))
    return found


def is_private(address: str) -> bool:
    """Private, loopback, link-local, reserved or multicast, or an IPv6 address that embeds one."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])  # a scope id (fe80::1%eth0) names no other host
    if ip.version == 6 and (ip in NAT64_LOCAL or ip.ipv4_mapped is not None):
        return True  # never a public destination, whatever address it embeds
    return any(not a.is_global or a.is_multicast for a in (ip, *embedded_ipv4(ip)))


def check_url(url: str) -> str | None:
    """Why a webhook URL cannot be used, in the request's language (None when it can): scheme, host, where it points."""
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        return gettext("This webhook cannot be used: use an http:// or https:// address.")
    if parts.scheme == "http" and not settings.REFUGE_WEBHOOK_ALLOW_PRIVATE:
        return gettext("This webhook cannot be used: use an https:// address.")
    try:
        addresses = _addresses(parts.hostname, parts.port or (443 if parts.scheme == "https" else 80))
    except OSError:
        return gettext("This webhook cannot be used: its host name does not resolve to an address.")
    if not settings.REFUGE_WEBHOOK_ALLOW_PRIVATE and any(is_private(a) for a in addresses):
        return gettext("This webhook cannot be used: its host is a private address.")
    return None


def _addresses(host: str, port: int) -> list[str]:
    return [str(info[4][0]) for info in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)]


def resolve(host: str, port: int) -> str:
    """The address to connect to; refuses private ones unless allowed (the reason is kept in English, in the log)."""
    try:
        addresses = _addresses(host, port)
    except OSError as exc:
        raise TransportError(f"the webhook's host does not resolve ({exc.strerror or exc})") from exc
    if not settings.REFUGE_WEBHOOK_ALLOW_PRIVATE and any(is_private(a) for a in addresses):
        raise TransportError("the webhook's host is a private address", permanent=True)
    return addresses[0]


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """HTTPS to a checked address, with the certificate checked against the URL's host name."""

    def __init__(self, address: str, host: str, port: int, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self._address = address

    def connect(self) -> None:
        sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)  # type: ignore[attr-defined]  # http.client keeps its context there


class WebhookChannel(Channel):
    kind = "webhook"
    label = "Webhook"

    def address_for(self, user: User, prefs: AlertSettings) -> str | None:
        return prefs.webhook_url or None

    def send(self, delivery: Delivery) -> None:
        if delivery.user is None:
            raise TransportError("a webhook row without its user cannot be signed", permanent=True)
        message = compose(delivery)
        body = json.dumps(message.payload, ensure_ascii=False, sort_keys=True).encode()
        key = signing_key(delivery.user, settings_for(delivery.user).webhook_key_version)
        parts = urlsplit(delivery.address)
        if parts.scheme not in {"http", "https"} or not parts.hostname:
            raise TransportError("not an http(s) URL", permanent=True)
        port = parts.port or (443 if parts.scheme == "https" else 80)
        address = resolve(parts.hostname, port)
        timeout = settings.REFUGE_WEBHOOK_TIMEOUT
        connection: http.client.HTTPConnection
        if parts.scheme == "https":
            connection = _PinnedHTTPSConnection(address, parts.hostname, port, timeout)
        else:
            connection = http.client.HTTPConnection(address, port, timeout=timeout)
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        headers = {
            "Host": parts.netloc.rsplit("@", 1)[-1],
            "Content-Type": "application/json; charset=utf-8",
            "User-Agent": "Refuge-Webhook/1",
            "Idempotency-Key": str(delivery.idempotency_key),
            "X-Refuge-Signature": signature(key, body),
            "X-Refuge-Timestamp": timezone.now().isoformat(timespec="seconds"),
        }
        try:
            connection.request("POST", path, body=body, headers=headers)
            status = connection.getresponse().status
        except (OSError, http.client.HTTPException) as exc:
            raise TransportError(f"the webhook did not answer: {type(exc).__name__}") from exc
        finally:
            connection.close()
        if 200 <= status < 300:  # HTTP's success range
            return
        permanent = 400 <= status < 500 and status not in RETRYABLE_STATUSES  # client errors
        raise TransportError(f"the webhook answered {status}", permanent=permanent)

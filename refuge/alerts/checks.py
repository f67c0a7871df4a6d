"""Deployment checks for alerts (`refuge check-deploy`): links that work, mail and webhooks that
cannot be read or redirected on the way."""

from __future__ import annotations

import ipaddress
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, Warning, register  # Django's names

LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1"}


def _is_loopback(host: str) -> bool:
    if host in LOCAL_HOSTS:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@register(Tags.security, deploy=True)
def check_alerts_deployment(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    messages: list[CheckMessage] = []
    base = urlsplit(settings.REFUGE_BASE_URL)
    if base.scheme != "https" or not base.hostname or _is_loopback(base.hostname):
        messages.append(
            Error(
                "alert e-mails would link to a plain or local address",
                hint="REFUGE_BASE_URL=https://your.host (the address people open Refuge at)",
                id="refuge.E010",
            )
        )
    if settings.REFUGE_WEBHOOK_ALLOW_PRIVATE:
        messages.append(
            Warning(
                "webhooks may be sent to private and local addresses",
                hint="unset REFUGE_WEBHOOK_ALLOW_PRIVATE (a webhook URL could otherwise reach internal services)",
                id="refuge.W011",
            )
        )
    if settings.REFUGE_SMTP_SECURITY == "none" and not _is_loopback(settings.REFUGE_SMTP_HOST):
        messages.append(
            Warning(
                "alert e-mails would cross the network to the mail server unencrypted",
                hint="REFUGE_SMTP_SECURITY=starttls or tls, or relay through a mail server on this host",
                id="refuge.W012",
            )
        )
    return messages

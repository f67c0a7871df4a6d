"""`{% when %}`: every date-time a person reads, on the case's clock with its abbreviation.

    {% when deadline.due_at case relative=True %}   -> Mon 14 Dec, 23:59 MSK · in 9 d
    {% when due_at case own="Europe/Paris" %}       -> Fri 23 Jul, 08:00 CEST = 09:00 MSK
    {{ alert.created_at|human:case }}               -> the text alone (e-mails)

The zone is a case (its time zone), a zone name, or nothing (the digest's clock).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django import template
from django.conf import settings
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString

from refuge.lib import humantime

register = template.Library()


def zone_of(where: Any) -> str:
    """A case's zone, a zone name, or the organisation's clock (REFUGE_DIGEST_TIMEZONE)."""
    if isinstance(where, str) and where:
        return where
    zone = getattr(where, "timezone", None)
    return str(zone) if zone else str(settings.REFUGE_DIGEST_TIMEZONE)


@register.simple_tag
def when(value: datetime | date | None, where: Any = None, *, own: str = "", relative: bool = False) -> SafeString:
    if value is None:
        return format_html("{}", "—")
    now = timezone.now()
    if not isinstance(value, datetime):
        return format_html('<time datetime="{}">{}</time>', value.isoformat(), humantime.day_only(value, now=now))
    zone = zone_of(where)
    text = humantime.human(value, zone, now=now, own=own if own and own != zone else None)
    html = format_html('<time datetime="{}">{}</time>', value.isoformat(), text)
    if relative:
        html += format_html(' <span class="relative">{}</span>', humantime.relative(value, now))
    return html


@register.filter
def human(value: datetime | None, where: Any = None) -> str:
    if value is None:
        return ""
    return humantime.moment(value, zone_of(where), now=timezone.now())

"""Template helpers of the case pages: times in the case's zone, event attributes, list links."""

from __future__ import annotations

import functools
import uuid
from datetime import datetime
from html import escape
from typing import TYPE_CHECKING, Any

from django import template
from django.template.defaultfilters import date as date_filter
from django.urls import get_script_prefix, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, gettext, gettext_lazy

from refuge.casefile import vocab
from refuge.cases import law
from refuge.cases.forms.common import SCRIPT_LABELS, format_offset, humanize, offset_minutes
from refuge.lib import countries, humantime

if TYPE_CHECKING:
    from collections.abc import Callable

    from refuge.cases.models import Case, Event

register = template.Library()

ATTRIBUTE_LABELS = {
    "decision_event": gettext_lazy("Decision"),
    "removal_event": gettext_lazy("Removal"),
    "removal_at": gettext_lazy("Removal on"),
    "replaces": gettext_lazy("Reschedules"),
    "extends": gettext_lazy("Extension of"),
}


def day(value: datetime) -> str:
    if (get_language() or "en").startswith("ko"):  # Korean reads year, month, day
        return f"{value.year}년 {value.month}월 {value.day}일"
    return date_format(value, "j M Y")


@register.simple_tag
def event_when(event: Event, case: Case) -> SafeString:
    """When the event happened on the case's clock, and the offset it was recorded with if different."""
    local = event.local_at(case.tzinfo)
    if event.date_only:
        return format_html(
            '<time datetime="{}">{}</time> <span class="muted">{}</span>',
            local.date().isoformat(),
            day(local),
            gettext("time unknown"),
        )
    html = format_html(
        '<time datetime="{}">{} <span class="clock">{} {}</span></time>',
        local.isoformat(),
        day(local),
        f"{local:%H:%M}",
        humantime.abbreviation(local),
    )
    if offset_minutes(local) != event.utc_offset_minutes:
        recorded = event.local_at()
        html += format_html(
            ' <span class="offset">{} {} UTC{}</span>',
            gettext("recorded as"),
            f"{recorded:%H:%M}" if recorded.date() == local.date() else f"{day(recorded)} {recorded:%H:%M}",
            format_offset(event.utc_offset_minutes),
        )
    return html


@register.simple_tag
def zone_offset(case: Case, when: datetime | None = None) -> str:
    """The case zone's current offset, e.g. UTC+03:00."""
    return "UTC" + format_offset(offset_minutes((when or timezone.now()).astimezone(case.tzinfo)))


def _show_datetime(value: Any, case: Case) -> str:
    try:
        local = datetime.fromisoformat(str(value)).astimezone(case.tzinfo)
    except ValueError:
        return str(value)
    return humantime.moment(local, case.tzinfo, now=timezone.now())


def _show_date(value: Any) -> str:
    try:
        return day(datetime.fromisoformat(str(value)))
    except ValueError:
        return str(value)


def _attribute_display(kind: str, value: Any, case: Case, events_by_key: dict[str, Event]) -> str:
    if value is None:
        return {"datetime?": gettext("until further notice"), "country?": gettext("any")}.get(kind, "—")
    if kind == "event":
        other = events_by_key.get(value)
        return f"{value} ({other.label})" if other is not None else str(value)
    if kind == "enum:forum":
        return law.forum_label(str(value))
    shown: Callable[[], str] | None = {
        "bool": lambda: gettext("yes") if value else gettext("no"),
        "datetime": lambda: _show_datetime(value, case),
        "datetime?": lambda: _show_datetime(value, case),
        "date": lambda: _show_date(value),
    }.get(kind)
    if shown is not None:
        return shown()
    return humanize(str(value)) if kind.startswith("enum:") else str(value)


@register.simple_tag
def event_attrs(event: Event, case: Case, events_by_key: dict[str, Event]) -> list[tuple[str, str]]:
    """The event's attributes as (label, text) pairs, in the vocabulary's order."""
    kinds = vocab.EVENT_TYPES.get(event.type, {})
    attributes = event.all_attributes()
    ordered = [n for n in kinds if n in attributes] + [n for n in attributes if n not in kinds]
    found = []
    for name in ordered:
        value = attributes[name]
        if event.type == "interim_measure_requested" and name == "destination" and value is None:
            shown = gettext("that of each removal pending when it was sent")  # CASEFILE.md: null = the removal's
        else:
            shown = _attribute_display(kinds.get(name, "text"), value, case, events_by_key)
        found.append((str(ATTRIBUTE_LABELS.get(name, humanize(name))), shown))
    return found


@register.filter
def script_label(code: str) -> str:
    return str(SCRIPT_LABELS.get(code, code))


@register.filter
def humanize_value(value: str) -> str:
    return humanize(str(value))


@register.filter
def filesize(size: int) -> str:
    if size < 1024:
        return f"{size} B"
    if size < 1024 * 1024:
        return f"{size / 1024:.0f} KB"
    return f"{size / (1024 * 1024):.1f} MB"


@register.simple_tag
def sort_link(filters: Any, key: str) -> str:
    """The list's query string sorted by `key`, or reversed if it is sorted by it already."""
    current = filters.sort
    target = key if current != key else (key[1:] if key.startswith("-") else f"-{key}")
    query: str = filters.query(sort=target, page=1)
    return "?" + query


@register.simple_tag
def aria_sort(filters: Any, key: str) -> str:
    bare = key.lstrip("-")
    current = filters.sort.lstrip("-")
    if bare != current:
        return "none"
    # "-updated" is newest first and "status" is urgent first: both read as descending.
    descending = filters.sort.startswith("-") != (bare == "status")
    return "descending" if descending else "ascending"


@register.simple_tag
def member_options(people: list[tuple[str, str]], selected: str) -> SafeString:
    """The team-member filter's options, built in one pass (an organisation has a thousand people)."""
    return mark_safe(  # noqa: S308  # every value is escaped just here
        "".join(
            f'<option value="{escape(code)}"{" selected" if code == selected else ""}>{escape(name)}</option>'
            for code, name in people
        )
    )


@register.filter
def removal_countdown(removal: Any, now: datetime) -> str:
    """'in 3 d 6 h' (or '2 h ago' for one that passed unrecorded)."""
    return str(removal.countdown(now))


@register.simple_tag
def country_options(selected: str) -> SafeString:
    """Every country as an <option> carrying its searchable names (see refuge.js)."""
    return mark_safe(  # noqa: S308  # every value is escaped just here
        "".join(
            f'<option value="{c.code}" data-terms="{escape("|".join(c.terms))}"'
            f'{" selected" if c.code == selected else ""}>{escape(c.name(get_language() or "en"))} ({c.code})</option>'
            for c in countries.countries().values()
        )
    )


@register.simple_tag
def local_time(value: datetime, case: Case) -> SafeString:
    """`<time>` of an instant on the case's clock (Django's date filter costs 0.2 ms a call)."""
    shown = humantime.moment(value, case.tzinfo, now=timezone.now())
    return format_html('<time datetime="{}">{}</time>', value.isoformat(), shown)


_PLACEHOLDERS = (uuid.UUID(int=1), uuid.UUID(int=2), uuid.UUID(int=3))


@functools.cache
def _url_parts(name: str, count: int, prefix: str) -> tuple[str, ...]:
    """A URL reversed once with placeholder codes, split where the codes go."""
    url = reverse(name, args=list(_PLACEHOLDERS[:count]))
    parts = []
    for placeholder in _PLACEHOLDERS[:count]:
        head, _, url = url.partition(str(placeholder))
        parts.append(head)
    return (*parts, url)


@register.simple_tag
def code_url(name: str, *codes: Any) -> str:
    """reverse(name, args=codes) for URLs of UUID codes, without a URL reversal per row of a long page."""
    parts = _url_parts(name, len(codes), get_script_prefix())
    return "".join(f"{part}{code}" for part, code in zip(parts, codes, strict=False)) + parts[-1]


@register.filter
def case_url(case: Case) -> str:
    return code_url("case_detail", case.code)


# Korean reads year, month, day: the pages' day formats in Korean order.
KOREAN_FORMATS = {
    "j M Y": "Y년 n월 j일",
    "D j M Y": "Y년 n월 j일 (D)",
    "D j M Y H:i": "Y년 n월 j일 (D) H:i",
    "j M Y H:i": "Y년 n월 j일 H:i",
    "j M Y H:i e": "Y년 n월 j일 H:i e",
    "j M": "n월 j일",
    "D j M": "n월 j일 (D)",
}


@register.filter
def local_date(value: Any, fmt: str = "j M Y") -> str:
    """Django's |date, in the reader's language and, for Korean, in Korean order."""
    if (get_language() or "en").startswith("ko"):
        fmt = KOREAN_FORMATS.get(fmt, fmt)
    return date_filter(value, fmt)

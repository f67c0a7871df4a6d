"""Template helpers for what the law engine reports."""

from __future__ import annotations

import functools
import html
from datetime import date, datetime
from typing import Any

from django import template
from django.templatetags.tz import do_timezone
from django.utils import timezone
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, gettext, pgettext

from refuge.cases import law
from refuge.cases.derived import Severity
from refuge.cases.templatetags.human_time import when
from refuge.cases.templatetags.refuge_pages import local_date
from refuge.lib.countries import country_name

register = template.Library()
SEVERITY_LABELS = dict(Severity.choices)


@register.filter
def deadline_label(kind: str) -> str:
    return law.deadline_label(kind)


@register.filter
def conflict_label(kind: str) -> str:
    return law.conflict_label(kind)


@register.filter
def milestone_label(kind: str) -> str:
    return law.milestone_label(kind)


@register.filter
def notify_label(key: str) -> str:
    return gettext(law.NOTIFY_LABELS.get(key, key.replace("_", " ")))


@register.filter
def countdown(due: datetime | None) -> str:
    return law.countdown(due, timezone.now()) if due else ""


@register.filter
def iso_date(value: str | None) -> date | None:
    """An ISO date from a report, as a date the `date` filter can format."""
    if not value:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None


@register.filter
def in_zone(value: datetime | None, zone: str) -> datetime | None:
    """The instant on the given zone's clock, which later filters (`date`) keep as it is."""
    if value is None:
        return None
    return do_timezone(value, zone)


@register.filter
def forum_label(forum: str | None) -> str:
    return law.forum_label(forum or "")


@register.filter
def country_label(code: str | None) -> str:
    """The country's English name (the ISO code stays in a tooltip where a page needs it)."""
    return country_name(code, get_language() or "en") if code else ""


@register.filter
def removal_status_label(status: str) -> str:
    return gettext(law.REMOVAL_STATUS_LABELS.get(status, status))


@register.filter
def label(code: str | None) -> str:
    """A code's words from the rule packs (the raw code belongs in a tooltip, never in the text)."""
    return law.label(str(code or ""))


@register.filter
def explain(code: str | None) -> str:
    return law.explanation(str(code or ""))


@register.filter
def milestone_status_label(status: str) -> str:
    return gettext(law.MILESTONE_STATUS_LABELS.get(status, status.replace("_", " ")))


@register.simple_tag
def coded(code: str | None, css: str = "") -> SafeString:
    """A code shown as its label, the explanation and the raw code in the tooltip.

    The HTML cases/_coded.html made when this was an inclusion tag (a case page shows a dozen), without
    the template's final newline, which showed as a space before a following colon or comma."""
    return _coded(get_language() or "en", str(code or ""), css)


@functools.lru_cache(maxsize=4096)
def _coded(language: str, raw: str, css: str) -> SafeString:
    """coded()'s HTML in `language` (the active one when first asked): a rule's or a flag's code, never client data."""
    explanation = law.explanation(raw)
    e = conditional_escape
    return mark_safe(  # noqa: S308  # every value is escaped just here
        f'<span class="coded{f" {e(css)}" if css else ""}" title="{f"{e(explanation)} " if explanation else ""}'
        f'({e(raw)})">{e(law.label(raw))}</span>'
    )


@register.filter
def severity_label(severity: str | None) -> str:
    """Critical, high, medium, info: in the reader's language."""
    return str(SEVERITY_LABELS.get(str(severity or ""), severity or ""))


@register.filter
def deadline_status_label(status: str) -> str:
    return gettext(law.DEADLINE_STATUS_LABELS.get(status, status))


@register.filter
def basis(text: str | None) -> str:
    """A deadline's, conflict's or forum's legal basis in the reader's language."""
    return law.basis_text(str(text or ""))


# --- a deadline of the law panel, built here rather than by the template's nodes (a case page
# shows a dozen, each with twenty conditions and filters): the same HTML as the row it replaced.


def _shown(value: Any) -> str:
    """What `{{ value }}` shows: escaped as conditional_escape does it (without its lazy wrapper), None as "None"."""
    if hasattr(value, "__html__"):
        return str(value.__html__())
    return html.escape(str(value))


@functools.lru_cache(maxsize=16)
def _row_words(language: str) -> dict[str, str]:
    """The rows' fixed words in `language` (the active one when first asked): translated once, not per row."""
    return {
        "unverified_title": gettext("This rule is marked unverified in its pack: a lawyer must re-check it"),
        "unverified": gettext("unverified rule"),
        "from_event": gettext("from event"),
        "met_by": pgettext("met by an event", "by"),
        "file_by": gettext("File by %(safe_due_date)s"),
        "unconfirmed": gettext("(safe date: no decree on days off yet for %(unconfirmed_year_list)s)"),
        "counted": gettext("Counted due date:"),
        "clock": gettext("on the clock of %(timezone)s"),
        "readings": gettext("Other readings:"),
        "safe": gettext("(safe date)"),
        "reminders": gettext("Reminders:"),
        "calendar": gettext("Counted on the %(region)s calendar (%(source)s; %(data)s"),
        "decrees": gettext("; decrees known through %(decreed_through)s"),
    }


@functools.lru_cache(maxsize=4096)
def _law_words(language: str, what: str, code: str) -> str:
    """A deadline's kind, status or legal basis in `language` (the active one when first asked): the packs' words."""
    if what == "kind":
        return law.deadline_label(code)
    if what == "status":
        return deadline_status_label(code)
    return law.basis_text(code)


@functools.lru_cache(maxsize=4096)
def _day_text(language: str, value: date | None, fmt: str) -> str:
    """local_date(value, fmt) of a day in `language` (the active one when first asked)."""
    return local_date(value, fmt)


@register.simple_tag(takes_context=True)
def deadline_row(context: template.Context, d: Any) -> SafeString:
    """One deadline (a `Deadline`) as the law panel's table row."""
    e = _shown
    language = get_language() or "en"
    words = _row_words(language)
    head = [f'<tr class="deadline status-{e(d.status)} severity-{e(d.severity)}">\n      <td>']
    head.append(f"<strong>{e(_law_words(language, 'kind', d.kind))}</strong>")
    if not d.verified:
        title = e(words["unverified_title"])
        head.append(f'<span class="badge unverified" title="{title}">{e(words["unverified"])}</span>')
    if d.trigger:
        head.append(
            f'<div class="muted">{e(words["from_event"])} <a href="#key-{e(d.trigger)}" class="code">'
            f"{e(d.trigger)}</a></div>"
        )
    status = (
        f'<td><span class="badge deadline-status-{e(d.status)}">{e(_law_words(language, "status", d.status))}</span>'
        + (
            f' <span class="muted">{e(words["met_by"])} <a href="#key-{e(d.met_by)}" class="code">'
            f"{e(d.met_by)}</a></span>"
            if d.met_by
            else ""
        )
        + "</td>"
    )
    flags = "".join(f"{_coded(language, str(f or ''), 'badge flag')} " for f in d.flags) if d.flags else ""
    basis = e(_law_words(language, "basis", str(d.basis or "")))
    basis_cell = f'<td class="basis">{_coded(language, str(d.rule or ""), "rule")}<div>{basis}</div>\n{flags}</td>'
    due = _due_cell(context["case"], d, language, words)
    row = "\n".join(head) + "\n      </td>\n      <td>\n" + due + "\n      </td>\n"
    return mark_safe(f"{row}{status}\n{basis_cell}\n    </tr>")  # noqa: S308  # every value is escaped above


def _due_cell(case: Any, d: Any, language: str, words: dict[str, str]) -> str:
    """The row's second cell: the due date on the case's clock, the safe date, the calendar, reminders."""
    e = _shown
    out = []
    if d.unconfirmed_years:
        safe = words["file_by"] % {"safe_due_date": e(_day_text(language, d.safe_due_date, "D j M Y"))}
        years = words["unconfirmed"] % {"unconfirmed_year_list": e(d.unconfirmed_year_list)}
        out.append(
            f'<div class="safe-date safe-first"><strong>{safe}</strong> <span class="muted">{years}</span></div>'
        )
        out.append(f'<div class="muted">{e(words["counted"])}</div>')
    out.append(str(when(d.due_at, case, own=d.timezone)))
    if d.timezone != case.timezone:
        clock = words["clock"] % {"timezone": e(d.timezone)}
        out.append(f'<div class="muted">{clock}</div>')
    if d.status == "open":
        out.append(f'<div class="countdown">{e(countdown(d.due_at))}</div>')
    if d.alternatives:
        readings = "".join(
            f"<li>{_coded(language, str(a.get('code') or ''), 'alternative')}: "
            f"{e(_day_text(language, iso_date(a.get('due_date')), 'D j M Y'))}</li>"
            for a in d.alternatives
        )
        out.append(
            f'<div class="alternatives">\n<span class="muted">{e(words["readings"])}</span>\n'
            f"<ul>{readings}</ul>\n</div>"
        )
    if not d.unconfirmed_years and ((d.safe_due_date and d.safe_due_date != d.due_date) or d.alternatives):
        safe = words["file_by"] % {"safe_due_date": e(_day_text(language, d.safe_due_date, "D j M Y"))}
        out.append(
            f'<div class="safe-date"><strong>{safe}</strong> <span class="muted">{e(words["safe"])}</span></div>'
        )
    if d.calendar:
        out.append(_calendar(d.calendar, words))
    if d.reminders:
        days = ", ".join(e(_day_text(language, iso_date(r), "j M")) for r in d.reminders)
        out.append(f'<div class="muted">{e(words["reminders"])} {days}</div>')
    return "\n".join(out)


def _calendar(calendar: dict[str, Any], words: dict[str, str]) -> str:
    e = _shown
    text = words["calendar"] % {
        "region": e(calendar.get("region", "")),
        "source": e(calendar.get("source", "")),
        "data": e(calendar.get("data", "")),
    }
    if calendar.get("decreed_through"):
        text += words["decrees"] % {"decreed_through": e(calendar["decreed_through"])}
    return f'<div class="muted deadline-calendar">{text})</div>'

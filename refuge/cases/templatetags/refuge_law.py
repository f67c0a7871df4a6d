"""Template helpers for what the law engine reports."""

from __future__ import annotations

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

    The HTML cases/_coded.html made when this was an inclusion tag (a case page shows a dozen)."""
    raw = str(code or "")
    explanation = law.explanation(raw)
    e = conditional_escape
    return mark_safe(  # noqa: S308  # every value is escaped just here
        f'<span class="coded{f" {e(css)}" if css else ""}" title="{f"{e(explanation)} " if explanation else ""}'
        f'({e(raw)})">{e(law.label(raw))}</span>\n'
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
    """What `{{ value }}` shows: escaped, None as "None"."""
    return str(conditional_escape(value))


@register.simple_tag(takes_context=True)
def deadline_row(context: template.Context, d: Any) -> SafeString:
    """One deadline (a `Deadline`) as the law panel's table row."""
    e = _shown
    head = [f'<tr class="deadline status-{e(d.status)} severity-{e(d.severity)}">\n      <td>']
    head.append(f"<strong>{e(law.deadline_label(d.kind))}</strong>")
    if not d.verified:
        title = e(gettext("This rule is marked unverified in its pack: a lawyer must re-check it"))
        head.append(f'<span class="badge unverified" title="{title}">{e(gettext("unverified rule"))}</span>')
    if d.trigger:
        head.append(
            f'<div class="muted">{e(gettext("from event"))} <a href="#key-{e(d.trigger)}" class="code">'
            f"{e(d.trigger)}</a></div>"
        )
    status = (
        f'<td><span class="badge deadline-status-{e(d.status)}">{e(deadline_status_label(d.status))}</span>'
        + (
            f' <span class="muted">{e(pgettext("met by an event", "by"))} <a href="#key-{e(d.met_by)}" class="code">'
            f"{e(d.met_by)}</a></span>"
            if d.met_by
            else ""
        )
        + "</td>"
    )
    flags = "".join(f"{coded(f, 'badge flag')} " for f in d.flags) if d.flags else ""
    basis = e(law.basis_text(str(d.basis or "")))
    basis_cell = f'<td class="basis">{coded(d.rule, "rule")}<div>{basis}</div>\n{flags}</td>'
    row = "\n".join(head) + "\n      </td>\n      <td>\n" + _due_cell(context["case"], d) + "\n      </td>\n"
    return mark_safe(f"{row}{status}\n{basis_cell}\n    </tr>")  # noqa: S308  # every value is escaped above


def _due_cell(case: Any, d: Any) -> str:
    """The row's second cell: the due date on the case's clock, the safe date, the calendar, reminders."""
    e = _shown
    out = []
    if d.unconfirmed_years:
        safe = gettext("File by %(safe_due_date)s") % {"safe_due_date": e(local_date(d.safe_due_date, "D j M Y"))}
        years = gettext("(safe date: no decree on days off yet for %(unconfirmed_year_list)s)") % {
            "unconfirmed_year_list": e(d.unconfirmed_year_list)
        }
        out.append(
            f'<div class="safe-date safe-first"><strong>{safe}</strong> <span class="muted">{years}</span></div>'
        )
        out.append(f'<div class="muted">{e(gettext("Counted due date:"))}</div>')
    out.append(str(when(d.due_at, case, own=d.timezone)))
    if d.timezone != case.timezone:
        clock = gettext("on the clock of %(timezone)s") % {"timezone": e(d.timezone)}
        out.append(f'<div class="muted">{clock}</div>')
    if d.status == "open":
        out.append(f'<div class="countdown">{e(countdown(d.due_at))}</div>')
    if d.alternatives:
        readings = "".join(
            f"<li>{coded(a.get('code'), 'alternative')}: {e(local_date(iso_date(a.get('due_date')), 'D j M Y'))}</li>"
            for a in d.alternatives
        )
        out.append(
            f'<div class="alternatives">\n<span class="muted">{e(gettext("Other readings:"))}</span>\n'
            f"<ul>{readings}</ul>\n</div>"
        )
    if not d.unconfirmed_years and ((d.safe_due_date and d.safe_due_date != d.due_date) or d.alternatives):
        safe = gettext("File by %(safe_due_date)s") % {"safe_due_date": e(local_date(d.safe_due_date, "D j M Y"))}
        said = e(gettext("(safe date)"))
        out.append(f'<div class="safe-date"><strong>{safe}</strong> <span class="muted">{said}</span></div>')
    if d.calendar:
        out.append(_calendar(d.calendar))
    if d.reminders:
        days = ", ".join(e(local_date(iso_date(r), "j M")) for r in d.reminders)
        out.append(f'<div class="muted">{e(gettext("Reminders:"))} {days}</div>')
    return "\n".join(out)


def _calendar(calendar: dict[str, Any]) -> str:
    e = _shown
    text = gettext("Counted on the %(region)s calendar (%(source)s; %(data)s") % {
        "region": e(calendar.get("region", "")),
        "source": e(calendar.get("source", "")),
        "data": e(calendar.get("data", "")),
    }
    if calendar.get("decreed_through"):
        through = e(calendar["decreed_through"])
        text += gettext("; decrees known through %(decreed_through)s") % {"decreed_through": through}
    return f'<div class="muted deadline-calendar">{text})</div>'

"""Template helpers for what the law engine reports."""

from __future__ import annotations

from datetime import date, datetime

from django import template
from django.templatetags.tz import do_timezone
from django.utils import timezone
from django.utils.translation import get_language, gettext

from refuge.cases import law
from refuge.cases.derived import Severity
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


@register.inclusion_tag("cases/_coded.html")
def coded(code: str | None, css: str = "") -> dict[str, str]:
    """A code shown as its label, the explanation and the raw code in the tooltip."""
    raw = str(code or "")
    return {"code": raw, "label": law.label(raw), "explanation": law.explanation(raw), "css": css}


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

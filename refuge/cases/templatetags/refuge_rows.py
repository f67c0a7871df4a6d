"""The case list's and the dashboard's rows, built in Python rather than by the template engine.

A list page shows fifty cases, each with a countdown to its next removal: the template nodes of a
row (an include, a `with`, two `blocktranslate`s, filters) cost more than the page's queries. The
HTML is the templates' (tests/pages/test_list_rows.py renders samples both ways in three languages
and compares them; `cases/_removal_countdown.html` stays the case page's and the reference).
Fixed words are translated once per language (refuge_pages._tr).
"""

from __future__ import annotations

import functools
from datetime import date, datetime
from html import escape
from typing import TYPE_CHECKING, Any

from django import template
from django.core.exceptions import ObjectDoesNotExist
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, gettext_noop

from refuge.cases.models import CaseStatus
from refuge.cases.templatetags.human_time import zone_of
from refuge.cases.templatetags.refuge_law import severity_label
from refuge.cases.templatetags.refuge_pages import _tr, code_url
from refuge.lib import humantime

if TYPE_CHECKING:
    from refuge.cases.models import Case
    from refuge.cases.removals import Removal

register = template.Library()

STATELESS = gettext_noop("stateless")
REMOVAL_TO = gettext_noop("Removal to %(destination_name)s %(removal)s")
FILE_NOW = gettext_noop("File now: %(file_now_labels)s")
FILE_AT_ONCE = gettext_noop("file at once: the removal was learnt after its date (")
OVERDUE_SINCE, DUE = gettext_noop("overdue since"), gettext_noop("due")
DASH = "—"
STATUS_LABELS = dict(CaseStatus.choices)


def removal_html(removal: Removal, now: datetime, *, compact: bool, brief: bool, language: str) -> str:
    """`cases/_removal_countdown.html` for `removal` (runs of its white space as one)."""
    protected = removal.protected
    state = " unprotected" if protected is False else " protected" if protected else " unassessed"
    what = _tr(language, REMOVAL_TO) % {
        "destination_name": escape(removal.destination_name),
        "removal": escape(removal.countdown(now)),
    }
    css = f"removal-countdown{state}{' compact' if compact else ''}"
    out = (
        f'\n<div class="{css}" data-removal="{escape(removal.event)}">'
        f'\n  <strong class="removal-what">{what}</strong>'
        f'\n  <span class="removal-when">— <time datetime="{removal.removal_at.isoformat()}">'
        f"{escape(removal.when())}</time></span>"
        f'\n  <span class="removal-protection">— {escape(removal.protection())}</span>'
    )
    if not brief and protected is False and removal.file_now:
        labels = escape(", ".join(str(label) for label in removal.file_now_labels()))
        out += f'\n  <span class="removal-file-now">{_tr(language, FILE_NOW) % {"file_now_labels": labels}}</span>'
    return out + "\n</div>\n"


@register.simple_tag
def removal_countdown_html(removal: Removal, now: datetime, compact: bool = False, brief: bool = False) -> SafeString:
    return mark_safe(removal_html(removal, now, compact=compact, brief=brief, language=get_language() or "en"))  # noqa: S308  # escaped there


def _when(value: datetime | date | None, where: Any, now: datetime, *, relative: bool = False) -> str:
    """human_time's `{% when %}` (without `own`), at `now`."""
    if value is None:
        return DASH
    if not isinstance(value, datetime):
        return f'<time datetime="{value.isoformat()}">{escape(humantime.day_only(value, now=now))}</time>'
    html = f'<time datetime="{value.isoformat()}">{escape(humantime.moment(value, zone_of(where), now=now))}</time>'
    if relative:
        html += f' <span class="relative">{escape(humantime.relative(value, now))}</span>'
    return html


def _item(item: Any, name: str) -> Any:
    """An urgent item's value: a refuge.cases.urgent.UrgentItem, or a mapping (what the template read)."""
    return item.get(name) if isinstance(item, dict) else getattr(item, name, None)


@register.simple_tag
def urgent_list_items(items: list[Any], now: datetime) -> SafeString:
    """The urgent panel's <li>s (refuge.cases.urgent): severity, case, the removal's countdown or the
    item's title, and when it is due."""
    language = get_language() or "en"
    shown_at = timezone.now()
    out = []
    for item in items:
        severity = escape(_item(item, "severity") or "high")
        reference, url = escape(str(_item(item, "reference") or "")), _item(item, "url")
        case = f'<a href="{escape(url)}">{reference}</a>' if url else reference
        out.append(
            f'\n    <li class="urgent-item severity-{severity}">'
            f'\n      <span class="badge severity-{severity}">{escape(severity_label(severity))}</span>'
            f"\n      {case}\n      "
        )
        removal = _item(item, "removal")
        if removal:
            out.append(removal_html(removal, now, compact=True, brief=False, language=language))
        else:
            out.append(f'\n      <span class="urgent-title">{escape(str(_item(item, "title") or ""))}</span>')
        due, zone = _item(item, "due"), _item(item, "zone")
        if _item(item, "late_notice"):
            at_once = escape(_tr(language, FILE_AT_ONCE))
            out.append(f'\n      <span class="urgent-due overdue">{at_once}{_when(due, zone, shown_at)})</span>')
        elif due:
            overdue = _item(item, "overdue")
            said = escape(_tr(language, OVERDUE_SINCE if overdue else DUE))
            when = _when(due, zone, shown_at, relative=True)
            out.append(f'\n      <span class="urgent-due{" overdue" if overdue else ""}">{said} {when}</span>')
        out.append("\n    </li>")
    return mark_safe("".join(out))  # noqa: S308  # every value is escaped just above


def _nationality(case: Case, language: str) -> str:
    try:
        person = case.person
    except ObjectDoesNotExist:  # no client recorded: the template read nothing, so "—"
        return DASH
    if person.stateless:
        return escape(_tr(language, STATELESS))
    return escape(person.nationality) or DASH


def _head(case: Case, language: str) -> str:
    """A row's first four cells: reference, status, host state, nationality."""
    return (
        f'\n      <tr>\n        <td><a href="{code_url("case_detail", case.code)}" class="ref">'
        f"{escape(case.reference)}</a></td>"
        f'\n        <td><span class="badge status-{escape(case.status)}">'
        f"{escape(_status(language, case.status))}</span></td>"
        f'\n        <td class="code">{escape(case.host_state)}</td>'
        f'\n        <td class="code">{_nationality(case, language)}</td>'
    )


@functools.lru_cache(maxsize=64)
def _status(language: str, status: str) -> str:
    """get_status_display() while `language` is the active one."""
    return str(STATUS_LABELS.get(status, status))


def _updated(case: Case, now: datetime) -> str:
    shown = humantime.moment(case.updated_at, case.tzinfo, now=now)
    return f'\n        <td><time datetime="{case.updated_at.isoformat()}">{escape(shown)}</time></td>\n      </tr>'


@register.simple_tag
def case_list_rows(cases: list[Any], now: datetime) -> SafeString:
    """The case list's <tr>s: each case with `next_removal` (a Removal or None) and `team_names`."""
    language = get_language() or "en"
    shown_at = timezone.now()
    out = []
    for case in cases:
        removal = case.next_removal
        if removal is not None:
            countdown = removal_html(removal, now, compact=True, brief=True, language=language)
        else:
            countdown = DASH
        team = escape(", ".join(case.team_names)) if case.team_names else DASH
        out.append(
            f"{_head(case, language)}\n        <td>{countdown}</td>\n        <td>{team}</td>{_updated(case, shown_at)}"
        )
    return mark_safe("".join(out))  # noqa: S308  # every value is escaped just above


@register.simple_tag
def my_case_rows(cases: list[Case]) -> SafeString:
    """The dashboard's rows of cases: reference, status, host state, nationality, updated."""
    language = get_language() or "en"
    shown_at = timezone.now()
    return mark_safe("".join(f"{_head(case, language)}{_updated(case, shown_at)}" for case in cases))  # noqa: S308  # escaped there


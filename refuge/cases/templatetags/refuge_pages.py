"""Template helpers of the case pages: times in the case's zone, event attributes, list links."""

from __future__ import annotations

import functools
import uuid
from dataclasses import dataclass
from datetime import date, datetime
from html import escape
from typing import TYPE_CHECKING, Any

from django import template
from django.template.defaultfilters import date as date_filter
from django.template.defaultfilters import linebreaksbr
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, gettext, gettext_lazy, gettext_noop

from refuge.casefile import vocab
from refuge.cases import law
from refuge.cases.forms.common import SCRIPT_LABELS, format_offset, humanize, offset_minutes
from refuge.cases.forms.records import DOC_TYPE_LABELS
from refuge.lib import countries, humantime

if TYPE_CHECKING:
    from refuge.cases.models import Case, Event, Proceeding

register = template.Library()

ATTRIBUTE_LABELS = {
    "decision_event": gettext_lazy("Decision"),
    "removal_event": gettext_lazy("Removal"),
    "removal_at": gettext_lazy("Removal on"),
    "replaces": gettext_lazy("Reschedules"),
    "extends": gettext_lazy("Extension of"),
}

# The timeline's fixed words, translated once per language (_tr).
TIME_UNKNOWN = gettext_noop("time unknown")
RECORDED_AS = gettext_noop("recorded as")
UNTIL_FURTHER_NOTICE = gettext_noop("until further notice")
ANY_COUNTRY = gettext_noop("any")
YES, NO = gettext_noop("yes"), gettext_noop("no")
EACH_PENDING_REMOVAL = gettext_noop("that of each removal pending when it was sent")
EDIT, DELETE = gettext_noop("Edit"), gettext_noop("Delete")
SOURCE = gettext_noop("Source: %(source)s")
PROTECTS_NOTHING = gettext_noop("Protects nothing:")
UNPROTECTING = gettext_noop('this forum does not cover the act (see the conflict "%(value)s"). Recorded as entered.')
HIDDEN_NOTE = gettext_noop("Note: identity hidden")
NOT_DELETED = gettext_noop("Not deleted.")
CASE_NUMBER, CLOSED, OPENED = gettext_noop("case no."), gettext_noop("(closed)"), gettext_noop("opened %(opened_on)s")


def day(value: date) -> str:
    return _day(get_language() or "en", date(value.year, value.month, value.day))


@functools.lru_cache(maxsize=8192)
def _day(language: str, value: date) -> str:
    """A day in the reader's language (a timeline shows 30 of them: formatted once per process)."""
    if language.startswith("ko"):  # Korean reads year, month, day
        return f"{value.year}년 {value.month}월 {value.day}일"
    return humantime.calendar_date(value)  # Russian months in lower case


@register.simple_tag
def event_when(event: Event, case: Case) -> SafeString:
    """When the event happened on the case's clock, and the offset it was recorded with if different."""
    return mark_safe(_event_when(event, case.tzinfo, get_language() or "en"))  # noqa: S308  # escaped there


def _event_when(event: Event, tz: Any, language: str) -> str:
    """event_when's HTML, in `language` (the active one)."""
    local = event.local_at(tz)
    shown = _day(language, date(local.year, local.month, local.day))
    if event.date_only:
        unknown = escape(_tr(language, TIME_UNKNOWN))
        when = local.date().isoformat()
        return f'<time datetime="{when}">{escape(shown)}</time> <span class="muted">{unknown}</span>'
    html = (
        f'<time datetime="{local.isoformat()}">{escape(shown)} <span class="clock">{local:%H:%M} '
        f"{escape(humantime.abbreviation(local))}</span></time>"
    )
    if offset_minutes(local) != event.utc_offset_minutes:
        recorded = event.local_at()
        if recorded.date() == local.date():
            clock = f"{recorded:%H:%M}"
        else:
            clock = f"{_day(language, date(recorded.year, recorded.month, recorded.day))} {recorded:%H:%M}"
        offset = escape(format_offset(event.utc_offset_minutes))
        html += f' <span class="offset">{escape(_tr(language, RECORDED_AS))} {escape(clock)} UTC{offset}</span>'
    return html


@functools.lru_cache(maxsize=4096)
def _tr(language: str, msgid: str) -> str:
    """gettext(msgid) while `language` is the active one: a timeline asks for the same words thirty times."""
    return gettext(msgid)


@functools.lru_cache(maxsize=4096)
def _word(language: str, kind: str, code: str) -> str:
    """A vocabulary code's words in `language` (the active one): an event's label, an attribute's name or
    enumerated value, a forum. Codes only: never a free-text value."""
    if kind == "event":
        return gettext(vocab.EVENT_LABELS.get(code, code))
    if kind == "attribute":
        return str(ATTRIBUTE_LABELS.get(code, humanize(code)))
    if kind == "forum":
        return law.forum_label(code)
    return str(humanize(code))


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


def _attribute_display(kind: str, value: Any, case: Case, events_by_key: dict[str, Event], language: str) -> str:
    if value is None:
        missing = {"datetime?": UNTIL_FURTHER_NOTICE, "country?": ANY_COUNTRY}.get(kind)
        return _tr(language, missing) if missing else "—"
    if kind == "event":
        other = events_by_key.get(value)
        return f"{value} ({_word(language, 'event', other.type)})" if other is not None else str(value)
    if kind == "bool":
        return _tr(language, YES if value else NO)
    if kind in {"datetime", "datetime?", "date"}:
        return _show_date(value) if kind == "date" else _show_datetime(value, case)
    if kind.startswith("enum:"):
        return _word(language, "forum" if kind == "enum:forum" else "enum", str(value))
    return str(value)


@register.simple_tag
def event_attrs(event: Event, case: Case, events_by_key: dict[str, Event]) -> list[tuple[str, str]]:
    """The event's attributes as (label, text) pairs, in the vocabulary's order."""
    return _event_attrs(event, case, events_by_key, get_language() or "en")


def _event_attrs(event: Event, case: Case, events_by_key: dict[str, Event], language: str) -> list[tuple[str, str]]:
    kinds = vocab.EVENT_TYPES.get(event.type, {})
    attributes = event.all_attributes()
    ordered = [n for n in kinds if n in attributes] + [n for n in attributes if n not in kinds]
    found = []
    for name in ordered:
        value = attributes[name]
        if event.type == "interim_measure_requested" and name == "destination" and value is None:
            # CASEFILE.md: null = the removal's
            shown = _tr(language, EACH_PENDING_REMOVAL)
        else:
            shown = _attribute_display(kinds.get(name, "text"), value, case, events_by_key, language)
        found.append((_word(language, "attribute", name), shown))
    return found


@register.filter
def script_label(code: str) -> str:
    return str(SCRIPT_LABELS.get(code, code))


@register.filter
def humanize_value(value: str) -> str:
    return humanize(str(value))


@register.filter
def doc_type_label(code: str) -> str:
    """A document's type in the upload form's words."""
    return str(DOC_TYPE_LABELS.get(code, humanize(str(code))))


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
    return _country_options(get_language() or "en", selected)


@functools.lru_cache(maxsize=1024)
def _country_options(language: str, selected: str) -> SafeString:
    """The ~250 options, the same for every reader of one language: built once per process and choice."""
    return mark_safe(  # noqa: S308  # every value is escaped just here
        "".join(
            f'<option value="{c.code}" data-terms="{escape("|".join(c.terms))}"'
            f"{' selected' if c.code == selected else ''}>{escape(c.name(language))} ({c.code})</option>"
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
def _url_parts(name: str, count: int, prefix: str, urlconf: str | None = None) -> tuple[str, ...]:
    """A URL reversed once with placeholder codes, split where the codes go (per script prefix and URLconf)."""
    url = reverse(name, urlconf=urlconf, args=list(_PLACEHOLDERS[:count]))
    parts = []
    for placeholder in _PLACEHOLDERS[:count]:
        head, _, url = url.partition(str(placeholder))
        parts.append(head)
    return (*parts, url)


@register.simple_tag
def code_url(name: str, *codes: Any) -> str:
    """reverse(name, args=codes) for URLs of UUID codes (or none), without a URL reversal per row of a
    long page or per link of the layout."""
    parts = _url_parts(name, len(codes), get_script_prefix(), get_urlconf())
    return "".join(f"{part}{code}" for part, code in zip(parts, codes, strict=False)) + parts[-1]


@register.filter
def case_url(case: Case) -> str:
    return code_url("case_detail", case.code)


@register.filter
def local_date(value: Any, fmt: str = "j M Y") -> str:
    """Django's |date, in the reader's language (humantime.calendar_format)."""
    return date_filter(value, humantime.calendar_format(fmt))


@dataclass(frozen=True, slots=True)
class _Timeline:
    """What the events of one rendered timeline share: the case, its clock, the language, the URLs."""

    case_id: int
    tz: Any
    language: str
    edit: tuple[str, str]  # an event's edit URL before and after its code
    delete: tuple[str, str]


_TIMELINE = "refuge_pages.timeline"  # the render context's key of the _Timeline


def _timeline(context: template.Context, case: Case) -> _Timeline:
    found: _Timeline | None = context.render_context.get(_TIMELINE)
    if found is None or found.case_id != case.pk:
        prefix = get_script_prefix()
        urlconf = get_urlconf()
        edit, delete = _url_parts("event_edit", 2, prefix, urlconf), _url_parts("event_delete", 2, prefix, urlconf)
        found = _Timeline(
            case_id=case.pk,
            tz=case.tzinfo,
            language=get_language() or "en",
            edit=(f"{edit[0]}{case.code}{edit[1]}", edit[2]),
            delete=(f"{delete[0]}{case.code}{delete[1]}", delete[2]),
        )
        context.render_context[_TIMELINE] = found
    return found


@register.simple_tag(takes_context=True)
def event_item(context: template.Context, event: Event) -> SafeString:
    """One event of the timeline as an <li>, built here rather than by an included template: a case
    page shows thirty, and the template engine's nodes for each cost more than the page's queries.
    What the events share (the language, the case's clock and URLs) is found once a timeline."""
    case = context["case"]
    line = _timeline(context, case)
    language = line.language
    delete_error = context.get("delete_error") or {}
    failed = delete_error.get("code") == event.code
    focus = context.get("focus")
    code, key, label = str(event.code), escape(event.key), escape(_word(language, "event", event.type))
    out = [
        f'<li id="event-{code}" class="event{" has-error" if failed else ""}"',
        ' tabindex="-1" autofocus>' if focus and focus == code else ">",
        f'\n  <div class="event-when">{_event_when(event, line.tz, language)}</div>\n  <div class="event-what">',
        f'\n    <div><span class="event-label">{label}</span> <span class="key" id="key-{key}">{key}</span></div>',
    ]
    attrs = _event_attrs(event, case, context.get("events_by_key") or {}, language)
    if attrs:
        rows = "".join(f"<div><dt>{escape(name)}</dt> <dd>{escape(value)}</dd></div>" for name, value in attrs)
        out.append(f'\n    <dl class="attrs">{rows}</dl>')
    if event.key in (context.get("unprotecting") or ()):
        sentence = _tr(language, UNPROTECTING) % {"value": escape(law.conflict_label("forum_unavailable"))}
        protects = escape(_tr(language, PROTECTS_NOTHING))
        out.append(f'\n    <div class="unprotecting" role="note"><strong>{protects}</strong> {sentence}</div>')
    source = event.source
    if source:
        shown = _tr(language, SOURCE) % {"source": escape(source)}
        out.append(f'\n    <div class="source">{shown}</div>')
    note = event.note
    if note:
        if context.get("can_see_identity"):
            out.append(f'\n    <div class="note">{linebreaksbr(note, autoescape=True)}</div>')
        else:
            hidden_note = escape(_tr(language, HIDDEN_NOTE))
            out.append(f'\n    <div class="note identity-hidden">{hidden_note}</div>')
    if failed:
        problems = "".join(f"<li>{escape(p)}</li>" for p in delete_error.get("problems", ()))
        not_deleted = escape(_tr(language, NOT_DELETED))
        out.append(
            f'\n    <div class="form-errors" role="alert">\n      <p><strong>{not_deleted}</strong></p>'
            f'\n      <ul class="errorlist">{problems}</ul>\n    </div>'
        )
    out.append("\n  </div>")
    if context.get("can_write"):
        edit_url, delete_url = code.join(line.edit), code.join(line.delete)
        hidden = f'<span class="visually-hidden"> {key}</span>'
        edit, delete = escape(_tr(language, EDIT)), escape(_tr(language, DELETE))
        out.append(
            f'\n  <div class="event-actions">\n    <a href="{edit_url}" data-hx-get="{edit_url}"'
            f' data-hx-target="closest li" data-hx-swap="outerHTML">{edit}{hidden}</a>'
            f'\n    <a href="{delete_url}" class="danger" data-hx-post="{delete_url}"'
            f' data-hx-confirm="Delete event {key} ({label})?" data-hx-target="#timeline"'
            f' data-hx-swap="outerHTML">{delete}{hidden}</a>\n  </div>'
        )
    out.append("\n</li>")
    return mark_safe("".join(out))  # noqa: S308  # every value is escaped just above


@register.simple_tag(takes_context=True)
def proceeding_item(context: template.Context, p: Proceeding) -> SafeString:
    """A proceeding of the case page's side panel as its <li> (the HTML its template made)."""
    case = context["case"]
    language = get_language() or "en"
    forum = escape(p.get_forum_display())
    out = [f'<li class="proceeding{"" if p.is_active else " inactive"}">\n<strong>{forum}</strong>']
    if p.reference_number:
        out.append(f' <span class="code">{escape(p.reference_number)}</span>')
    if p.case_number:
        number, said = escape(p.case_number), escape(_tr(language, CASE_NUMBER))
        out.append(f' <span class="muted">{said}</span> <span class="code">{number}</span>')
    if not p.is_active:
        out.append(f'\n<span class="muted">{escape(_tr(language, CLOSED))}</span>')
    authority = p.authority
    out.append('\n<div class="muted">')
    if authority is not None:
        out.append(escape(authority.name))
    if p.opened_on:
        opened = _tr(language, OPENED) % {"opened_on": escape(local_date(p.opened_on, "j M Y"))}
        out.append(f"{' · ' if authority is not None else ''}{opened}")
    out.append("</div>")
    if context.get("can_write"):
        hidden = f'<span class="visually-hidden"> {forum}</span>'
        edit, delete = code_url("proceeding_edit", case.code, p.code), code_url("proceeding_delete", case.code, p.code)
        out.append(
            f'\n<div class="row-actions">\n<a href="{edit}">{escape(_tr(language, EDIT))}{hidden}</a>'
            f'\n<a href="{delete}" class="danger">{escape(_tr(language, DELETE))}{hidden}</a>\n</div>'
        )
    out.append("\n</li>")
    return mark_safe("".join(out))  # noqa: S308  # every value is escaped just above

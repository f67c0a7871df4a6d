"""What the case forms share: code fields, wall-clock times, attribute kinds, and case-file problems.

Case-file problems (`CaseFileError.problems`, each with a JSON path) come back onto the form:
the last name in the path names the field (`$.events[3].removal_at` → `removal_at`).
"""

from __future__ import annotations

import re
import unicodedata
import zoneinfo
from datetime import UTC, date, datetime, time
from functools import cache
from typing import TYPE_CHECKING, Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _

from refuge.casefile import vocab
from refuge.casefile.validate import MAX_YEAR, MIN_YEAR, REFERENCE_RE
from refuge.cases import law
from refuge.cases.problem_words import problem_text
from refuge.lib import countries

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence


REFERENCE = RegexValidator(
    rf"^{REFERENCE_RE.pattern}$",
    _(
        "Use 1 to 40 characters: Latin letters, digits, '.', '_' and '-', starting with a letter or a digit,"
        " e.g. SPB-2026-014."
    ),
)


def within_years(value: date | datetime | None) -> None:
    """Refuse a date (or an instant, also once in UTC) outside the years a case file allows."""
    if value is None:
        return
    years = [value.year]
    if isinstance(value, datetime) and value.tzinfo is not None:
        try:
            years.append(value.astimezone(UTC).year)
        except OverflowError:
            years.append(MAX_YEAR + 1)
    if any(not MIN_YEAR <= year <= MAX_YEAR for year in years):
        raise ValidationError(
            _("Enter a date between the years %(first)s and %(last)s."),
            code="out_of_range",
            params={"first": MIN_YEAR, "last": MAX_YEAR},
        )


class CaseDateField(forms.DateField):
    default_validators = [within_years]  # Django's own class attribute


LANGUAGE = RegexValidator(r"^[a-z]{2,3}$", _("Use ISO 639 codes, e.g. ko or ru."))
OFFSET_RE = re.compile(r"^([+-])(0\d|1[0-4]):([0-5]\d)$")

SCRIPT_LABELS = {
    "Latn": _("Latin"),
    "Cyrl": _("Cyrillic"),
    "Hang": _("Hangul"),
    "Arab": _("Arabic"),
    "Hani": _("Han (Chinese characters)"),
    "Geor": _("Georgian"),
    "Armn": _("Armenian"),
    "Deva": _("Devanagari"),
    "Other": _("Other"),
}
_SCRIPT_WORDS = {
    "LATIN": "Latn",
    "CYRILLIC": "Cyrl",
    "HANGUL": "Hang",
    "ARABIC": "Arab",
    "CJK": "Hani",
    "GEORGIAN": "Geor",
    "ARMENIAN": "Armn",
    "DEVANAGARI": "Deva",
}
DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TIME_WIDGET = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
DATETIME_WIDGET = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


@cache
def timezone_names() -> tuple[str, ...]:
    return tuple(sorted(zoneinfo.available_timezones()))


def guess_script(value: str) -> str:
    """The script of a name from its first letter (so a hurried lawyer can leave it blank)."""
    for char in value:
        if char.isalpha():
            word = unicodedata.name(char, "").split(" ", 1)[0]
            return _SCRIPT_WORDS.get(word, "Other")
    return "Other"


def humanize(value: str) -> str:
    """A vocabulary code as words, in the reader's language ("foreigners_centre" -> "Foreigners centre")."""
    # Lazy: form classes build their choices at import; refuge.cases.vocab_words lists the msgids.
    return cast(str, _(value.replace("_", " ").capitalize()))  # a lazy str, rendered as str


def instant_iso(day: date, clock: time | None, offset: str, tz: zoneinfo.ZoneInfo) -> str:
    """A case-file `at`: a bare date, or a date-time in the given offset or else the case's zone."""
    if clock is None:
        return day.isoformat()
    clock = clock.replace(second=0, microsecond=0)
    if offset:
        return f"{day.isoformat()}T{clock.isoformat(timespec='seconds')}{offset}"
    return datetime.combine(day, clock, tzinfo=tz).isoformat(timespec="seconds")


def local_iso(value: datetime, tz: zoneinfo.ZoneInfo) -> str:
    """A date-time attribute: a wall-clock time read in the case's zone, or an aware time as it is."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=tz)
    return value.replace(microsecond=0).isoformat(timespec="seconds")


def format_offset(minutes: int) -> str:
    sign = "-" if minutes < 0 else "+"
    hours, mins = divmod(abs(minutes), 60)
    return f"{sign}{hours:02d}:{mins:02d}"


def offset_minutes(dt: datetime) -> int:
    off = dt.utcoffset()
    return int(off.total_seconds() // 60) if off is not None else 0


# --- Fields -------------------------------------------------------------------------------


class CountrySelect(forms.Select):
    """A native <select> of every ISO 3166-1 country; refuge.js adds a search box that also finds
    Russian and Korean names and short names ("КНДР", "북한"), and the page works without it."""

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs={"data-country-picker": "", "autocomplete": "off", **(attrs or {})})

    def create_option(  # noqa: PLR0917  # Django's signature
        self,
        name: str,
        value: Any,
        label: int | str,
        selected: bool,
        index: int,
        subindex: int | None = None,
        attrs: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        country = countries.countries().get(str(value))
        if country is not None:  # named in the reader's language ("Корея, КНДР (KP)"), found by every name
            option["label"] = f"{countries.name(country.code, (get_language() or 'en').split('-')[0])} ({country.code})"
            option["attrs"]["data-terms"] = "|".join(country.terms)
        return option


def country_choices(blank: str = "—") -> list[tuple[str, str]]:
    return [("", blank), *((c.code, f"{c.name()} ({c.code})") for c in countries.countries().values())]


class CountryField(forms.CharField):
    """A country as an ISO 3166-1 alpha-2 code, picked from the list; what a person types
    (a code in any case, "North Korea", "КНДР") is accepted only when it names exactly one country."""

    widget = CountrySelect

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 64)
        kwargs.setdefault("help_text", _("Type to search: English, Russian or Korean names, or the ISO code"))
        super().__init__(**kwargs)
        self.widget.choices = country_choices()

    def to_python(self, value: Any) -> str:
        text = str(super().to_python(value)).strip()
        return (countries.resolve(text) or text) if text else ""

    def widget_attrs(self, widget: forms.Widget) -> dict[str, Any]:
        attrs = super().widget_attrs(widget)
        attrs.pop("maxlength", None)  # a <select> has no length
        attrs.pop("minlength", None)
        return attrs

    def validate(self, value: Any) -> None:
        super().validate(value)
        if value and not countries.is_country(value):
            raise ValidationError(
                _("%(value)s is not a country Refuge knows: choose one from the list (ISO 3166-1)."),
                code="unknown_country",
                params={"value": str(value)[:40]},
            )


class LanguageListField(forms.CharField):
    """Comma- or space-separated ISO 639 codes → a list."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 100)
        kwargs.setdefault("required", False)
        kwargs.setdefault("help_text", _("ISO 639 codes, separated by commas, e.g. ko, ru"))
        super().__init__(**kwargs)

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, list | tuple):
            return ", ".join(value)
        return value

    def to_python(self, value: Any) -> list[str]:  # type: ignore[override]  # a list, not a string
        text = str(super().to_python(value))
        return [part.lower() for part in re.split(r"[\s,;]+", text) if part]

    def validate(self, value: Any) -> None:
        if self.required and not value:
            raise ValidationError(self.error_messages["required"], code="required")
        for code in value:
            LANGUAGE(code)


class WallClockField(forms.Field):
    """A date and time read on the case's wall clock (`datetime-local`); an explicit offset is kept."""

    widget = DATETIME_WIDGET
    default_validators = [within_years]  # Django's own class attribute

    def to_python(self, value: Any) -> datetime | None:
        if value in (None, ""):
            return None
        if isinstance(value, datetime):
            return value
        try:
            return datetime.fromisoformat(str(value).strip().replace(" ", "T"))
        except ValueError:
            raise ValidationError(_("Enter a date and time, e.g. 2026-03-10 06:00."), code="invalid") from None


class TimeZoneField(forms.CharField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 64)
        super().__init__(**kwargs)

    def widget_attrs(self, widget: forms.Widget) -> dict[str, Any]:
        attrs = super().widget_attrs(widget)
        attrs.update({"list": "timezones", "autocomplete": "off", "spellcheck": "false"})
        return attrs

    def validate(self, value: Any) -> None:
        super().validate(value)
        if value and value not in timezone_names():
            raise ValidationError(_("Use an IANA time zone name, e.g. Europe/Moscow."), code="invalid")


def attribute_field(
    name: str, kind: str, *, required: bool, event_choices: Sequence[tuple[str, str]] = ()
) -> forms.Field:
    """The form field for one case-file attribute kind (vocab.EVENT_TYPES)."""
    label = humanize(name)
    field: forms.Field
    if kind.startswith("enum:"):
        values = vocab.ENUMS[kind.removeprefix("enum:")]
        # A forum by its name, as the timeline shows it ("echr" -> "European Court of Human Rights"), not "Echr".
        word = law.forum_label if kind == "enum:forum" else humanize
        field = forms.ChoiceField(choices=[("", "—"), *((v, word(v)) for v in values)], required=required)
    elif kind == "event":
        field = forms.ChoiceField(choices=[("", "—"), *event_choices], required=required)
    elif kind == "date":
        field = CaseDateField(widget=DATE_WIDGET, required=required)
    elif kind in ("datetime", "datetime?"):
        field = WallClockField(required=required, help_text=_("In the case's time zone"))
    elif kind in ("country", "country?"):
        field = CountryField(required=required)
    elif kind == "language":
        field = forms.CharField(max_length=3, required=required, validators=[LANGUAGE], help_text=_("ISO 639 code"))
    elif kind == "bool":
        field = forms.BooleanField(required=False)
    else:
        field = forms.CharField(max_length=300, required=required)
    field.label = {
        "decision_event": _("Decision"),
        "removal_event": _("Removal"),
        "removal_at": _("Removal on"),
        "replaces": _("Reschedules the removal"),
        "extends": _("Asks to extend the measure"),
    }.get(name, label)
    field.kind = kind  # type: ignore[union-attr]  # our own mark, read when turning values into attributes
    return field


def attribute_value(kind: str, value: Any, tz: zoneinfo.ZoneInfo) -> Any:
    """A cleaned form value as the case file writes it (None: leave the attribute out)."""
    if kind == "bool":
        return bool(value)
    if value in (None, ""):
        return None
    if kind == "date":
        return value.isoformat()
    if kind in ("datetime", "datetime?"):
        return local_iso(value, tz)
    return value


def attribute_initial(kind: str, value: Any, tz: zoneinfo.ZoneInfo) -> Any:
    """A stored attribute as the form shows it (date-times on the case's wall clock)."""
    if kind in ("datetime", "datetime?") and isinstance(value, str):
        try:
            return datetime.fromisoformat(value).astimezone(tz).replace(tzinfo=None)
        except ValueError:
            return value
    return value


# --- Problems from the case-file validator --------------------------------------------------

_SEGMENT = re.compile(r"\.([A-Za-z_][A-Za-z0-9_]*)|\[(\d+)\]")


def path_parts(path: str) -> list[str | int]:
    return [name if name else int(index) for name, index in _SEGMENT.findall(path)]


def event_label(key: str, events: dict[str, str]) -> str:
    kind = events.get(key)
    return f"{key} ({_(vocab.EVENT_LABELS.get(kind, kind))})" if kind else key


def add_problems(
    form: forms.BaseForm,
    problems: Iterable[Any],
    *,
    field_for: Any = None,
    event_keys: Sequence[str] = (),
    event_types: dict[str, str] | None = None,
) -> None:
    """Put each problem next to its field, or at the top of the form naming the event it concerns.

    `field_for(parts)` may map a path to a field name; by default the last name in the path is the
    field if the form has one (`at` is the form's `date`).
    """
    for problem in problems:
        parts = path_parts(str(problem.path))
        name = field_for(parts) if field_for else None
        if name is None:
            last = next((p for p in reversed(parts) if isinstance(p, str)), None)
            last = "date" if last == "at" else last
            name = last if last in form.fields else None
        if name is not None and name in form.fields:
            form.add_error(name, problem_text(problem))
            continue
        form.add_error(None, describe_problem(problem, event_keys=event_keys, event_types=event_types))


def describe_problem(problem: Any, *, event_keys: Sequence[str] = (), event_types: dict[str, str] | None = None) -> str:
    """A problem in the reader's language, naming the event it concerns (`$.events[2]…` → `Event e3 (…)`)
    or else its JSON path."""
    parts = path_parts(str(problem.path))
    text = problem_text(problem)
    if len(parts) >= 2 and parts[0] == "events" and isinstance(parts[1], int) and parts[1] < len(event_keys):
        where = gettext("Event %(event)s") % {"event": event_label(event_keys[parts[1]], event_types or {})}
        attr = parts[2] if len(parts) > 2 and isinstance(parts[2], str) else None
        return f"{where}, {humanize(attr).lower()}: {text}" if attr else f"{where}: {text}"
    return f"{problem.path}: {text}" if parts else text

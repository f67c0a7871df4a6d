"""Forms of the case pages: they parse and check input; the actions validate the case file.

Case-file problems (`CaseFileError.problems`, each with a JSON path) come back onto the form:
the last name in the path names the field (`$.events[3].removal_at` → `removal_at`).
"""

from __future__ import annotations

import re
import unicodedata
import zoneinfo
from datetime import date, datetime, time
from functools import cache
from typing import TYPE_CHECKING, Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.urls import reverse

from refuge.casefile import vocab
from refuge.casefile.validate import REFERENCE_TYPES
from refuge.cases.models import EVENT_TYPE_CHOICES, Authority, AuthorityKind, CaseStatus, Event, Forum

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

    from django.db.models import QuerySet

    from refuge.accounts.models import User
    from refuge.cases.models import Case, Person, Proceeding

COUNTRY = RegexValidator(r"^[A-Z]{2}$", "Use a two-letter ISO 3166-1 code, e.g. RU.")
LANGUAGE = RegexValidator(r"^[a-z]{2,3}$", "Use ISO 639 codes, e.g. ko or ru.")
OFFSET_RE = re.compile(r"^([+-])(0\d|1[0-4]):([0-5]\d)$")

SCRIPT_LABELS = {
    "Latn": "Latin",
    "Cyrl": "Cyrillic",
    "Hang": "Hangul",
    "Arab": "Arabic",
    "Hani": "Han (Chinese characters)",
    "Geor": "Georgian",
    "Armn": "Armenian",
    "Deva": "Devanagari",
    "Other": "Other",
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
    return value.replace("_", " ").capitalize()


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


class CountryField(forms.CharField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 2)
        kwargs.setdefault("help_text", "Two-letter ISO code")
        super().__init__(**kwargs)
        self.validators.append(COUNTRY)

    def to_python(self, value: Any) -> str:
        return str(super().to_python(value)).strip().upper()

    def widget_attrs(self, widget: forms.Widget) -> dict[str, Any]:
        attrs = super().widget_attrs(widget)
        attrs.update({"size": 4, "autocapitalize": "characters", "autocomplete": "off", "class": "code"})
        return attrs


class LanguageListField(forms.CharField):
    """Comma- or space-separated ISO 639 codes → a list."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 100)
        kwargs.setdefault("required", False)
        kwargs.setdefault("help_text", "ISO 639 codes, separated by commas, e.g. ko, ru")
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

    def to_python(self, value: Any) -> datetime | None:
        if value in (None, ""):
            return None
        if isinstance(value, datetime):
            return value
        try:
            return datetime.fromisoformat(str(value).strip().replace(" ", "T"))
        except ValueError:
            raise ValidationError("Enter a date and time, e.g. 2026-03-10 06:00.", code="invalid") from None


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
            raise ValidationError("Use an IANA time zone name, e.g. Europe/Moscow.", code="invalid")


def attribute_field(
    name: str, kind: str, *, required: bool, event_choices: Sequence[tuple[str, str]] = ()
) -> forms.Field:
    """The form field for one case-file attribute kind (vocab.EVENT_TYPES)."""
    label = humanize(name)
    field: forms.Field
    if kind.startswith("enum:"):
        values = vocab.ENUMS[kind.removeprefix("enum:")]
        field = forms.ChoiceField(choices=[("", "—"), *((v, humanize(v)) for v in values)], required=required)
    elif kind == "event":
        field = forms.ChoiceField(choices=[("", "—"), *event_choices], required=required)
    elif kind == "date":
        field = forms.DateField(widget=DATE_WIDGET, required=required)
    elif kind in ("datetime", "datetime?"):
        field = WallClockField(required=required, help_text="In the case's time zone")
    elif kind in ("country", "country?"):
        field = CountryField(required=required)
    elif kind == "language":
        field = forms.CharField(max_length=3, required=required, validators=[LANGUAGE], help_text="ISO 639 code")
    elif kind == "bool":
        field = forms.BooleanField(required=False)
    else:
        field = forms.CharField(max_length=300, required=required)
    field.label = {"decision_event": "Decision", "removal_event": "Removal", "removal_at": "Removal on"}.get(
        name, label
    )
    field.kind = kind  # type: ignore[attr-defined]  # read when turning values into attributes
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
    return f"{key} ({vocab.EVENT_LABELS.get(kind, kind)})" if kind else key


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
            form.add_error(name, str(problem.message))
            continue
        form.add_error(None, describe_problem(problem, event_keys=event_keys, event_types=event_types))


def describe_problem(problem: Any, *, event_keys: Sequence[str] = (), event_types: dict[str, str] | None = None) -> str:
    """A problem's message, naming the event it concerns (`$.events[2]…` → `Event e3 (…)`)."""
    parts = path_parts(str(problem.path))
    if len(parts) >= 2 and parts[0] == "events" and isinstance(parts[1], int) and parts[1] < len(event_keys):
        where = f"Event {event_label(event_keys[parts[1]], event_types or {})}"
        attr = parts[2] if len(parts) > 2 and isinstance(parts[2], str) else None
        return f"{where}, {humanize(attr).lower()}: {problem.message}" if attr else f"{where}: {problem.message}"
    return str(problem.message)


# --- Events -------------------------------------------------------------------------------


class EventForm(forms.Form):
    """One timeline event: its type, when it happened, and the attributes its type has."""

    type = forms.ChoiceField(label="Event", choices=[("", "Choose the event…"), *EVENT_TYPE_CHOICES])
    date = forms.DateField(widget=DATE_WIDGET)
    time = forms.TimeField(required=False, widget=TIME_WIDGET, help_text="Empty if only the date is known")
    offset = forms.CharField(
        label="UTC offset",
        required=False,
        max_length=6,
        help_text="Only if recorded in another zone, e.g. +02:00",
    )
    source = forms.CharField(required=False, max_length=200, help_text="Where the fact comes from")
    note = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))

    BASE_FIELDS = ("type", "date", "time", "offset", "source", "note")

    def __init__(
        self,
        *args: Any,
        case: Case,
        event: Event | None = None,
        event_type: str = "",
        case_events: Iterable[Event] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.case = case
        self.event = event
        self.fields["offset"].widget.attrs.update({"size": 6, "class": "code", "placeholder": "+03:00"})
        all_events = case.events.all() if case_events is None else case_events
        events = [e for e in all_events if event is None or e.pk != event.pk]
        self.case_events = events
        if event is not None:
            self.event_type = event.type
            self.fields["type"].disabled = True
            self.initial.update(self._initial_for(event))
        else:
            self.event_type = self._chosen_type(event_type)
            # htmx swaps in the chosen type's fields (STYLE.md §14: behaviour in data- attributes).
            self.fields["type"].widget.attrs.update(
                {
                    "data-hx-get": reverse("event_fields", args=[case.code]),
                    "data-hx-trigger": "change",
                    "data-hx-target": f"#{self.prefix or 'event'}-attrs",
                    "data-hx-swap": "outerHTML",
                }
            )
        self.attribute_names: list[str] = []
        required = vocab.REQUIRED.get(self.event_type, ())
        for name, kind in vocab.EVENT_TYPES.get(self.event_type, {}).items():
            self.fields[name] = attribute_field(
                name, kind, required=name in required, event_choices=self._event_choices(name)
            )
            self.attribute_names.append(name)
            if event is None and kind == "event" and name not in self.initial:
                suggested = self._suggested_reference(name)
                if suggested:
                    self.initial[name] = suggested

    def _chosen_type(self, event_type: str) -> str:
        value = self.data.get(self.add_prefix("type"), "") if self.is_bound else ""
        value = value or event_type or self.initial.get("type", "")
        return value if value in vocab.EVENT_TYPES else ""

    def _referable(self, name: str) -> list[Event]:
        """The events an attribute may refer to (the validator's REFERENCE_TYPES), latest first."""
        allowed = REFERENCE_TYPES.get((self.event_type, name))
        current = self.event.attributes.get(name) if self.event is not None else None
        return [e for e in reversed(self.case_events) if allowed is None or e.type in allowed or e.key == current]

    def _event_choices(self, name: str) -> list[tuple[str, str]]:
        tz = self.case.tzinfo
        return [(e.key, f"{e.key} · {e.label} · {e.local_at(tz):%d %b %Y}") for e in self._referable(name)]

    def _suggested_reference(self, name: str) -> str | None:
        candidates = self._referable(name)
        return candidates[0].key if len(candidates) >= 1 and REFERENCE_TYPES.get((self.event_type, name)) else None

    def _initial_for(self, event: Event) -> dict[str, Any]:
        tz = self.case.tzinfo
        local = event.local_at(tz)
        initial: dict[str, Any] = {"type": event.type, "source": event.source, "note": event.note}
        if not event.date_only and offset_minutes(local) != event.utc_offset_minutes:
            local = event.local_at()
            initial["offset"] = format_offset(event.utc_offset_minutes)
        initial["date"] = local.date()
        initial["time"] = None if event.date_only else local.time()
        kinds = vocab.EVENT_TYPES.get(event.type, {})
        for name, value in event.attributes.items():
            initial[name] = attribute_initial(kinds.get(name, "text"), value, tz)
        return initial

    def set_focus(self) -> None:
        """Where the keyboard lands when htmx swaps the form in: the first error, else the first field."""
        if self.is_bound and self.errors:
            name = next((n for n in self.fields if n in self.errors), None)
        else:
            name = "type" if self.event is None else "date"
        if name is not None:
            self.fields[name].widget.attrs["autofocus"] = True

    def clean_offset(self) -> str:
        value = self.cleaned_data["offset"].strip()
        if value and not OFFSET_RE.match(value):
            raise ValidationError("Use +HH:MM or -HH:MM, e.g. +02:00.")
        return value

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("offset") and data.get("time") is None and "time" not in self.errors:
            self.add_error("offset", "An offset needs a time.")
        return data

    # What the actions take.
    def at_value(self) -> str:
        d = self.cleaned_data
        return instant_iso(d["date"], d.get("time"), d.get("offset", ""), self.case.tzinfo)

    def attributes(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        tz = self.case.tzinfo
        for name in self.attribute_names:
            value = attribute_value(self.fields[name].kind, self.cleaned_data.get(name), tz)  # type: ignore[attr-defined]
            if value is not None:
                out[name] = value
        return out

    def event_keys_for_problems(self, key: str) -> list[str]:
        """The events of the case file the action validated, in order (the form's event last)."""
        return [e.key for e in self.case_events] + [key]

    def event_types(self) -> dict[str, str]:
        types = {e.key: e.type for e in self.case_events}
        if self.event is not None:
            types[self.event.key] = self.event.type
        return types

    def attribute_boundfields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.attribute_names]


# --- Names, person, intake -------------------------------------------------------------------


class NameForm(forms.Form):
    value = forms.CharField(label="Name", required=False, max_length=200)
    script = forms.ChoiceField(
        choices=[("", "Detect"), *SCRIPT_LABELS.items()],
        required=False,
        help_text="Left on Detect, the script is read from the name",
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        value = (data.get("value") or "").strip()
        data["value"] = value
        if value and not data.get("script"):
            data["script"] = guess_script(value)
        return data


class BaseNameFormSet(forms.BaseFormSet):  # type: ignore[type-arg]  # Django's formsets are untyped
    def names(self) -> list[dict[str, str]]:
        return [
            {"value": f.cleaned_data["value"], "script": f.cleaned_data["script"]}
            for f in self.forms
            if f.cleaned_data.get("value")
        ]


NameFormSet = forms.formset_factory(NameForm, formset=BaseNameFormSet, extra=3, max_num=12, validate_max=True)


class PersonFieldsMixin(forms.Form):
    nationality = CountryField(required=False, help_text="Two-letter ISO code; empty if stateless")
    stateless = forms.BooleanField(required=False)
    languages = LanguageListField(label="Languages")
    birth_date = forms.DateField(required=False, widget=DATE_WIDGET)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("stateless") and data.get("nationality"):
            self.add_error("nationality", "A stateless person has no nationality: leave it empty.")
        return data


class PersonForm(PersonFieldsMixin):
    document_numbers = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 2}), help_text="One per line (passport, ID)"
    )
    contact_notes = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))
    location_notes = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))

    @classmethod
    def initial_for(cls, person: Person | None) -> dict[str, Any]:
        if person is None:
            return {}
        return {
            "nationality": person.nationality,
            "stateless": person.stateless,
            "languages": person.languages,
            "birth_date": person.birth_date,
            "document_numbers": "\n".join(person.document_numbers),
            "contact_notes": person.contact_notes,
            "location_notes": person.location_notes,
        }

    def document_number_list(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data["document_numbers"].splitlines() if line.strip()]


def person_field_for(parts: list[str | int]) -> str | None:
    """`$.person.nationality` → nationality; names go to the names table."""
    if len(parts) >= 2 and parts[0] == "person" and isinstance(parts[1], str):
        return parts[1] if parts[1] != "names" else None
    return None


# The intake's first events: one section each, in timeline order.
INTAKE_SECTIONS = (
    ("det", "detention_started", "Detention"),
    ("dec", "decision_issued", "Removal decision"),
    ("rec", "decision_received", "Decision received"),
    ("rem", "removal_scheduled", "Removal scheduled"),
)


class IntakeForm(PersonFieldsMixin):
    """A new urgent case on one page: the case, the client and the first events."""

    reference = forms.CharField(
        max_length=40,
        help_text="Pseudonymous, e.g. SPB-2026-014. Never a name.",
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    host_state = CountryField(label="Host state", help_text="Where the client is: two-letter ISO code, e.g. RU")
    timezone = TimeZoneField(
        label="Time zone", required=False, help_text="IANA name, e.g. Europe/Moscow; empty: the host state's"
    )
    status = forms.ChoiceField(choices=CaseStatus.choices, initial=CaseStatus.URGENT)

    det_date = forms.DateField(label="Detained on", required=False, widget=DATE_WIDGET)
    det_time = forms.TimeField(label="Time", required=False, widget=TIME_WIDGET)
    det_basis = forms.ChoiceField(
        label="Basis",
        required=False,
        choices=[("", "—"), *((v, humanize(v)) for v in vocab.ENUMS["detention_basis"])],
    )
    det_place = forms.CharField(label="Place", required=False, max_length=300)

    dec_date = forms.DateField(label="Decided on", required=False, widget=DATE_WIDGET)
    dec_time = forms.TimeField(label="Time", required=False, widget=TIME_WIDGET)
    dec_decision = forms.ChoiceField(
        label="Decision", required=False, choices=[("", "—"), *((v, humanize(v)) for v in vocab.ENUMS["decision"])]
    )
    dec_detention = forms.ChoiceField(
        label="Detention pending removal",
        required=False,
        choices=[("", "—"), *((v, humanize(v)) for v in vocab.ENUMS["detention"])],
    )
    dec_authority = forms.CharField(label="Authority", required=False, max_length=300)

    rec_date = forms.DateField(label="Received on", required=False, widget=DATE_WIDGET)
    rec_time = forms.TimeField(label="Time", required=False, widget=TIME_WIDGET)

    rem_removal_at = WallClockField(label="Removal on", required=False, help_text="In the case's time zone")
    rem_destination = CountryField(label="Destination", required=False)
    rem_date = forms.DateField(label="Known since", required=False, widget=DATE_WIDGET, help_text="Empty: today")

    SECTION_FIELDS = {
        "det": ("det_date", "det_time", "det_basis", "det_place"),
        "dec": ("dec_date", "dec_time", "dec_decision", "dec_detention", "dec_authority"),
        "rec": ("rec_date", "rec_time"),
        "rem": ("rem_removal_at", "rem_destination", "rem_date"),
    }

    def __init__(self, *args: Any, today: date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.today = today
        self.fields["reference"].widget.attrs["autofocus"] = True
        self.sections: list[str] = []

    def section_fields(self, section: str) -> list[forms.BoundField]:
        return [self[name] for name in self.SECTION_FIELDS[section]]

    def clean_reference(self) -> str:
        return self.cleaned_data["reference"].strip()

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not data.get("timezone") and data.get("host_state") and "timezone" not in self.errors:
            from refuge.cases.actions import default_timezone  # noqa: PLC0415  # rule packs load lazily

            self.zone_name = default_timezone(data["host_state"]) or ""
            if not self.zone_name:
                self.add_error("timezone", "No rule pack gives this host state a default zone: enter one.")
        else:
            self.zone_name = data.get("timezone") or ""
        needs = {"det": ("det_date", "det_basis"), "dec": ("dec_date", "dec_decision"), "rec": ("rec_date",)}
        for section, (first, *rest) in needs.items():
            filled = [n for n in self.SECTION_FIELDS[section] if data.get(n) not in (None, "")]
            if filled:
                for name in (first, *rest):
                    if data.get(name) in (None, "") and name not in self.errors:
                        self.add_error(name, "Needed for this event.")
        if data.get("rec_date") and not data.get("dec_date") and "dec_date" not in self.errors:
            self.add_error("rec_date", "Receipt of a decision needs the decision above.")
        filled_rem = [n for n in self.SECTION_FIELDS["rem"] if data.get(n) not in (None, "")]
        if filled_rem and not data.get("rem_removal_at") and "rem_removal_at" not in self.errors:
            self.add_error("rem_removal_at", "Needed for this event.")
        return data

    def events(self) -> list[dict[str, Any]]:
        """The first events as case-file items; `self.sections` says which section each came from."""
        d = self.cleaned_data
        tz = zoneinfo.ZoneInfo(self.zone_name)
        items: list[dict[str, Any]] = []
        self.sections = []

        def add(section: str, item: dict[str, Any]) -> str:
            key = f"e{len(items) + 1}"
            items.append({"id": key, **item})
            self.sections.append(section)
            return key

        if d.get("det_date"):
            item = {"type": "detention_started", "at": instant_iso(d["det_date"], d.get("det_time"), "", tz)}
            item["basis"] = d["det_basis"]
            if d.get("det_place"):
                item["place"] = d["det_place"]
            add("det", item)
        decision_key = None
        if d.get("dec_date"):
            item = {"type": "decision_issued", "at": instant_iso(d["dec_date"], d.get("dec_time"), "", tz)}
            item["decision"] = d["dec_decision"]
            for name in ("detention", "authority"):
                if d.get(f"dec_{name}"):
                    item[name] = d[f"dec_{name}"]
            decision_key = add("dec", item)
        if d.get("rec_date") and decision_key:
            at = instant_iso(d["rec_date"], d.get("rec_time"), "", tz)
            add("rec", {"type": "decision_received", "at": at, "decision_event": decision_key})
        if d.get("rem_removal_at"):
            item = {
                "type": "removal_scheduled",
                "at": (d.get("rem_date") or self.today).isoformat(),
                "removal_at": local_iso(d["rem_removal_at"], tz),
            }
            if d.get("rem_destination"):
                item["destination"] = d["rem_destination"]
            add("rem", item)
        return items

    def person(self, names: list[dict[str, str]]) -> dict[str, Any]:
        d = self.cleaned_data
        person: dict[str, Any] = {
            "nationality": d.get("nationality") or None,
            "stateless": bool(d.get("stateless")),
            "languages": d.get("languages") or [],
        }
        if names:
            person["names"] = names
        if d.get("birth_date"):
            person["birth_date"] = d["birth_date"].isoformat()
        return person

    def field_for(self, parts: list[str | int]) -> str | None:
        """`$.events[i].attr` → the field of the section event i came from; `$.person.x` → x."""
        if len(parts) >= 2 and parts[0] == "events" and isinstance(parts[1], int) and parts[1] < len(self.sections):
            section = self.sections[parts[1]]
            attr = next((p for p in reversed(parts) if isinstance(p, str) and p != "events"), "at")
            name = f"{section}_date" if attr in ("at", "events") else f"{section}_{attr}"
            return name if name in self.fields else self.SECTION_FIELDS[section][0]
        if len(parts) == 1 and isinstance(parts[0], str) and parts[0] in self.fields:
            return parts[0]
        return person_field_for(parts)


# --- Proceedings, documents, team, directory ---------------------------------------------------


class ProceedingForm(forms.Form):
    forum = forms.ChoiceField(choices=Forum.choices)
    reference_number = forms.CharField(label="Reference number", required=False, max_length=100)
    authority = forms.ModelChoiceField(
        queryset=Authority.objects.none(), required=False, to_field_name="code", empty_label="—"
    )
    opened_on = forms.DateField(label="Opened on", required=False, widget=DATE_WIDGET)
    is_active = forms.BooleanField(label="Active", required=False, initial=True)
    note = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, authorities: QuerySet[Authority], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["authority"].queryset = authorities  # type: ignore[attr-defined]  # a ModelChoiceField

    @classmethod
    def initial_for(cls, proceeding: Proceeding) -> dict[str, Any]:
        return {
            "forum": proceeding.forum,
            "reference_number": proceeding.reference_number,
            "authority": proceeding.authority.code if proceeding.authority else None,
            "opened_on": proceeding.opened_on,
            "is_active": proceeding.is_active,
            "note": proceeding.note,
        }


DOC_TYPES = (
    ("decision", "Decision"),
    ("appeal", "Appeal"),
    ("request", "Request"),
    ("notification", "Notification"),
    ("identity_document", "Identity document"),
    ("medical", "Medical report"),
    ("country_evidence", "Country evidence"),
    ("correspondence", "Correspondence"),
    ("power_of_attorney", "Power of attorney"),
    ("other", "Other"),
)


class DocumentForm(forms.Form):
    file = forms.FileField()
    doc_type = forms.ChoiceField(label="Type", choices=DOC_TYPES)
    title = forms.CharField(max_length=200)
    date = forms.DateField(required=False, widget=DATE_WIDGET, help_text="The document's own date")
    language = forms.CharField(required=False, max_length=3, validators=[LANGUAGE], help_text="ISO 639 code")
    events = forms.MultipleChoiceField(label="Linked events", required=False, widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args: Any, case: Case, max_bytes: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.max_bytes = max_bytes
        tz = case.tzinfo
        self.case_events = {str(e.code): e for e in case.events.all()}
        self.fields["events"].choices = [
            (code, f"{e.key} · {e.label} · {e.local_at(tz):%d %b %Y}") for code, e in self.case_events.items()
        ]
        self.fields["file"].help_text = f"At most {max_bytes // (1024 * 1024)} MB"

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > self.max_bytes:
            raise ValidationError(f"The file is larger than {self.max_bytes // (1024 * 1024)} MB.")
        if upload.size == 0:
            raise ValidationError("The file is empty.")
        return upload

    def linked_events(self) -> list[Event]:
        return [self.case_events[code] for code in self.cleaned_data["events"]]


class TeamForm(forms.Form):
    members = forms.ModelMultipleChoiceField(
        queryset=None, to_field_name="code", widget=forms.CheckboxSelectMultiple, label="Team"
    )

    def __init__(self, *args: Any, candidates: QuerySet[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["members"].queryset = candidates  # type: ignore[attr-defined]  # a ModelChoiceField
        self.fields["members"].label_from_instance = _person_label  # type: ignore[attr-defined]  # as above
        self.fields["members"].error_messages["required"] = "A case needs at least one person on its team."


def _person_label(user: User) -> str:
    name = str(user)
    return name if name == user.get_username() else f"{name} ({user.get_username()})"


class AuthorityForm(forms.Form):
    name = forms.CharField(max_length=300)
    kind = forms.ChoiceField(choices=AuthorityKind.choices)
    country = CountryField(required=False)
    languages = LanguageListField(help_text="Languages it accepts, e.g. ru, en")
    notes = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))

    @classmethod
    def initial_for(cls, authority: Authority) -> dict[str, Any]:
        return {
            "name": authority.name,
            "kind": authority.kind,
            "country": authority.country,
            "languages": authority.languages,
            "notes": authority.notes,
        }


class ChannelForm(forms.Form):
    kind = forms.ChoiceField(
        label="Channel", required=False, choices=[("", "—"), *((k, humanize(k)) for k in Authority.CHANNEL_KINDS)]
    )
    value = forms.CharField(label="Number or address", required=False, max_length=300)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("value") and not data.get("kind"):
            self.add_error("kind", "Choose how to reach it.")
        if data.get("kind") and not data.get("value"):
            self.add_error("value", "Enter the number or address.")
        return data


class BaseChannelFormSet(forms.BaseFormSet):  # type: ignore[type-arg]  # Django's formsets are untyped
    def channels(self) -> list[dict[str, str]]:
        return [
            {"kind": f.cleaned_data["kind"], "value": f.cleaned_data["value"].strip()}
            for f in self.forms
            if f.cleaned_data.get("kind")
        ]


ChannelFormSet = forms.formset_factory(ChannelForm, formset=BaseChannelFormSet, extra=2, max_num=20, validate_max=True)

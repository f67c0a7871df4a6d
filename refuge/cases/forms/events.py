"""The timeline event form: a type, when it happened, and the attributes of that type."""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any

from django import forms
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from refuge.casefile import vocab
from refuge.casefile.validate import REFERENCE_TYPES
from refuge.cases.forms.common import (
    DATE_WIDGET,
    OFFSET_RE,
    TIME_WIDGET,
    CaseDateField,
    attribute_field,
    attribute_initial,
    attribute_value,
    format_offset,
    instant_iso,
    offset_minutes,
)
from refuge.cases.models import EVENT_TYPE_CHOICES, Event
from refuge.lib import humantime

if TYPE_CHECKING:
    from collections.abc import Iterable

    from refuge.cases.models import Case

# --- Events -------------------------------------------------------------------------------


class EventForm(forms.Form):
    """One timeline event: its type, when it happened, and the attributes its type has."""

    type = forms.ChoiceField(label=_("Event"), choices=[("", _("Choose the event…")), *EVENT_TYPE_CHOICES])
    date = CaseDateField(label=_("Date"), widget=DATE_WIDGET)
    time = forms.TimeField(
        label=_("Time"), required=False, widget=TIME_WIDGET, help_text=_("Empty if only the date is known")
    )
    offset = forms.CharField(
        label=_("UTC offset"),
        required=False,
        max_length=6,
        help_text=_("Only if recorded in another zone, e.g. +02:00"),
    )
    source = forms.CharField(
        label=_("Source"), required=False, max_length=200, help_text=_("Where the fact comes from")
    )
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

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
        self._all_events = case_events
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
            # an optional reference (replaces, extends) is a choice to make, never a default
            if event is None and kind == "event" and name in required and name not in self.initial:
                suggested = self._suggested_reference(name)
                if suggested:
                    self.initial[name] = suggested

    @functools.cached_property
    def case_events(self) -> list[Event]:
        """The case's other events (not the one edited), read when first needed: a type without
        references to other events, or the form without a type, does without them."""
        events = self.case.events.all() if self._all_events is None else self._all_events
        return [e for e in events if self.event is None or e.pk != self.event.pk]

    def _chosen_type(self, event_type: str) -> str:
        value = self.data.get(self.add_prefix("type"), "") if self.is_bound else ""
        value = value or event_type or self.initial.get("type", "")
        return value if value in vocab.EVENT_TYPES else ""

    def _referable(self, name: str) -> list[Event]:
        """The events an attribute may refer to (the validator's REFERENCE_TYPES), latest first."""
        allowed = REFERENCE_TYPES.get((self.event_type, name))
        current = self.event.all_attributes().get(name) if self.event is not None else None
        return [e for e in reversed(self.case_events) if allowed is None or e.type in allowed or e.key == current]

    def _event_choices(self, name: str) -> list[tuple[str, str]]:
        tz = self.case.tzinfo
        return [
            (e.key, f"{e.key} · {e.label} · {humantime.calendar_date(e.local_at(tz))}") for e in self._referable(name)
        ]

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
        for name, value in event.all_attributes().items():
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
        value: str = self.cleaned_data["offset"].strip()
        if value and not OFFSET_RE.match(value):
            raise ValidationError(_("Use +HH:MM or -HH:MM, e.g. +02:00."))
        return value

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if data.get("offset") and data.get("time") is None and "time" not in self.errors:
            self.add_error("offset", _("An offset needs a time."))
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

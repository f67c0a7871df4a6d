"""The client: names in every script, the person's record, and the one-page intake."""

from __future__ import annotations

import zoneinfo
from datetime import date
from typing import TYPE_CHECKING, Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from refuge.casefile import vocab
from refuge.cases.actions import default_timezone
from refuge.cases.forms.common import (
    DATE_WIDGET,
    REFERENCE,
    SCRIPT_LABELS,
    TIME_WIDGET,
    CaseDateField,
    CountryField,
    LanguageListField,
    TimeZoneField,
    WallClockField,
    guess_script,
    humanize,
    instant_iso,
    local_iso,
)
from refuge.cases.models import CaseStatus

if TYPE_CHECKING:
    from refuge.cases.models import Person

# --- Names, person, intake -------------------------------------------------------------------


class NameForm(forms.Form):
    value = forms.CharField(label=_("Name"), required=False, max_length=200)
    script = forms.ChoiceField(
        label=_("Script"),
        choices=[("", _("Detect")), *SCRIPT_LABELS.items()],
        required=False,
        help_text=_("Left on Detect, the script is read from the name"),
    )

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        value = (data.get("value") or "").strip()
        data["value"] = value
        if value and not data.get("script"):
            data["script"] = guess_script(value)
        return data


class BaseNameFormSet(forms.BaseFormSet):
    def names(self) -> list[dict[str, str]]:
        return [
            {"value": f.cleaned_data["value"], "script": f.cleaned_data["script"]}
            for f in self.forms
            if f.cleaned_data.get("value")
        ]


# the class formset_factory makes is a subclass of BaseNameFormSet (django-stubs says BaseFormSet)
NameFormSet = cast(
    "type[BaseNameFormSet]",
    forms.formset_factory(NameForm, formset=BaseNameFormSet, extra=3, max_num=12, validate_max=True),
)


class PersonFieldsMixin(forms.Form):
    nationality = CountryField(
        label=_("Nationality"), required=False, help_text=_("Type to search by name; empty if stateless")
    )
    stateless = forms.BooleanField(label=_("Stateless"), required=False)
    languages = LanguageListField(label=_("Languages"))
    birth_date = CaseDateField(label=_("Birth date"), required=False, widget=DATE_WIDGET)

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if data.get("stateless") and data.get("nationality"):
            self.add_error("nationality", _("A stateless person has no nationality: leave it empty."))
        return data


class PersonForm(PersonFieldsMixin):
    document_numbers = forms.CharField(
        label=_("Document numbers"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("One per line (passport, ID)"),
    )
    contact_notes = forms.CharField(label=_("Contact notes"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    location_notes = forms.CharField(
        label=_("Location notes"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

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
    ("det", "detention_started", _("Detention")),
    ("dec", "decision_issued", _("Removal decision")),
    ("rec", "decision_received", _("Decision received")),
    ("rem", "removal_scheduled", _("Removal scheduled")),
)


def _vocab_field(label: Any, enum: str) -> forms.ChoiceField:
    """An optional choice among the case-file vocabulary `enum`'s values, humanised."""
    return forms.ChoiceField(
        label=label, required=False, choices=[("", "—"), *((v, humanize(v)) for v in vocab.ENUMS[enum])]
    )


class IntakeForm(PersonFieldsMixin):
    """A new urgent case on one page: the case, the client and the first events."""

    reference = forms.CharField(
        label=_("Reference"),
        max_length=40,
        validators=[REFERENCE],
        help_text=_("Pseudonymous, e.g. SPB-2026-014: letters, digits, '.', '_' and '-'. Never a name."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    host_state = CountryField(label=_("Host state"), help_text=_("Where the client is; type to search"))
    timezone = TimeZoneField(
        label=_("Time zone"), required=False, help_text=_("IANA name, e.g. Europe/Moscow; empty: the host state's")
    )
    status = forms.ChoiceField(label=_("Status"), choices=CaseStatus.choices, initial=CaseStatus.URGENT)

    det_date = CaseDateField(label=_("Detained on"), required=False, widget=DATE_WIDGET)
    det_time = forms.TimeField(label=_("Time"), required=False, widget=TIME_WIDGET)
    det_basis = _vocab_field(_("Basis"), "detention_basis")
    det_place = forms.CharField(label=_("Place"), required=False, max_length=300)

    dec_date = CaseDateField(label=_("Decided on"), required=False, widget=DATE_WIDGET)
    dec_time = forms.TimeField(label=_("Time"), required=False, widget=TIME_WIDGET)
    dec_decision = _vocab_field(_("Decision"), "decision")
    dec_detention = _vocab_field(_("Detention pending removal"), "detention")
    dec_authority = forms.CharField(label=_("Authority"), required=False, max_length=300)

    rec_date = CaseDateField(label=_("Received on"), required=False, widget=DATE_WIDGET)
    rec_time = forms.TimeField(label=_("Time"), required=False, widget=TIME_WIDGET)

    rem_removal_at = WallClockField(label=_("Removal on"), required=False, help_text=_("In the case's time zone"))
    rem_destination = CountryField(label=_("Destination"), required=False)
    rem_date = CaseDateField(label=_("Known since"), required=False, widget=DATE_WIDGET, help_text=_("Empty: today"))

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
        reference: str = self.cleaned_data["reference"].strip()
        return reference

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if not data.get("timezone") and data.get("host_state") and "timezone" not in self.errors:
            self.zone_name = default_timezone(data["host_state"]) or ""
            if not self.zone_name:
                self.add_error("timezone", _("No rule pack gives this host state a default zone: enter one."))
        else:
            self.zone_name = data.get("timezone") or ""
        needs = {"det": ("det_date", "det_basis"), "dec": ("dec_date", "dec_decision"), "rec": ("rec_date",)}
        for section, (first, *rest) in needs.items():
            filled = [n for n in self.SECTION_FIELDS[section] if data.get(n) not in (None, "")]
            if filled:
                for name in (first, *rest):
                    if data.get(name) in (None, "") and name not in self.errors:
                        self.add_error(name, _("Needed for this event."))
        if data.get("rec_date") and not data.get("dec_date") and "dec_date" not in self.errors:
            self.add_error("rec_date", _("Receipt of a decision needs the decision above."))
        filled_rem = [n for n in self.SECTION_FIELDS["rem"] if data.get(n) not in (None, "")]
        if filled_rem and not data.get("rem_removal_at") and "rem_removal_at" not in self.errors:
            self.add_error("rem_removal_at", _("Needed for this event."))
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

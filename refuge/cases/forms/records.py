"""Proceedings, documents, the team and the authority directory."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from refuge.cases.forms.common import (
    DATE_WIDGET,
    LANGUAGE,
    CaseDateField,
    CountryField,
    LanguageListField,
    humanize,
)
from refuge.cases.models import Authority, AuthorityKind, Event, Forum
from refuge.lib import humantime

if TYPE_CHECKING:
    from django.db.models import QuerySet

    from refuge.accounts.models import User
    from refuge.cases.models import Case, Proceeding

# --- Proceedings, documents, team, directory ---------------------------------------------------


class ProceedingForm(forms.Form):
    forum = forms.ChoiceField(label=_("Forum"), choices=Forum.choices)
    reference_number = forms.CharField(label=_("Reference number"), required=False, max_length=100)
    case_number = forms.CharField(
        label=_("Court case number"), required=False, max_length=100, help_text=_("As the court numbers the case")
    )
    authority = forms.ModelChoiceField(
        label=_("Authority"), queryset=Authority.objects.none(), required=False, to_field_name="code", empty_label="—"
    )
    opened_on = CaseDateField(label=_("Opened on"), required=False, widget=DATE_WIDGET)
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, authorities: QuerySet[Authority], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["authority"].queryset = authorities  # type: ignore[attr-defined]  # a ModelChoiceField

    @classmethod
    def initial_for(cls, proceeding: Proceeding) -> dict[str, Any]:
        return {
            "forum": proceeding.forum,
            "reference_number": proceeding.reference_number,
            "case_number": proceeding.case_number,
            "authority": proceeding.authority.code if proceeding.authority else None,
            "opened_on": proceeding.opened_on,
            "is_active": proceeding.is_active,
            "note": proceeding.note,
        }


DOC_TYPES = (
    ("decision", _("Decision")),
    ("appeal", _("Appeal")),
    ("request", _("Request")),
    ("notification", _("Notification")),
    ("identity_document", _("Identity document")),
    ("medical", _("Medical report")),
    ("country_evidence", _("Country evidence")),
    ("correspondence", _("Correspondence")),
    ("power_of_attorney", _("Power of attorney")),
    ("other", _("Other")),
)
DOC_TYPE_LABELS = dict(DOC_TYPES)  # the case page's documents say their type in the same words


class DocumentForm(forms.Form):
    file = forms.FileField(label=_("File"))
    doc_type = forms.ChoiceField(label=_("Type"), choices=DOC_TYPES)
    title = forms.CharField(label=_("Title"), max_length=200)
    date = CaseDateField(label=_("Date"), required=False, widget=DATE_WIDGET, help_text=_("The document's own date"))
    language = forms.CharField(
        label=_("Language"), required=False, max_length=3, validators=[LANGUAGE], help_text=_("ISO 639 code")
    )
    events = forms.MultipleChoiceField(label=_("Linked events"), required=False, widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args: Any, case: Case, max_bytes: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.max_bytes = max_bytes
        tz = case.tzinfo
        self.case_events = {str(e.code): e for e in case.events.all()}
        cast("forms.ChoiceField", self.fields["events"]).choices = [
            (code, f"{e.key} · {e.label} · {humantime.calendar_date(e.local_at(tz))}")
            for code, e in self.case_events.items()
        ]
        megabytes = max_bytes // (1024 * 1024)
        self.fields["file"].help_text = gettext("At most %(megabytes)s MB") % {"megabytes": megabytes}

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > self.max_bytes:
            raise ValidationError(
                _("The file is larger than %(megabytes)s MB."), params={"megabytes": self.max_bytes // (1024 * 1024)}
            )
        if upload.size == 0:
            raise ValidationError(_("The file is empty."))
        return upload

    def linked_events(self) -> list[Event]:
        return [self.case_events[code] for code in self.cleaned_data["events"]]


class TeamForm(forms.Form):
    members: forms.ModelMultipleChoiceField[User] = forms.ModelMultipleChoiceField(
        queryset=None, to_field_name="code", widget=forms.CheckboxSelectMultiple, label=_("Team")
    )

    def __init__(self, *args: Any, candidates: QuerySet[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["members"].queryset = candidates  # type: ignore[attr-defined]  # a ModelChoiceField
        self.fields["members"].label_from_instance = _person_label  # type: ignore[attr-defined]  # as above
        self.fields["members"].error_messages["required"] = _("A case needs at least one person on its team.")


def _person_label(user: User) -> str:
    name = str(user)
    return name if name == user.get_username() else f"{name} ({user.get_username()})"


class AuthorityForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=300)
    name_cyrillic = forms.CharField(
        label=_("Name in Cyrillic"),
        max_length=300,
        required=False,
        help_text=_("As a Russian letter addresses it (dative), e.g. «Федеральной службе судебных приставов»"),
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=AuthorityKind.choices)
    country = CountryField(label=_("Country"), required=False)
    languages = LanguageListField(label=_("Languages"), help_text=_("Languages it accepts, e.g. ru, en"))
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    @classmethod
    def initial_for(cls, authority: Authority) -> dict[str, Any]:
        return {
            "name": authority.name,
            "name_cyrillic": authority.name_cyrillic,
            "kind": authority.kind,
            "country": authority.country,
            "languages": authority.languages,
            "notes": authority.notes,
        }


class ChannelForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Channel"), required=False, choices=[("", "—"), *((k, humanize(k)) for k in Authority.CHANNEL_KINDS)]
    )
    value = forms.CharField(label=_("Number or address"), required=False, max_length=300)

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if data.get("value") and not data.get("kind"):
            self.add_error("kind", _("Choose how to reach it."))
        if data.get("kind") and not data.get("value"):
            self.add_error("value", _("Enter the number or address."))
        return data


class BaseChannelFormSet(forms.BaseFormSet):
    def channels(self) -> list[dict[str, str]]:
        return [
            {"kind": f.cleaned_data["kind"], "value": f.cleaned_data["value"].strip()}
            for f in self.forms
            if f.cleaned_data.get("kind")
        ]


# the class formset_factory makes is a subclass of BaseChannelFormSet (django-stubs says BaseFormSet)
ChannelFormSet = cast(
    "type[BaseChannelFormSet]",
    forms.formset_factory(ChannelForm, formset=BaseChannelFormSet, extra=2, max_num=20, validate_max=True),
)

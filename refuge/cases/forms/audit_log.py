"""The audit page's filters."""

from __future__ import annotations

import uuid
from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from refuge.cases import audit_words
from refuge.cases.forms.common import CaseDateField

SYSTEM = "system"  # the actor filter's value for entries no user made


class AuditFilterForm(forms.Form):
    type = forms.TypedChoiceField(required=False, coerce=int, empty_value=None, label=_("Event"))
    actor = forms.ChoiceField(required=False, label=_("Who"))
    target = forms.CharField(
        required=False, max_length=64, label=_("Target code"), help_text=_("A case's or a user's code (UUID)")
    )
    date_from = CaseDateField(required=False, label=_("From"), widget=forms.DateInput(attrs={"type": "date"}))
    date_to = CaseDateField(required=False, label=_("To"), widget=forms.DateInput(attrs={"type": "date"}))
    before = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)

    def __init__(self, *args: Any, people: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast("forms.ChoiceField", self.fields["type"]).choices = [("", _("Any")), *audit_words.choices()]
        actors = [("", _("Anyone")), (SYSTEM, _("The system")), *people]
        cast("forms.ChoiceField", self.fields["actor"]).choices = actors

    def clean_target(self) -> str:
        value = str(self.cleaned_data["target"]).strip()
        if not value:
            return ""
        try:
            return str(uuid.UUID(value))
        except ValueError:
            raise forms.ValidationError(_("Enter a code (a UUID), not a name.")) from None

    def clean(self) -> dict[str, Any]:
        data: dict[str, Any] = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("The end comes before the start."))
        return data

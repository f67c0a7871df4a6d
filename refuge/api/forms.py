from __future__ import annotations

from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from refuge.api.models import Scope
from refuge.api.tokens import MAX_DAYS


class TokenForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100, help_text=_("What it is for, e.g. the hotline app"))
    days = forms.IntegerField(
        label=_("Lasts (days)"),
        min_value=1,
        max_value=MAX_DAYS,
        initial=90,
        help_text=format_lazy(_("At most {days} days"), days=MAX_DAYS),
    )
    scopes = forms.MultipleChoiceField(
        label=_("Scopes"), choices=Scope.choices, initial=[Scope.READ], widget=forms.CheckboxSelectMultiple
    )

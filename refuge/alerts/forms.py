"""Forms of the alert settings page and the on-call rota."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.utils.translation import gettext_lazy as _

from refuge.alerts.actions import CHANNEL_KINDS, ESCALATE_MINUTES_RANGE
from refuge.alerts.channels.webhook import check_url
from refuge.alerts.models import CHANNEL_LABELS, AlertSettings
from refuge.cases.derived import Severity

if TYPE_CHECKING:
    from datetime import date

    from django.db.models import QuerySet

    from refuge.accounts.models import User

CRITICAL_KEEPS_INAPP = _("Critical alerts always go to the bell as well, whatever is ticked here.")


class ChannelBoxes(forms.CheckboxSelectMultiple):
    """Checkboxes of which some are ticked and cannot be unticked (critical's in-app)."""

    def __init__(self, *args: Any, fixed: tuple[str, ...] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fixed = fixed

    def create_option(self, name: str, value: Any, *args: Any, **kwargs: Any) -> dict[str, Any]:
        option: dict[str, Any] = super().create_option(name, value, *args, **kwargs)
        if value in self.fixed:
            option["attrs"].update(checked=True, disabled=True)
        return option


class AlertSettingsForm(forms.Form):
    """Channels per severity, the daily digest and a webhook URL."""

    digest = forms.BooleanField(
        label=_("Daily digest"),
        required=False,
        help_text=_("An e-mail each morning with the deadlines of your cases in the next 7 days."),
    )
    webhook_url = forms.URLField(
        label=_("Webhook URL"),
        required=False,
        max_length=500,
        assume_scheme="https",
        help_text=_("Alerts ticked for the webhook are POSTed here as JSON, signed with the key below; with no URL "
        "they go by the other channels only. It must be an https:// address on the internet (not a private or "
        "local one)."),
        widget=forms.URLInput(attrs={"spellcheck": "false", "autocomplete": "off", "placeholder": "https://"}),
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        choices = [(kind, CHANNEL_LABELS[kind]) for kind in CHANNEL_KINDS]
        fields: dict[str, forms.Field] = {}
        for severity in Severity:
            critical = severity == Severity.CRITICAL
            fields[self.channel_field(severity)] = forms.MultipleChoiceField(
                label=_("%(severity)s alerts") % {"severity": severity.label},
                choices=choices,
                required=False,
                widget=ChannelBoxes(fixed=("inapp",) if critical else ()),
                help_text=CRITICAL_KEEPS_INAPP if critical else "",
            )
        # The channel boxes first, in severity order.
        self.fields = {**fields, **self.fields}
        if not self.user.email:
            critical_field = self.fields[self.channel_field(Severity.CRITICAL)]
            no_email = _("Your account has no e-mail address, so e-mail alerts cannot reach you.")
            critical_field.help_text = f"{critical_field.help_text} {no_email}"

    @staticmethod
    def channel_field(severity: str) -> str:
        return f"channels_{severity}"

    @classmethod
    def initial_for(cls, prefs: AlertSettings) -> dict[str, Any]:
        initial: dict[str, Any] = {cls.channel_field(s): prefs.channels_for(s) for s in Severity.values}
        initial.update(digest=prefs.digest, webhook_url=prefs.webhook_url)
        return initial

    def channel_fields(self) -> list[forms.BoundField]:
        return [self[self.channel_field(s)] for s in Severity.values]

    def clean_webhook_url(self) -> str:
        url: str = (self.cleaned_data.get("webhook_url") or "").strip()
        if url:
            problem = check_url(url)
            if problem is not None:
                raise forms.ValidationError(problem)
        return url

    def channels(self) -> dict[str, list[str]]:
        """{severity: kinds} as chosen (critical's in-app is added by the action)."""
        return {s: list(self.cleaned_data.get(self.channel_field(s), [])) for s in Severity.values}


class EscalationForm(forms.Form):
    minutes = forms.IntegerField(
        label=_("Escalate after (minutes)"),
        min_value=ESCALATE_MINUTES_RANGE[0],
        max_value=ESCALATE_MINUTES_RANGE[1],
        help_text=_("How long a critical alert may wait unacknowledged before it goes to the on-call rota, "
        "and as long again before it goes to every admin. From 1 to 1440 (a day)."),
        error_messages={
            "min_value": "Give at least 1 minute.",
            "max_value": "Give at most 1440 minutes (a day).",
            "invalid": "Give a whole number of minutes, such as 30.",
            "required": "Give a whole number of minutes, such as 30.",
        },
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )


class ShiftForm(forms.Form):
    """Put someone on call for one week of the rota, or take them off."""

    week = forms.DateField(widget=forms.HiddenInput)
    user: forms.ModelChoiceField[User] = forms.ModelChoiceField(
        queryset=None,  # set per organisation in __init__
        to_field_name="code",
        label=_("Person"),
        empty_label=_("Choose someone"),
        error_messages={
            "required": "Choose who goes on call.",
            "invalid_choice": "Choose someone of your organisation who may be on call.",
        },
    )
    op = forms.ChoiceField(choices=[("add", "Add"), ("remove", "Remove")], widget=forms.HiddenInput)

    def __init__(self, *args: Any, people: QuerySet[User], weeks: list[date], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = people  # type: ignore[attr-defined]  # a ModelChoiceField
        self.weeks = weeks

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        week = data.get("week")
        if week is not None and data.get("op") == "add" and week not in self.weeks:
            raise forms.ValidationError(_("Choose one of the weeks shown: this week or one of the next seven."))
        if week is not None and week.weekday() != 0:
            raise forms.ValidationError(_("A rota week starts on a Monday."))
        return data

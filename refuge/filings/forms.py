"""The wizard's forms: what to generate (step 1, carried through the review as hidden fields) and what was sent."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from refuge.cases.forms.common import DATE_WIDGET, TIME_WIDGET, CaseDateField
from refuge.cases.forms.records import DOC_TYPE_LABELS
from refuge.filings.kinds import get_kind
from refuge.filings.models import Channel
from refuge.lib import humantime

if TYPE_CHECKING:
    from django.db.models import QuerySet

    from refuge.cases.models import Authority, Case, Document
    from refuge.filings.models import GeneratedFiling

FORUM_LABELS = {
    "echr": _("European Court of Human Rights"),
    "un_cat": _("UN Committee against Torture"),
    "un_hrc": _("UN Human Rights Committee"),
}
FORMATS = (("pdf", "PDF"), ("docx", "Word (DOCX)"))
# A time of sending this far ahead is a typing mistake, not a plan (a log records what happened).
FUTURE_SLACK = timedelta(minutes=10)


def _authority_label(authority: Authority) -> str:
    return f"{authority.name} ({authority.get_kind_display().lower()})"


class AuthorityChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return _authority_label(obj)


class SendingForm(forms.Form):
    """Step 4: the notification log's entry. The time is the case's wall clock unless an offset is given."""

    authority = AuthorityChoiceField(
        queryset=None,
        to_field_name="code",
        required=False,
        label=_("Sent to"),
        empty_label=_("The forum's registry (as addressed in the request)"),
    )
    forum = forms.ChoiceField(label=_("Forum"), required=False, choices=())
    channel = forms.ChoiceField(choices=Channel.choices, label=_("Channel"))
    sent_date = CaseDateField(widget=DATE_WIDGET, label=_("Sent on"))
    sent_time = forms.TimeField(widget=TIME_WIDGET, label=_("At"), help_text=_("The case's clock"))
    reference = forms.CharField(
        max_length=100,
        required=False,
        label=_("Reference"),
        help_text=_("The receiving office's number, if it gave one"),
    )
    proof = forms.FileField(
        required=False,
        label=_("Proof"),
        help_text=_("Fax report, postal receipt, e-filing confirmation (stored encrypted)"),
    )

    def __init__(
        self,
        *args: Any,
        case: Case,
        authorities: QuerySet[Authority],
        filing: GeneratedFiling | None,
        max_bytes: int,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.case = case
        self.filing = filing
        self.max_bytes = max_bytes
        field = cast("AuthorityChoiceField", self.fields["authority"])
        field.queryset = authorities.order_by("name")
        forums = get_kind(filing.kind).request_forums if filing is not None else ()
        if len(forums) > 1 and not filing.forum:  # type: ignore[union-attr]  # forums imply a filing
            cast("forms.ChoiceField", self.fields["forum"]).choices = [
                ("", "—"),
                *((f, FORUM_LABELS[f]) for f in forums),
            ]
            self.fields["forum"].required = True
        else:
            del self.fields["forum"]
        if filing is None:
            field.required = True
            field.empty_label = "—"
            field.error_messages["required"] = _("Choose the authority it was sent to.")
        now = timezone.now().astimezone(case.tzinfo)
        self.fields["sent_date"].initial = now.date()
        self.fields["sent_time"].initial = now.time().replace(second=0, microsecond=0)
        self.fields["proof"].help_text += "; " + gettext("at most %(megabytes)s MB") % {
            "megabytes": max_bytes // (1024 * 1024)
        }
        if filing is not None and filing.authority is not None:
            self.fields["authority"].initial = filing.authority.code

    @property
    def request_forum(self) -> str:
        """The forum whose request this sending is ('' for a letter)."""
        forums = get_kind(self.filing.kind).request_forums if self.filing is not None else ()
        if self.filing is None or not forums:
            return ""
        if "forum" in self.fields:
            return str(self.cleaned_data.get("forum") or "")
        return self.filing.forum or forums[0]

    def clean_proof(self) -> Any:
        upload = self.cleaned_data.get("proof")
        if upload is None:
            return None
        if upload.size > self.max_bytes:
            raise ValidationError(_("The file is larger than %(mb)s MB.") % {"mb": self.max_bytes // (1024 * 1024)})
        if upload.size == 0:
            raise ValidationError(_("The file is empty."))
        return upload

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        day, clock = data.get("sent_date"), data.get("sent_time")
        if day is not None and clock is not None:
            sent_at = datetime.combine(day, clock.replace(second=0, microsecond=0), tzinfo=self.case.tzinfo)
            if sent_at > timezone.now() + FUTURE_SLACK:
                self.add_error("sent_time", _("This time has not come yet: record a sending once it is done."))
            data["sent_at"] = sent_at
        if data.get("channel") == Channel.EMAIL and self.request_forum == "echr":
            self.add_error(
                "channel", _("The Court does not accept Rule 39 requests by e-mail: use the Rule 39 Site, fax or post.")
            )
        return data


def document_choices(documents: list[Document]) -> list[tuple[str, str]]:
    """Each document by its title, date and type, in the reader's language."""
    return [
        (
            str(d.code),
            f"{d.title}"
            + (f" · {humantime.calendar_date(d.date)}" if d.date else "")
            + f" · {DOC_TYPE_LABELS.get(d.doc_type, d.doc_type)}",
        )
        for d in documents
    ]

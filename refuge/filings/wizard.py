"""Steps 1-3 of the wizard, over the generation library (kinds, checklist, facts, render).

The choices of step 1 travel through the review as hidden fields of the same form, so the review
and the generation read exactly what was typed; nothing is stored before "Generate". The review
shows the checklist's answer — each missing item with a link (or a button back to step 1, the
choices kept) to where it is put right — and the facts the filing will state.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, cast

from django import forms
from django.urls import reverse
from django.utils.translation import get_language, gettext, gettext_lazy

from refuge.cases import access as case_access
from refuge.filings import actions
from refuge.filings.checklist import WARNINGS, FilingRefused, NotAcknowledged, missing_items, resolve, warnings
from refuge.filings.facts import DECISION_LABELS, CaseFacts
from refuge.filings.forms import FORMATS, FORUM_LABELS, AuthorityChoiceField, document_choices
from refuge.filings.kinds import DEFAULT_KIND, KINDS
from refuge.filings.options import Contact, FilingOptions
from refuge.lib import humantime
from refuge.lib.countries import country_name

if TYPE_CHECKING:
    from refuge.accounts.models import User
    from refuge.accounts.requests import AuthenticatedRequest
    from refuge.cases.models import Case
    from refuge.filings.checklist import Missing, Resolved
    from refuge.filings.kinds import Kind
    from refuge.filings.models import GeneratedFiling

# The fields the review screen shows to change (the others travel through it hidden).
REVIEW_FIELDS = ("grounds", "sources", "sources_chosen", "notes", "acknowledged")
LANGUAGE_LABELS = {
    "en": gettext_lazy("English"),
    "fr": gettext_lazy("French"),
    "ru": gettext_lazy("Russian"),
    "ko": gettext_lazy("Korean"),
    "tr": gettext_lazy("Turkish"),
    "uz": gettext_lazy("Uzbek"),
    "tg": gettext_lazy("Tajik"),
    "ky": gettext_lazy("Kyrgyz"),
}


def _kinds() -> dict[str, Kind]:
    return KINDS


def kind_label(kind: str) -> str:
    spec = _kinds().get(kind)
    return gettext(spec.label) if spec is not None else kind


class ChooseForm(forms.Form):
    """Step 1: what to generate. Carried as hidden fields through the review to "Generate"."""

    kind = forms.ChoiceField(label=gettext_lazy("What"), widget=forms.RadioSelect)
    lang = forms.ChoiceField(label=gettext_lazy("Language"))
    fmt = forms.ChoiceField(label=gettext_lazy("Format"), choices=FORMATS, initial="pdf")
    forum = forms.ChoiceField(
        label=gettext_lazy("Forum"),
        required=False,
        help_text=gettext_lazy("UN request: empty for the committee the case is before; update: the forum to tell"),
    )
    authority = AuthorityChoiceField(
        queryset=None,
        to_field_name="code",
        required=False,
        label=gettext_lazy("Authority to notify"),
        empty_label="—",
        help_text=gettext_lazy("The letter's addressee, from the directory"),
    )
    contact_name = forms.CharField(label=gettext_lazy("Person to contact"), max_length=200)
    contact_name_cyrillic = forms.CharField(
        label=gettext_lazy("Contact's name in Cyrillic"),
        max_length=200,
        required=False,
        help_text=gettext_lazy("Russian letters: as it signs"),
    )
    contact_phone = forms.CharField(label=gettext_lazy("Telephone"), max_length=60, required=False)
    contact_email = forms.EmailField(label=gettext_lazy("E-mail"), required=False)
    grounds = forms.CharField(
        label=gettext_lazy("Specific grounds"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy(
            "Requests: empty for the grounds assembled from the case (shown on the review, to edit)"
        ),
    )
    outgoing_number = forms.CharField(
        label=gettext_lazy("Outgoing number"),
        max_length=60,
        required=False,
        help_text=gettext_lazy("Letters: empty for REFERENCE/next version"),
    )
    # The review's choices (step 2): which events' sources and notes the facts state, and the warnings read.
    sources = forms.MultipleChoiceField(
        label=gettext_lazy("State the source of"), required=False, widget=forms.CheckboxSelectMultiple
    )
    sources_chosen = forms.BooleanField(required=False, widget=forms.HiddenInput)
    notes = forms.MultipleChoiceField(
        label=gettext_lazy("State the note of"), required=False, widget=forms.CheckboxSelectMultiple
    )
    acknowledged = forms.MultipleChoiceField(
        label=gettext_lazy("I have read"), required=False, widget=forms.CheckboxSelectMultiple, choices=()
    )
    annexes = forms.MultipleChoiceField(
        label=gettext_lazy("Annexes"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("PDF documents of the case"),
    )
    send_by_fax = forms.BooleanField(
        label=gettext_lazy("Rule 39: to be sent by fax (not the Rule 39 Site)"), required=False
    )
    power_of_attorney_follows = forms.BooleanField(
        label=gettext_lazy("UN request: the power of attorney follows separately"), required=False
    )
    despite_unavailable = forms.BooleanField(
        label=gettext_lazy("Rule 39: file with the Court even where it does not cover the act (ECHR art. 58)"),
        required=False,
        help_text=gettext_lazy(
            "Russia left the Convention on 16 September 2022: tick only where the facts fall within its reach"
        ),
    )

    def __init__(self, *args: Any, case: Case, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.case = case
        self.user = user
        kinds = _kinds()
        cast("forms.ChoiceField", self.fields["kind"]).choices = [
            (name, gettext(spec.label)) for name, spec in kinds.items()
        ]
        langs = sorted({lang for spec in kinds.values() for lang in spec.languages})
        cast("forms.ChoiceField", self.fields["lang"]).choices = [
            (lang, f"{LANGUAGE_LABELS.get(lang, lang)} ({lang})") for lang in langs
        ]
        several = [f for spec in kinds.values() if len(spec.forums) > 1 for f in spec.forums]
        cast("forms.ChoiceField", self.fields["forum"]).choices = [
            ("", "—"),
            *((f, FORUM_LABELS[f]) for f in dict.fromkeys(several)),
        ]
        authorities = case_access.authorities_for_user(user).order_by("name")
        self.fields["authority"].queryset = authorities  # type: ignore[attr-defined]  # a ModelChoiceField
        self.documents = {str(d.code): d for d in case.documents.all()}
        cast("forms.ChoiceField", self.fields["annexes"]).choices = document_choices(list(self.documents.values()))
        events = list(case.events.order_by("at", "id"))
        cast("forms.ChoiceField", self.fields["sources"]).choices = [
            (e.key, f"{e.key}: {e.source}") for e in events if e.source.strip()
        ]
        cast("forms.ChoiceField", self.fields["notes"]).choices = [
            (e.key, f"{e.key}: {e.note}") for e in events if e.note.strip()
        ]

        cast("forms.ChoiceField", self.fields["acknowledged"]).choices = [(code, code) for code in WARNINGS]

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        kind, lang = data.get("kind"), data.get("lang")
        spec = _kinds().get(kind or "")
        if spec is not None and lang and not spec.allows(lang):
            names = ", ".join(str(LANGUAGE_LABELS.get(code, code)) for code in spec.languages)
            self.add_error(
                "lang",
                gettext("%(kind)s: written in %(languages)s only.") % {"kind": gettext(spec.label), "languages": names},
            )
        if spec is not None and spec.addressed and data.get("authority") is None and "authority" not in self.errors:
            self.add_error("authority", gettext("Choose the authority to notify."))
        no_way = not (data.get("contact_phone") or data.get("contact_email"))
        if data.get("contact_name") and no_way and "contact_email" not in self.errors:
            self.add_error("contact_phone", gettext("Give a telephone number or an e-mail address for the contact."))
        return data

    @property
    def chosen_kind(self) -> str:
        return str(self.cleaned_data["kind"])

    def options(self) -> FilingOptions:
        d = self.cleaned_data
        spec = _kinds()[d["kind"]]
        contact = Contact(
            name=d["contact_name"],
            phone=d.get("contact_phone", ""),
            email=d.get("contact_email", ""),
            name_cyrillic=d.get("contact_name_cyrillic", ""),
        )
        return FilingOptions(
            contact=contact,
            authority=d.get("authority") if spec.addressed else None,
            grounds=d.get("grounds", ""),
            annexes=[self.documents[code] for code in d.get("annexes", [])],
            forum=str(d.get("forum") or "") if len(spec.forums) > 1 else "",
            send_by_fax=True if d.get("send_by_fax") else None,
            power_of_attorney_follows=bool(d.get("power_of_attorney_follows")),
            despite_unavailable=bool(d.get("despite_unavailable")) if spec.site else False,
            sources=frozenset(d.get("sources") or ()) if d.get("sources_chosen") else None,
            notes=frozenset(d.get("notes") or ()),
            outgoing_number=d.get("outgoing_number", ""),
            acknowledged=frozenset(d.get("acknowledged") or ()),
        )


def initial_choices(request: AuthenticatedRequest, case: Case) -> dict[str, Any]:
    """Step 1's first answers: a kind from the link (a Rule 39 request by default), the lawyer as contact."""
    user = request.user
    kinds = _kinds()
    spec = kinds.get(request.GET.get("kind", "")) or kinds[DEFAULT_KIND]
    return {
        "kind": spec.name,
        "lang": request.GET.get("lang") if spec.allows(request.GET.get("lang", "")) else spec.default_lang,
        "fmt": "pdf",
        "contact_name": user.get_full_name() or user.get_username(),
        "contact_name_cyrillic": getattr(user, "name_cyrillic", ""),
        "contact_email": user.email,
    }


# Where each missing item is put right: a page of the case, or step 1 itself (the choices kept).
IN_FORM = frozenset(
    {
        "language",
        "contact",
        "contact_phone",
        "grounds",
        "un_forum",
        "update_forum",
        "authority",
        "contact_cyrillic",
        "annex_other_case",
        "annex_too_large",
    }
)
TIMELINE_TYPES = {
    "removal_date": "removal_scheduled",
    "removal_time": "removal_scheduled",
    "removal_destination": "removal_scheduled",
    "domestic_decision": "decision_issued",
    "detention_place": "detention_started",
    "interim_measure": "interim_measure_granted",
}


@dataclass
class Fix:
    code: str
    label: str
    fix: str
    url: str  # '' when the fix is in step 1 (a button back to it)
    also: str = ""  # a second way out, in step 1


def _fix(case: Case, missing: Missing, authority: Any = None) -> Fix:
    code = missing.code
    if code in IN_FORM:
        return Fix(code, missing.label, gettext("Change it in step 1"), "")
    if code in TIMELINE_TYPES:
        url = reverse("event_add", args=[case.code]) + f"?type={TIMELINE_TYPES[code]}"
        return Fix(code, missing.label, gettext("Add or correct the event on the timeline"), url)
    if code == "echr_unavailable":
        url = reverse("filing_new", args=[case.code]) + "?kind=un-interim"
        also = gettext("or file with the Court even so (step 1), where the facts fall within its reach")
        return Fix(code, missing.label, gettext("Prepare a UN interim-measures request instead"), url, also)
    if code.startswith(("annex", "power_of_attorney")):
        return Fix(
            code, missing.label, gettext("Upload the document (PDF)"), reverse("document_upload", args=[case.code])
        )
    record = _record_fix(case, code, authority)
    if record is not None:
        return Fix(code, missing.label, *record)
    return Fix(code, missing.label, missing.fix, case.get_absolute_url())


def _record_fix(case: Case, code: str, authority: Any) -> tuple[str, str] | None:
    """The client's record or the directory's entry to edit, with the link's words (None: neither)."""
    if code in ("client_name", "nationality"):
        return gettext("Edit the client's record"), reverse("person_edit", args=[case.code])
    if code == "authority_cyrillic" and authority is not None:
        return gettext("Give its name in Cyrillic in the directory"), reverse("authority_edit", args=[authority.code])
    return None


@dataclass
class Choice:
    """One event's source or note, with whether the filing states it."""

    key: str
    text: str
    chosen: bool


@dataclass
class Review:
    kind_label: str
    missing: list[Fix] = field(default_factory=list)
    facts: list[tuple[str, str]] = field(default_factory=list)
    warnings: list[tuple[str, str, bool]] = field(default_factory=list)  # (code, text, acknowledged)
    grounds: str = ""  # as assembled from the case, or as the lawyer wrote them: editable here
    sources: list[Choice] = field(default_factory=list)
    notes: list[Choice] = field(default_factory=list)
    unacknowledged: bool = False  # "Generate" was pressed with a warning not acknowledged

    @property
    def ready(self) -> bool:
        return not self.missing


def _review(*, case: Case, form: ChooseForm, missing: list[Missing], unacknowledged: bool = False) -> Review:
    """Step 2: the checklist's answer, the warnings to acknowledge, the facts, the grounds, sources and notes."""

    d = form.cleaned_data
    options = form.options()
    facts = CaseFacts.of(case)
    resolved = resolve(facts=facts, kind=d["kind"], options=options, lang=d["lang"])
    found = warnings(facts=facts, kind=d["kind"], resolved=resolved)
    return Review(
        kind_label=kind_label(d["kind"]),
        missing=[_fix(case, m, d.get("authority")) for m in missing],
        facts=_facts(case=case, form=form, facts=facts, resolved=resolved),
        warnings=[(w.code, w.text, w.code in options.acknowledged) for w in found],
        grounds=resolved.grounds,
        sources=[
            Choice(e.key, e.source, options.sources is None or e.key in options.sources)
            for e in facts.events
            if e.source.strip()
        ],
        notes=[Choice(e.key, e.note, e.key in options.notes) for e in facts.events if e.note.strip()],
        unacknowledged=unacknowledged,
    )


def _facts(*, case: Case, form: ChooseForm, facts: CaseFacts, resolved: Resolved) -> list[tuple[str, str]]:
    """What the filing states, from the case and the resolved choices (the client's identity is printed, not shown)."""

    out: list[tuple[str, str]] = []
    if resolved.forum:
        forum = str(FORUM_LABELS.get(resolved.forum, resolved.forum))
        status = facts.forum_status(resolved.forum)
        if resolved.despite_unavailable and status is not None and not status["available"]:
            forum = gettext(
                "%(forum)s — which does not cover this act as Refuge reads the law (ECHR art. 58): filed on your call"
            ) % {"forum": forum}
        out.append((gettext("Forum"), forum))
    if resolved.authority is not None:
        out.append((gettext("To"), str(resolved.authority)))
    if resolved.contact is not None:
        out.append((gettext("Person to contact"), resolved.contact.line()))
    removal = facts.removal
    if removal is not None and removal.at is not None:
        when = humantime.calendar_date(removal.at, "j M Y H:i")
        where = country_name(removal.destination, get_language() or "en") or "?"
        text = gettext("%(when)s, %(zone)s, to %(destination)s") % {
            "when": when,
            "zone": case.timezone,
            "destination": where,
        }
        out.append((gettext("Scheduled removal"), text))
    detained, place = facts.detention_place
    if detained:
        out.append((gettext("Place of detention"), place or gettext("not recorded")))
    for decision in facts.decisions:
        what = gettext(DECISION_LABELS.get(decision.decision, decision.decision or decision.type.replace("_", " ")))
        by = f", {decision.authority}" if decision.authority else ""
        out.append((gettext("Decision"), f"{what}, {humantime.calendar_date(decision.at)}{by}"))
    if facts.measure is not None:
        m = facts.measure
        granted = gettext("%(forum)s, granted %(granted_at)s") % {
            "forum": FORUM_LABELS.get(m.forum, m.forum),
            "granted_at": humantime.calendar_date(m.granted_at, "j M Y H:i"),
        }
        out.append((gettext("Interim measure"), granted))
    if resolved.application_number:
        out.append((gettext("Application number"), resolved.application_number))
    if resolved.outgoing_number and _kinds()[form.chosen_kind].official_in(form.cleaned_data["lang"]):
        out.append((gettext("Outgoing number"), resolved.outgoing_number))
    if facts.court_case_number:
        out.append((gettext("Court case number"), facts.court_case_number))
    if _kinds()[form.chosen_kind].site:
        out.append((gettext("Sent by"), gettext("fax") if resolved.send_by_fax else gettext("the Rule 39 Site")))
    annexes = [d.title for d in resolved.annexes]
    out.append((gettext("Annexes"), "; ".join(annexes) if annexes else gettext("none")))
    return out


def review(*, case: Case, form: ChooseForm) -> Review:
    """Step 2: the checklist's answer and the facts the filing will carry."""

    d = form.cleaned_data
    missing = missing_items(case=case, kind=d["kind"], lang=d["lang"], options=form.options())
    return _review(case=case, form=form, missing=missing)


@dataclass
class Generated:
    filing: GeneratedFiling | None
    review: Review | None = None


def generate(*, case: Case, form: ChooseForm, user: User, via: str = "wizard") -> Generated:
    """Step 3: generate and keep the version, on record (the review again when refused or not acknowledged)."""

    d = form.cleaned_data
    try:
        generation = actions.generate_filing(
            case=case, user=user, kind=d["kind"], lang=d["lang"], fmt=d["fmt"], options=form.options(), via=via
        )
    except FilingRefused as refused:
        return Generated(filing=None, review=_review(case=case, form=form, missing=refused.missing))
    except NotAcknowledged:
        return Generated(filing=None, review=_review(case=case, form=form, missing=[], unacknowledged=True))
    return Generated(filing=generation.filing)

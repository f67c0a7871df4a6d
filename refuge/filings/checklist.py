"""Each forum's checklist: generation refuses, listing what is missing, rather than file short.

The items come from LAW.md's contents lists:

- ECtHR Rule 39 (Practice Direction on interim measures): the cover lines "Rule 39 – Urgent",
  "Person to contact", "Scheduled date and time of removal and destination"; specific grounds and
  the Convention articles; the domestic decisions; the date, time and destination of removal; the
  place of detention. The application number ("if any") and the authority's case reference are
  printed when the case holds them and are not required. Copies of decisions go in the annex
  bundle; for the Rule 39 Site (not by fax) annexes must be PDF text files and 50 MB in all.
  When the engine reports the ECtHR unavailable for the case (Russia after 16 Sep 2022, ECHR
  art. 58) a Rule 39 request is refused: the lawyer is sent to un-interim.
- UN CAT (rule 114) / HRC (rule 94, number unverified) interim measures: author and victim, the
  state, the articles, the facts in order, remedies used, other procedures, the power of attorney
  (attached, or stated to follow), the decisions, the risk, and the date, time and destination of
  removal. A filing that cites the HRC's rule number (the request, a notification of its measure)
  warns the lawyer to check it: LAW.md leaves the number unverified.
- Notification of an interim measure: the addressee, the measure in force, the client's name.
- Client notice: a person to contact with a telephone number (a detained client cannot e-mail).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.utils.translation import gettext, gettext_noop

from refuge.cases import law
from refuge.cases.forms.records import DOC_TYPE_LABELS
from refuge.filings.facts import FORUM_NAMES, SANCTIONED_NATIONALITIES, CaseFacts
from refuge.filings.kinds import get_kind
from refuge.filings.models import GeneratedFiling
from refuge.filings.options import Contact
from refuge.filings.pdf import pdf_has_text
from refuge.lib import humantime
from refuge.lib.countries import country_name

if TYPE_CHECKING:
    from refuge.cases.models import Case, Document
    from refuge.filings.options import FilingOptions

# The Rule 39 Site's limits (LAW.md, "How to send a Rule 39 request").
RULE39_SITE_MAX_BYTES = 50 * 1024 * 1024
PDF_TYPE = "application/pdf"


@dataclass(frozen=True)
class Missing:
    code: str  # stable: removal_date, contact, ...
    label: str  # what is missing, in the reader's language
    fix: str  # where in Refuge to fix it (the CLI prints it; the wizard links to the page instead)

    def line(self) -> str:
        return f"{self.code}: {self.label} — {self.fix}"


class FilingRefused(Exception):  # noqa: N818  # the interface's name: generation was refused, not an error
    """The checklist failed; `missing` lists each item. The message carries codes only, never a name."""

    def __init__(self, missing: list[Missing]) -> None:
        self.missing = list(missing)
        super().__init__("filing refused; missing: " + ", ".join(m.code for m in self.missing))


# Each item: what is missing, and where to put it right (the CLI prints both, the wizard the label and its own
# link; both in the reader's language).
ITEMS = {
    "language": (
        gettext_noop("a template in this language"),
        gettext_noop("choose one of the kind's languages (--lang)"),
    ),
    "echr_unavailable": (
        gettext_noop("the ECtHR does not cover this act (ECHR art. 58) — use un-interim"),
        gettext_noop(
            "generate un-interim (UN CAT or HRC) instead, or confirm you file with the Court anyway "
            "(the wizard's box; --despite-unavailable)"
        ),
    ),
    "removal_date": (
        gettext_noop("the scheduled date and time of removal"),
        gettext_noop(
            "Case page → Timeline: add or edit a 'Removal scheduled' event with the removal's date, "
            "time and destination"
        ),
    ),
    "removal_destination": (
        gettext_noop("the destination of removal"),
        gettext_noop("Case page → Timeline: give the 'Removal scheduled' event's destination country"),
    ),
    "contact": (
        gettext_noop("the person to contact (a name with a telephone number or an e-mail address)"),
        gettext_noop("add a lawyer with an e-mail address to the case's team, or give --contact and --contact-phone"),
    ),
    "contact_phone": (
        gettext_noop("a telephone number the client can call"),
        gettext_noop("give the contact's telephone number (--contact-phone)"),
    ),
    "grounds": (
        gettext_noop("the specific grounds and the articles relied on"),
        gettext_noop("record the destination of removal or his nationality, or write the grounds (--grounds)"),
    ),
    "domestic_decision": (
        gettext_noop("the domestic decision(s) ordering or confirming removal"),
        gettext_noop("Case page → Timeline: add the 'Decision issued' (or 'Final domestic decision') event"),
    ),
    "detention_place": (
        gettext_noop("the place of detention"),
        gettext_noop("Case page → Timeline: give the 'Detention started' event's place"),
    ),
    "client_name": (gettext_noop("the client's name"), gettext_noop("Case page → Client: add his name")),
    "nationality": (
        gettext_noop("the client's nationality (or that he is stateless)"),
        gettext_noop("Case page → Client: nationality"),
    ),
    "power_of_attorney": (
        gettext_noop("the power of attorney (attached, or stated to follow)"),
        gettext_noop(
            "upload it (type 'Power of attorney') and choose it as an annex, "
            "or say it follows (--power-of-attorney-follows)"
        ),
    ),
    "authority": (
        gettext_noop("the authority to notify"),
        gettext_noop("choose an authority from the directory (--authority)"),
    ),
    "interim_measure": (
        gettext_noop("an interim measure in force to notify"),
        gettext_noop("Case page → Timeline: add the 'Interim measure granted' event"),
    ),
    "un_forum": (
        gettext_noop("the UN committee (un_cat or un_hrc)"),
        gettext_noop("choose the committee (--forum un_cat or un_hrc)"),
    ),
    "update_forum": (
        gettext_noop("a forum a request told of the removal's old date"),
        gettext_noop(
            "an update goes where a request was sent before the removal was rescheduled "
            "(--forum echr, un_cat or un_hrc)"
        ),
    ),
    "authority_cyrillic": (
        gettext_noop("the addressee's name in Cyrillic"),
        gettext_noop("Directory → the authority: fill in 'Name in Cyrillic'"),
    ),
    "sender_cyrillic": (
        gettext_noop("the organisation's name in Cyrillic"),
        gettext_noop("give it (--sender-cyrillic), or record it on the organisation"),
    ),
    "contact_cyrillic": (
        gettext_noop("the contact's name in Cyrillic, as it signs the letter"),
        gettext_noop("give it (--contact-cyrillic), or record it on the user"),
    ),
}

# The warnings of the review: the filing can go out, but only once the lawyer has read each line.
WARNINGS = {
    "measure_in_force": gettext_noop(
        "{forum} has already indicated an interim measure covering this removal, in force now: "
        "a new request may be needless (send an update, or ask for its extension, instead)."
    ),
    "forum_unavailable": gettext_noop(
        "{forum} does not cover this act as Refuge reads the law: the request may be rejected."
    ),
    "removal_passed": gettext_noop(
        "The scheduled removal ({when}) has already passed: check whether it was carried out."
    ),
    "contact_no_phone": gettext_noop(
        "The person to contact has no telephone number: in an emergency the forum or the client cannot call."
    ),
    "rule_number_unverified": gettext_noop(
        "This filing cites rule 94 of the Human Rights Committee's rules of procedure for interim measures; "
        "Refuge has not verified that number: check it against the Committee's current rules before sending."
    ),
}
# The forums whose interim-measures rule a filing cites by a number Refuge has not verified (LAW.md: "HRC rule 94
# (unverified number)"); render.FORUM_RULES and FORUM_ARTICLES print it.
UNVERIFIED_RULES = frozenset({"un_hrc"})


@dataclass(frozen=True)
class Warning:  # the review's word for it; never raised
    code: str  # stable: measure_in_force, forum_unavailable, removal_passed, contact_no_phone, rule_number_unverified
    text: str
    forum: str = ""  # the forum it concerns, when not the filing's own (a notified measure's)


def cited_rule_forum(*, facts: CaseFacts, kind: str, resolved: Resolved) -> str:
    """The forum whose interim-measures rule the filing's text cites by number ('' when it cites none).

    A request names its forum's rule (its title and its ask, and the articles of its grounds); a
    notification to an authority names the rule under which the measure it notifies was indicated.
    """

    spec = get_kind(kind)
    if spec.request:
        return resolved.forum
    if spec.addressed and facts.measure is not None:
        return facts.measure.forum
    return ""


def warnings(*, facts: CaseFacts, kind: str, resolved: Resolved) -> list[Warning]:
    """What the lawyer must acknowledge before this filing is generated (the engine decides what is in force)."""

    spec = get_kind(kind)
    found: list[Warning] = []
    forum_name = FORUM_NAMES.get(resolved.forum, resolved.forum)
    removal = facts.removal
    if spec.request and resolved.forum:
        if facts.measure_for_removal(resolved.forum) is not None:
            found.append(
                Warning("measure_in_force", gettext(WARNINGS["measure_in_force"]).format(forum=gettext(forum_name)))
            )
        status = facts.forum_status(resolved.forum)
        if status is not None and not status["available"]:
            found.append(
                Warning("forum_unavailable", gettext(WARNINGS["forum_unavailable"]).format(forum=gettext(forum_name)))
            )
    if removal is not None and removal.at is not None and removal.at < facts.moment:
        when = humantime.calendar_date(removal.at, "j M Y H:i")
        found.append(Warning("removal_passed", gettext(WARNINGS["removal_passed"]).format(when=when)))
    contact = resolved.contact
    if contact is not None and contact.name.strip() and not contact.phone.strip() and not spec.to_client:
        found.append(Warning("contact_no_phone", gettext(WARNINGS["contact_no_phone"])))
    cited = cited_rule_forum(facts=facts, kind=kind, resolved=resolved)
    if cited in UNVERIFIED_RULES:
        found.append(Warning("rule_number_unverified", gettext(WARNINGS["rule_number_unverified"]), forum=cited))
    return found


def unacknowledged(found: list[Warning], acknowledged: frozenset[str]) -> list[Warning]:
    return [w for w in found if w.code not in acknowledged]


class NotAcknowledged(Exception):  # noqa: N818  # the interface's name, like FilingRefused
    """Warnings the lawyer has not acknowledged; nothing is generated until each one is. Codes only."""

    def __init__(self, pending: list[Warning]) -> None:
        self.warnings = list(pending)
        super().__init__("filing not generated; to acknowledge: " + ", ".join(w.code for w in self.warnings))


def item(code: str, detail: str = "") -> Missing:
    label, fix = ITEMS[code]
    label = gettext(label)
    detail = law.basis_text(detail) if detail else detail  # a pack's basis, in the reader's language
    return Missing(code=code, label=f"{label} ({detail})" if detail else label, fix=gettext(fix))


def annex_items(annexes: list[Document], *, case: Case, site: bool, total: int = 0) -> list[Missing]:
    """Annexes must belong to the case and be PDF; for the Rule 39 Site (`site`), text PDFs within 50 MB in all.

    `total` is the size of the built bundle when known (else the annexes' own sizes are added up).
    """

    found: list[Missing] = []
    size = 0
    for number, document in enumerate(annexes, start=1):
        where = {"number": number, "type": DOC_TYPE_LABELS.get(document.doc_type, document.doc_type)}
        if document.case_id != case.pk:
            label = gettext("annex %(number)s belongs to another case") % where
            found.append(Missing("annex_other_case", label, gettext("choose its documents")))
            continue
        size += document.size
        if document.content_type != PDF_TYPE:
            found.append(
                Missing(
                    "annex_not_pdf",
                    gettext("a PDF of annex %(number)s, %(type)s (it is %(content_type)s)")
                    % {**where, "content_type": document.content_type},
                    gettext("Case page → Documents: upload a PDF version and choose it instead"),
                )
            )
        elif site and not pdf_has_text(document.file.read_plaintext()):
            found.append(
                Missing(
                    "annex_no_text",
                    gettext("a text PDF of annex %(number)s, %(type)s (the Rule 39 Site refuses image-only scans)")
                    % where,
                    gettext("Case page → Documents: upload an OCR'd (searchable) PDF, or send by fax (--fax)"),
                )
            )
    total = max(total, size)  # the bundle's own size, once it is built
    if site and total > RULE39_SITE_MAX_BYTES:
        found.append(
            Missing(
                "annex_too_large",
                gettext("annexes within the Rule 39 Site's 50 MB (they are %(megabytes)s MB)")
                % {"megabytes": f"{total / 1024 / 1024:.1f}"},
                gettext("choose fewer or smaller annexes, or send by fax (--fax)"),
            )
        )
    return found


def _contact_items(kind: str, contact: Contact | None) -> list[Missing]:
    if contact is None or not contact.name.strip() or not (contact.phone.strip() or contact.email.strip()):
        return [item("contact")]
    if get_kind(kind).to_client and not contact.phone.strip():
        return [item("contact_phone")]
    return []


def _removal_items(facts: CaseFacts) -> list[Missing]:
    removal = facts.removal
    if removal is None or removal.at is None:
        return [item("removal_date")]
    return [] if removal.destination else [item("removal_destination")]


def _client_items(facts: CaseFacts, *, nationality: bool) -> list[Missing]:
    found = [] if facts.client_name() else [item("client_name")]
    if nationality and not (facts.nationality or facts.stateless):
        found.append(item("nationality"))
    return found


def _request_items(facts: CaseFacts, kind: str, resolved: Resolved) -> list[Missing]:
    """Rule 39 and UN interim-measures requests."""
    spec = get_kind(kind)
    found: list[Missing] = []
    if spec.site:  # the ECtHR: refused where it does not cover the act, unless filed on the lawyer's call
        status = facts.forum_status("echr")
        if status is not None and not status["available"] and not resolved.despite_unavailable:
            found.append(item("echr_unavailable", status.get("basis", "")))
    found += _removal_items(facts)
    found += _contact_items(kind, resolved.contact)
    if not resolved.grounds.strip():
        found.append(item("grounds"))
    if not facts.decisions:
        found.append(item("domestic_decision"))
    found += _client_items(facts, nationality=True)
    if spec.site:
        detained, place = facts.detention_place
        if detained and not place:
            found.append(item("detention_place"))
    else:
        if resolved.forum not in ("un_cat", "un_hrc"):
            found.append(item("un_forum"))
        has_poa = any(d.doc_type == "power_of_attorney" for d in resolved.annexes)
        if not has_poa and not resolved.power_of_attorney_follows:
            found.append(item("power_of_attorney"))
    if resolved.annexes:
        found += annex_items(resolved.annexes, case=facts.case, site=get_kind(kind).site and not resolved.send_by_fax)
    return found


def checklist(*, facts: CaseFacts, kind: str, lang: str, resolved: Resolved) -> list[Missing]:
    """The items missing for a filing of `kind` in `lang`, with the options already resolved."""
    spec = get_kind(kind)
    found: list[Missing] = []
    if not spec.allows(lang):
        written = {"lang": repr(lang), "kind": kind, "languages": ", ".join(spec.languages)}
        found.append(item("language", gettext("%(lang)s; %(kind)s is written in %(languages)s") % written))
    if spec.request:
        found += _request_items(facts, kind, resolved)
    elif spec.addressed:
        if resolved.authority is None:
            found.append(item("authority"))
        if facts.measure is None:
            found.append(item("interim_measure"))
        found += _contact_items(kind, resolved.contact)
        found += _client_items(facts, nationality=False)
        if spec.official_in(lang):
            found += _cyrillic_items(resolved)
    elif spec.to_client:
        found += _contact_items(kind, resolved.contact)
    elif spec.update:
        found += _removal_items(facts)
        found += _contact_items(kind, resolved.contact)
        found += _client_items(facts, nationality=False)
        if not any(due.forum == resolved.forum for due in facts.updates_due()):
            chosen = law.forum_label(resolved.forum) if resolved.forum else gettext("none chosen")
            found.append(item("update_forum", chosen))
    return found


def _cyrillic_items(resolved: Resolved) -> list[Missing]:
    """A Russian official letter names its addressee and its sender in Cyrillic, or it is sent back."""
    found = []
    authority = resolved.authority
    if authority is not None and not getattr(authority, "name_cyrillic", "").strip():
        found.append(item("authority_cyrillic", str(authority)))
    if not resolved.sender_cyrillic.strip():
        found.append(item("sender_cyrillic"))
    if resolved.contact is not None and resolved.contact.name.strip() and not resolved.contact.name_cyrillic.strip():
        found.append(item("contact_cyrillic", resolved.contact.name))
    return found


def missing_items(*, case: Case, kind: str, lang: str, options: FilingOptions) -> list[Missing]:
    """What a filing of `kind` in `lang` for `case` lacks (empty: it can be generated)."""

    facts = CaseFacts.of(case, today=options.today)
    return checklist(facts=facts, kind=kind, lang=lang, resolved=resolve(facts=facts, kind=kind, options=options))


@dataclass(frozen=True)
class Resolved:
    """The options with every default filled in from the case."""

    contact: Contact | None
    authority: object
    grounds: str
    annexes: list[Document]
    sender: str
    forum: str
    send_by_fax: bool
    application_number: str
    power_of_attorney_follows: bool
    despite_unavailable: bool = False
    sources: frozenset[str] | None = None  # the events whose source is stated (None: all)
    notes: frozenset[str] = frozenset()  # the events whose note is stated
    sender_cyrillic: str = ""
    outgoing_number: str = ""
    country_evidence: tuple[str, ...] = ()  # titles of the annexed country evidence the grounds rely on


# The conflicts the engine raised that a request's grounds rely on, with what they add to the risk.
CONFLICT_GROUNDS = {
    "removal_before_final": "the removal is scheduled before the decision ordering it has become final, "
    "so the remedy against it would be rendered ineffective",
    "removal_during_asylum": "the removal is scheduled while an asylum procedure is pending, "
    "contrary to the prohibition of refoulement (Refugee Convention, art. 33)",
    "document_signed_without_interpreter": "the applicant was made to sign a document in a language not among "
    "the applicant's languages, without an interpreter; it cannot be read as consent to return",
    "removal_during_interim_measure": "the removal is scheduled despite an interim measure in force",
    "consular_contact_while_protected": "the authorities have put the applicant in contact with officials of "
    "the feared State, who now know of the applicant's situation",
}
# The articles each forum's request engages (ECHR arts. 2, 3, 5, 13, 34; CAT arts. 3, 22; ICCPR arts. 6, 7).
FORUM_ARTICLES = {
    "echr": "Articles 2 and 3 of the Convention (risk to life and of ill-treatment), Article 5 (detention with a view "
    "to removal), Article 13 (no effective remedy with suspensive effect) and Article 34 (interim measures)",
    "un_cat": "Article 3 of the Convention against Torture and Article 22 (individual communications; interim "
    "measures under rule 114)",
    "un_hrc": "Articles 6 and 7 of the International Covenant on Civil and Political Rights (Optional Protocol; "
    "interim measures under rule 94)",
}
RISKS = {
    "echr": "a real and imminent risk of death, torture or inhuman or degrading treatment",
    "un_cat": "a foreseeable, real and personal risk of being subjected to torture",
    "un_hrc": "a real, personal and irreparable risk of arbitrary deprivation of life and of torture or ill-treatment",
}


def default_grounds(*, facts: CaseFacts, kind: str, forum: str, evidence: tuple[str, ...] = ()) -> str:
    """The grounds assembled from the case: the destination, the conflicts raised, the country evidence, the articles.

    Empty when neither a destination nor a nationality is recorded (the checklist then asks for them).
    """

    removal = facts.removal
    destination = removal.destination if removal is not None and removal.destination else facts.nationality
    if not destination or forum not in FORUM_ARTICLES:
        return ""
    where = country_name(destination)
    paragraphs = [f"If removed to {where}, the applicant would face {RISKS[forum]}."]
    raised = []
    for conflict in facts.report.get("conflicts", []):
        words = CONFLICT_GROUNDS.get(str(conflict.get("kind")))
        if words and words not in raised:
            raised.append(words)
    if raised:
        paragraphs.append("Moreover, " + "; ".join(raised) + ".")
    if evidence:
        paragraphs.append(f"The risk in {where} is documented in the country evidence annexed: {'; '.join(evidence)}.")
    paragraphs.append(
        f"The request engages {FORUM_ARTICLES[forum]}. Removal would cause irreparable harm before the case can be "
        "examined."
    )
    return "\n\n".join(paragraphs)


def _with_cyrillic(contact: Contact | None, facts: CaseFacts) -> Contact | None:
    """The contact with the Cyrillic name its user records, when not given (a user of the same full name)."""
    from dataclasses import replace  # noqa: PLC0415  # one use

    if contact is None or contact.name_cyrillic.strip():
        return contact
    for user in facts.organisation_users():
        if (user.get_full_name() or user.username) == contact.name and user.name_cyrillic:
            return replace(contact, name_cyrillic=user.name_cyrillic)
    return contact


def outgoing_number(facts: CaseFacts, kind: str, lang: str) -> str:
    """The letter's outgoing number: the case's reference and the version this letter will be."""

    count = GeneratedFiling.objects.filter(case=facts.case, kind=kind, lang=lang).count()
    return f"{facts.case.reference}/{count + 1}"


def resolve(*, facts: CaseFacts, kind: str, options: FilingOptions, lang: str = "") -> Resolved:
    spec = get_kind(kind)
    contact = options.contact
    if contact is None:
        lawyer = facts.first_lawyer()
        if lawyer is not None:
            contact = Contact(
                name=lawyer.get_full_name() or lawyer.username, email=lawyer.email, name_cyrillic=lawyer.name_cyrillic
            )
    contact = _with_cyrillic(contact, facts)
    forum = options.forum or spec.default_forum(facts)
    fax = options.send_by_fax
    if fax is None:
        fax = facts.nationality in SANCTIONED_NATIONALITIES
    number = options.application_number or (facts.reference_before(forum) if forum else "")
    evidence = tuple(d.title for d in options.annexes if d.doc_type == "country_evidence")
    organisation = facts.case.organisation
    return Resolved(
        contact=contact,
        authority=options.authority,
        grounds=options.grounds.strip() or default_grounds(facts=facts, kind=kind, forum=forum, evidence=evidence),
        annexes=list(options.annexes),
        sender=options.sender.strip() or organisation.name,
        forum=forum,
        send_by_fax=fax,
        application_number=number,
        power_of_attorney_follows=options.power_of_attorney_follows,
        despite_unavailable=options.despite_unavailable,
        sources=options.sources,
        notes=options.notes,
        sender_cyrillic=options.sender_cyrillic.strip() or organisation.name_cyrillic,
        outgoing_number=options.outgoing_number.strip() or (outgoing_number(facts, kind, lang) if lang else ""),
        country_evidence=evidence,
    )

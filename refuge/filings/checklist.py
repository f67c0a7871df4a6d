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
- UN CAT (rule 114) / HRC (rule 94) interim measures: author and victim, the state, the articles,
  the facts in order, remedies used, other procedures, the power of attorney (attached, or stated
  to follow), the decisions, the risk, and the date, time and destination of removal.
- Notification of an interim measure: the addressee, the measure in force, the client's name.
- Client notice: a person to contact with a telephone number (a detained client cannot e-mail).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from refuge.filings.kinds import get_kind

if TYPE_CHECKING:
    from refuge.cases.models import Case, Document
    from refuge.filings.facts import CaseFacts
    from refuge.filings.options import Contact, FilingOptions

# The Rule 39 Site's limits (LAW.md, "How to send a Rule 39 request").
RULE39_SITE_MAX_BYTES = 50 * 1024 * 1024
PDF_TYPE = "application/pdf"


@dataclass(frozen=True)
class Missing:
    code: str  # stable: removal_date, contact, ...
    label: str  # what is missing, in plain English
    fix: str  # where in Refuge to fix it

    def line(self) -> str:
        return f"{self.code}: {self.label} — {self.fix}"


class FilingRefused(Exception):  # noqa: N818  # the interface's name: generation was refused, not an error
    """The checklist failed; `missing` lists each item. The message carries codes only, never a name."""

    def __init__(self, missing: list[Missing]) -> None:
        self.missing = list(missing)
        super().__init__("filing refused; missing: " + ", ".join(m.code for m in self.missing))


TIMELINE = "Case page → Timeline"
ITEMS = {
    "language": ("a template in this language", "choose one of the kind's languages (--lang)"),
    "echr_unavailable": (
        "the ECtHR does not cover this act (ECHR art. 58) — use un-interim",
        "generate un-interim (UN CAT or HRC) instead, or confirm you file with the Court anyway "
        "(the wizard's box; --despite-unavailable)",
    ),
    "removal_date": (
        "the scheduled date and time of removal",
        f"{TIMELINE}: add or edit a 'Removal scheduled' event with the removal's date, time and destination",
    ),
    "removal_destination": (
        "the destination of removal",
        f"{TIMELINE}: give the 'Removal scheduled' event's destination country",
    ),
    "contact": (
        "the person to contact (a name with a telephone number or an e-mail address)",
        "add a lawyer with an e-mail address to the case's team, or give --contact-name and --contact-phone",
    ),
    "contact_phone": (
        "a telephone number the client can call",
        "give the contact's telephone number (--contact-phone)",
    ),
    "grounds": (
        "the specific grounds and the articles relied on",
        "record the destination of removal or his nationality, or write the grounds (--grounds)",
    ),
    "domestic_decision": (
        "the domestic decision(s) ordering or confirming removal",
        f"{TIMELINE}: add the 'Decision issued' (or 'Final domestic decision') event",
    ),
    "detention_place": (
        "the place of detention",
        f"{TIMELINE}: give the 'Detention started' event's place",
    ),
    "client_name": ("the client's name", "Case page → Client: add his name"),
    "nationality": ("the client's nationality (or that he is stateless)", "Case page → Client: nationality"),
    "power_of_attorney": (
        "the power of attorney (attached, or stated to follow)",
        "upload it (type 'Power of attorney') and choose it as an annex, "
        "or say it follows (--power-of-attorney-follows)",
    ),
    "authority": ("the authority to notify", "choose an authority from the directory (--authority)"),
    "interim_measure": (
        "an interim measure in force to notify",
        f"{TIMELINE}: add the 'Interim measure granted' event",
    ),
    "un_forum": ("the UN committee (un_cat or un_hrc)", "choose the committee (--forum un_cat or un_hrc)"),
}


def item(code: str, detail: str = "") -> Missing:
    label, fix = ITEMS[code]
    return Missing(code=code, label=f"{label} ({detail})" if detail else label, fix=fix)


def annex_items(kind: str, annexes: list[Document], *, case: Case, site: bool, total: int = 0) -> list[Missing]:
    """Annexes must belong to the case and be PDF; for the Rule 39 Site, text PDFs within 50 MB in all.

    `total` is the size of the built bundle when known (else the annexes' own sizes are added up).
    """
    from refuge.filings.annexes import pdf_has_text  # noqa: PLC0415  # annexes imports this module

    found: list[Missing] = []
    size = 0
    for number, document in enumerate(annexes, start=1):
        where = f"annex {number}, {document.doc_type}"
        if document.case_id != case.pk:
            found.append(Missing("annex_other_case", f"annex {number} belongs to another case", "choose its documents"))
            continue
        size += document.size
        if document.content_type != PDF_TYPE:
            found.append(
                Missing(
                    "annex_not_pdf",
                    f"a PDF of {where} (it is {document.content_type})",
                    "Case page → Documents: upload a PDF version and choose it instead",
                )
            )
        elif kind == "rule39" and site and not pdf_has_text(document.file.read_plaintext()):
            found.append(
                Missing(
                    "annex_no_text",
                    f"a text PDF of {where} (the Rule 39 Site refuses image-only scans)",
                    "Case page → Documents: upload an OCR'd (searchable) PDF, or send by fax (--fax)",
                )
            )
    total = max(total, size)  # the bundle's own size, once it is built
    if kind == "rule39" and site and total > RULE39_SITE_MAX_BYTES:
        found.append(
            Missing(
                "annex_too_large",
                f"annexes within the Rule 39 Site's 50 MB (they are {total / 1024 / 1024:.1f} MB)",
                "choose fewer or smaller annexes, or send by fax (--fax)",
            )
        )
    return found


def _contact_items(kind: str, contact: Contact | None) -> list[Missing]:
    if contact is None or not contact.name.strip() or not (contact.phone.strip() or contact.email.strip()):
        return [item("contact")]
    if kind == "client-notice" and not contact.phone.strip():
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
    found: list[Missing] = []
    if kind == "rule39":
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
    if kind == "rule39":
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
        found += annex_items(kind, resolved.annexes, case=facts.case, site=not resolved.send_by_fax)
    return found


def checklist(*, facts: CaseFacts, kind: str, lang: str, resolved: Resolved) -> list[Missing]:
    """The items missing for a filing of `kind` in `lang`, with the options already resolved."""
    spec = get_kind(kind)
    found: list[Missing] = []
    if not spec.allows(lang):
        found.append(item("language", f"{lang!r}; {kind} is written in {', '.join(spec.languages)}"))
    if kind in ("rule39", "un-interim"):
        found += _request_items(facts, kind, resolved)
    elif kind == "notify-authority":
        if resolved.authority is None:
            found.append(item("authority"))
        if facts.measure is None:
            found.append(item("interim_measure"))
        found += _contact_items(kind, resolved.contact)
        found += _client_items(facts, nationality=False)
    elif kind == "client-notice":
        found += _contact_items(kind, resolved.contact)
    return found


def missing_items(*, case: Case, kind: str, lang: str, options: FilingOptions) -> list[Missing]:
    """What a filing of `kind` in `lang` for `case` lacks (empty: it can be generated)."""
    from refuge.filings.facts import CaseFacts  # noqa: PLC0415  # facts imports the cases models

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


def default_grounds(*, facts: CaseFacts, kind: str, forum: str) -> str:
    """The risk in the destination (else his country of nationality), with the articles of the forum's treaty."""
    from refuge.filings.countries import country_name  # noqa: PLC0415  # a table, loaded where used

    removal = facts.removal
    destination = removal.destination if removal is not None and removal.destination else facts.nationality
    if not destination:
        return ""
    where = country_name(destination)
    if kind == "rule39":
        articles = "Articles 2 and 3 of the Convention"
        risk = "a real and imminent risk of death, torture or inhuman or degrading treatment"
    elif forum == "un_hrc":
        articles = "Articles 6 and 7 of the International Covenant on Civil and Political Rights"
        risk = "a real, personal and irreparable risk of arbitrary deprivation of life and of torture or ill-treatment"
    else:
        articles = "Article 3 of the Convention against Torture"
        risk = "a foreseeable, real and personal risk of being subjected to torture"
    return (
        f"If removed to {where}, the applicant would face {risk}, contrary to {articles}. "
        f"Removal would cause irreparable harm before the case can be examined."
    )


def resolve(*, facts: CaseFacts, kind: str, options: FilingOptions) -> Resolved:
    from refuge.filings.facts import SANCTIONED_NATIONALITIES  # noqa: PLC0415  # facts imports the cases models
    from refuge.filings.options import Contact  # noqa: PLC0415  # options is typing-only above

    contact = options.contact
    if contact is None:
        lawyer = facts.first_lawyer()
        if lawyer is not None:
            contact = Contact(name=lawyer.get_full_name() or lawyer.username, email=lawyer.email)
    forum = options.forum or (facts.un_forum() if kind == "un-interim" else ("echr" if kind == "rule39" else ""))
    fax = options.send_by_fax
    if fax is None:
        fax = facts.nationality in SANCTIONED_NATIONALITIES
    number = options.application_number or (facts.reference_before(forum) if forum else "")
    return Resolved(
        contact=contact,
        authority=options.authority,
        grounds=options.grounds.strip() or default_grounds(facts=facts, kind=kind, forum=forum),
        annexes=list(options.annexes),
        sender=options.sender.strip() or facts.case.organisation.name,
        forum=forum,
        send_by_fax=fax,
        application_number=number,
        power_of_attorney_follows=options.power_of_attorney_follows,
        despite_unavailable=options.despite_unavailable,
    )

"""Generate a filing from a case: the checklist first, then HTML → PDF (WeasyPrint) or DOCX (docxtpl).

`render_filing` is the one door: part B's wizard and the `refuge filing` command call it, and it
raises `FilingRefused` (with every missing item) rather than produce an incomplete request.
"""

from __future__ import annotations

import hashlib
import io
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from django.template.loader import render_to_string
from django.utils import translation

from refuge.filings.annexes import annex_rows, build_annex_bundle
from refuge.filings.checklist import (
    FORUM_ARTICLES,
    RULE39_SITE_MAX_BYTES,
    FilingRefused,
    Missing,
    NotAcknowledged,
    Resolved,
    checklist,
    item,
    resolve,
    unacknowledged,
    warnings,
)
from refuge.filings.docx import html_to_docx
from refuge.filings.facts import (
    DECISION_LABELS,
    ECHR_FAXES,
    FORUM_NAMES,
    FORUM_NAMES_RU,
    CaseFacts,
)
from refuge.filings.kinds import get_kind
from refuge.filings.options import Contact, FilingOptions
from refuge.filings.pdf import html_to_pdf
from refuge.filings.sentences import Say, event_sentence
from refuge.lib.countries import country_name
from refuge.rules.timeutil import end_of_day
from refuge.search.normalise import transliterate_cyrillic

if TYPE_CHECKING:
    from refuge.cases.models import Case

__all__ = [
    "Contact",
    "FilingOptions",
    "FilingRefused",
    "Missing",
    "NotAcknowledged",
    "Rendered",
    "build_annex_bundle",
    "render_filing",
]

CONTENT_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}
MONTHS = {
    "en": [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ],
    "ru": [
        "января",
        "февраля",
        "марта",
        "апреля",
        "мая",
        "июня",
        "июля",
        "августа",
        "сентября",
        "октября",
        "ноября",
        "декабря",
    ],
}
# The client notice's other languages (issue 13): Uzbek in Latin script, Tajik and Kyrgyz in Cyrillic.
MONTHS["uz"] = [
    "yanvar",
    "fevral",
    "mart",
    "aprel",
    "may",
    "iyun",
    "iyul",
    "avgust",
    "sentabr",
    "oktabr",
    "noyabr",
    "dekabr",
]
MONTHS["tg"] = [
    "январ",
    "феврал",
    "март",
    "апрел",
    "май",
    "июн",
    "июл",
    "август",
    "сентябр",
    "октябр",
    "ноябр",
    "декабр",
]
# Kyrgyz dates name the month with its possessive ("2026-жылдын 12-марты").
MONTHS["ky"] = [
    "январы",
    "февралы",
    "марты",
    "апрели",
    "майы",
    "июну",
    "июлу",
    "августу",
    "сентябры",
    "октябры",
    "ноябры",
    "декабры",
]
LOCAL_TIME = {"ko": "현지 시각", "uz": "mahalliy vaqt", "tg": "вақти маҳаллӣ", "ky": "жергиликтүү убакыт"}
FORUM_NAMES_CLIENT = {
    "uz": {
        "echr": "Inson huquqlari boʻyicha Yevropa sudi",
        "un_cat": "BMTning Qiynoqlarga qarshi qoʻmitasi",
        "un_hrc": "BMTning Inson huquqlari qoʻmitasi",
    },
    "tg": {
        "echr": "Суди аврупоии ҳуқуқи инсон",
        "un_cat": "Кумитаи СММ бар зидди шиканҷа",
        "un_hrc": "Кумитаи СММ оид ба ҳуқуқи инсон",
    },
    "ky": {
        "echr": "Адам укуктары боюнча Европа соту",
        "un_cat": "БУУнун Кыйноолорго каршы комитети",
        "un_hrc": "БУУнун Адам укуктары боюнча комитети",
    },
}
FORUM_NAMES_RU_GENITIVE = {
    "echr": "Европейского суда по правам человека",
    "un_cat": "Комитета ООН против пыток",
    "un_hrc": "Комитета ООН по правам человека",
}
FORUM_NAMES_KO = {"echr": "유럽인권재판소", "un_cat": "유엔 고문방지위원회", "un_hrc": "유엔 자유권규약위원회"}
FORUM_RULES = {
    "en": {
        "echr": "Rule 39 of the Rules of Court",
        "un_cat": "rule 114 of the Committee's rules of procedure",
        "un_hrc": "rule 94 of the Committee's rules of procedure",
    },
    "ru": {
        "echr": "правила 39 Регламента Суда",
        "un_cat": "правила 114 правил процедуры Комитета",
        "un_hrc": "правила 94 правил процедуры Комитета",
    },
}


@dataclass(frozen=True)
class Rendered:
    content: bytes
    filename: str  # ASCII only (the Rule 39 Site accepts nothing else)
    content_type: str
    sha256: str
    forum: str = ""  # the forum a request goes to ('' for letters and notices)
    acknowledged: tuple[tuple[str, str], ...] = ()  # (warning code, forum) the lawyer acknowledged


# -- formatting ------------------------------------------------------------------------------


def format_date(day: date, lang: str) -> str:
    if lang == "ko":
        return f"{day.year}년 {day.month}월 {day.day}일"
    if lang == "uz":
        return f"{day.year}-yil {day.day}-{MONTHS['uz'][day.month - 1]}"
    if lang == "ky":
        return f"{day.year}-жылдын {day.day}-{MONTHS['ky'][day.month - 1]}"
    if lang == "tg":  # the month joined to the year by the izafet: "12 марти соли 2026"
        return f"{day.day} {MONTHS['tg'][day.month - 1]}и соли {day.year}"
    months = MONTHS.get(lang, MONTHS["en"])
    suffix = " г." if lang == "ru" else ""
    return f"{day.day} {months[day.month - 1]} {day.year}{suffix}"


def utc_offset(moment: datetime) -> str:
    offset = moment.utcoffset()
    minutes = int(offset.total_seconds() // 60) if offset else 0
    sign = "+" if minutes >= 0 else "-"
    return f"UTC{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def moscow_offset(moment: datetime) -> str:
    """The zone as Russian text names it: 'МСК' for Moscow time, 'МСК+4' for four hours ahead of it."""
    offset = moment.utcoffset()
    minutes = (int(offset.total_seconds() // 60) if offset else 0) - 180
    if minutes == 0:
        return "МСК"
    sign = "+" if minutes > 0 else "−"
    hours, rest = divmod(abs(minutes), 60)
    return f"МСК{sign}{hours}" + (f":{rest:02d}" if rest else "")


def format_moment(moment: datetime, lang: str, *, zone: str, time_known: bool = True) -> str:
    """'16 March 2026 at 09:00 (Europe/Istanbul, UTC+03:00)' in the language; '08.12.2026 06:00 (МСК)' in Russian.

    Russian text names no IANA zone and no English word: the time is given against Moscow time.
    """
    if lang == "ru":
        day = f"{moment:%d.%m.%Y}"
        return f"{day} {moment:%H:%M} ({moscow_offset(moment)})" if time_known else day
    day = format_date(moment.date(), lang)
    if not time_known:
        return day
    if lang in LOCAL_TIME:  # for the client, where he is: local time, no zone name in Latin script
        return f"{day} {moment:%H:%M} ({LOCAL_TIME[lang]})"
    clock = f"{moment:%H:%M} ({zone}, {utc_offset(moment)})"
    joiner = {"en": " at ", "ru": " в ", "ko": " "}.get(lang, " at ")
    return f"{day}{joiner}{clock}"


def ascii_filename(kind: str, reference: str, lang: str, fmt: str) -> str:
    """The Rule 39 Site takes ASCII file names only: a Cyrillic reference (СПБ-2026-014) is transliterated."""

    latin = unicodedata.normalize("NFKD", transliterate_cyrillic(reference)).encode("ascii", "ignore").decode()
    stem = re.sub(r"[^A-Za-z0-9._-]+", "-", f"{kind}-{latin}-{lang}").strip("-.") or kind
    return f"{stem}.{fmt}"


def _forum_name(forum: str, lang: str) -> str:
    if lang == "ru":
        return FORUM_NAMES_RU.get(forum, forum)
    if lang == "ko":
        return FORUM_NAMES_KO.get(forum, forum)
    if lang in FORUM_NAMES_CLIENT:
        return FORUM_NAMES_CLIENT[lang].get(forum, forum)
    return FORUM_NAMES.get(forum, forum)


def _name_scripts(lang: str) -> tuple[str, ...]:
    return {"ru": ("Cyrl", "Latn"), "tg": ("Cyrl", "Latn"), "ky": ("Cyrl", "Latn"), "ko": ("Hang", "Latn")}.get(
        lang, ("Latn",)
    )


# -- the context -----------------------------------------------------------------------------


def _decision_line(facts: CaseFacts, index: int, lang: str) -> str:
    d = facts.decisions[index]
    when = format_date(d.at.date(), lang)
    if d.type == "appeal_decided":
        what = f"appeal decided ({d.outcome or 'outcome not recorded'})"
    elif d.type == "final_domestic_decision":
        what = "final domestic decision"
    else:
        what = f"decision ordering {DECISION_LABELS.get(d.decision, d.decision or 'removal')}"
    by = f" by the {d.authority}" if d.authority else ""
    return f"{when}: {what}{by}"


def say(facts: CaseFacts, lang: str) -> Say:
    """The sentence builder for the filing's language, with its dates in the case's zone."""
    zone = facts.case.timezone

    def moment(at: datetime, time_known: bool) -> str:
        if lang == "ru":
            return format_moment(at, lang, zone=zone, time_known=time_known)
        day = format_date(at.date(), lang)
        return f"{day} at {at:%H:%M}" if time_known else day

    return Say(facts, lang, moment, lambda day: format_date(day, lang) if lang != "ru" else f"{day:%d.%m.%Y}")


def _timeline(facts: CaseFacts, lang: str, resolved: Resolved) -> list[str]:
    """The facts in order, as a lawyer states them: one sentence per event, with the sources and notes chosen."""
    words = say(facts, lang)
    sources = resolved.sources
    return [
        event_sentence(event, words, source=sources is None or event.key in sources, note=event.key in resolved.notes)
        for event in facts.events
    ]


PROCEDURE_STEPS = {
    "en": {
        "asylum_applied": "applied for on {}",
        "asylum_refusal_received": "refusal received on {}",
        "asylum_appeal_rejected_received": "appeal rejected (notice received on {})",
        "asylum_granted": "granted on {}",
    },
    "ru": {
        "asylum_applied": "заявление подано {}",
        "asylum_refusal_received": "отказ получен {}",
        "asylum_appeal_rejected_received": "жалоба отклонена (уведомление получено {})",
        "asylum_granted": "предоставлено {}",
    },
}
PROCEDURE_NAMES = {
    "en": {"refugee_status": "Refugee status", "temporary_asylum": "Temporary asylum"},
    "ru": {"refugee_status": "Признание беженцем", "temporary_asylum": "Временное убежище"},
}


def _procedures(facts: CaseFacts, lang: str) -> list[str]:
    """Each asylum procedure by its kind, with its steps: 'Refugee status: applied for on …; refusal received on …'."""
    words = say(facts, lang)
    steps = PROCEDURE_STEPS.get(lang, PROCEDURE_STEPS["en"])
    names = PROCEDURE_NAMES.get(lang, PROCEDURE_NAMES["en"])
    by_kind: dict[str, list[str]] = {}
    for event in facts.events:
        if event.type in steps:
            kind = str(event.attributes.get("kind") or "")
            when = words.moment(facts.local(event), False)
            by_kind.setdefault(kind, []).append(steps[event.type].format(when))
    return [f"{names.get(kind, kind)}: {'; '.join(parts)}" for kind, parts in by_kind.items()]


def korean_to(word: str) -> str:
    """'X로' or 'X으로': the particle a Korean noun takes, by its last syllable (no '(으)로' left in the text)."""
    last = word[-1:] if word else ""
    if "가" <= last <= "힣":
        final = (ord(last) - ord("가")) % 28
        return f"{word}으로" if final not in (0, 8) else f"{word}로"  # 8: ㄹ takes 로
    return f"{word}로" if word else ""


def _measure(facts: CaseFacts, lang: str) -> dict[str, Any] | None:
    m = facts.measure
    if m is None:
        return None
    until = ""
    if m.until:
        try:
            until = format_date(datetime.fromisoformat(str(m.until)).date(), lang)
        except ValueError:
            until = str(m.until)
    return {
        "forum": _forum_name(m.forum, lang),
        "forum_genitive": FORUM_NAMES_RU_GENITIVE.get(m.forum, m.forum),
        "rule": FORUM_RULES.get(lang, FORUM_RULES["en"]).get(m.forum, ""),
        "date": format_date(m.granted_at.date(), lang),
        "destination": country_name(m.destination, lang) if m.destination else "",
        "destination_to": korean_to(country_name(m.destination, lang)) if m.destination and lang == "ko" else "",
        "until": until,
    }


def build_context(*, facts: CaseFacts, kind: str, lang: str, resolved: Resolved) -> dict[str, Any]:
    """Everything the templates print, formatted in the filing's language and the case's zone."""
    case = facts.case
    removal = facts.removal
    removal_ctx = None
    if removal is not None and removal.at is not None:
        removal_ctx = {
            "when": format_moment(removal.at, lang, zone=case.timezone),
            "destination": country_name(removal.destination, lang),
        }
    detained, place = facts.detention_place
    birth = facts.birth_date()
    annexes = annex_rows(resolved.annexes)
    poa = next((row["number"] for row in annexes if row["doc_type"] == "power_of_attorney"), None)
    nationality = country_name(facts.nationality, lang) if facts.nationality else ""
    if not nationality and facts.stateless:
        nationality = {"ru": "лицо без гражданства", "ko": "무국적자"}.get(lang, "stateless")
    elif nationality and lang == "en":
        nationality = f"national of {nationality}"
    elif nationality and lang == "ru":
        nationality = f"гражданство: {nationality}"
    return {
        "lang": lang,
        "kind": kind,
        "title": get_kind(kind).title_in(lang),
        "ref": case.reference,
        "today": format_date(facts.today, lang),
        "sender": resolved.sender,
        "contact": resolved.contact,
        "authority": resolved.authority,
        "client_name": facts.client_name(*_name_scripts(lang)),
        "birth_date": birth.strftime("%d.%m.%Y") if birth else "",
        "nationality": nationality,
        "host_state": country_name(case.host_state, lang),
        "removal": removal_ctx,
        "detained": detained,
        "detention_place": place,
        "decisions": [_decision_line(facts, i, lang) for i in range(len(facts.decisions))],
        "appeals": [f"{format_date(facts.local(e).date(), lang)}: appeal lodged" for e in facts.appeals],
        "other_procedures": [
            f"{format_date(when.date(), lang)}: {_forum_name(forum, lang)}, {what}"
            for forum, what, when in facts.other_procedures
            if forum != resolved.forum
        ],
        "timeline": _timeline(facts, lang, resolved),
        "zone_note": _zone_note(facts, lang),
        "procedures": _procedures(facts, lang),
        "measure": _measure(facts, lang),
        "grounds": resolved.grounds,
        "articles": FORUM_ARTICLES.get(resolved.forum, ""),
        "forum_name": _forum_name(resolved.forum, lang),
        "forum_rule": FORUM_RULES.get(lang, FORUM_RULES["en"]).get(resolved.forum, ""),
        "send_by_fax": resolved.send_by_fax,
        "faxes": ECHR_FAXES,
        "application_number": resolved.application_number,
        "domestic_reference": facts.domestic_reference,
        "annexes": annexes,
        "poa_annex": poa,
        # An official Russian letter: parties in Cyrillic, outgoing number, the court's case number.
        "authority_cyrillic": getattr(resolved.authority, "name_cyrillic", "") if resolved.authority else "",
        "sender_cyrillic": resolved.sender_cyrillic,
        "contact_cyrillic": resolved.contact.name_cyrillic if resolved.contact is not None else "",
        "outgoing_number": resolved.outgoing_number,
        "outgoing_date": f"{facts.today:%d.%m.%Y}",
        "court_case_number": facts.court_case_number,
        "client_name_latin": facts.client_name("Latn") if lang != "en" else "",
        "update": _update(facts, lang, resolved.forum) if get_kind(kind).update else None,
    }


def _update(facts: CaseFacts, lang: str, forum: str) -> dict[str, str] | None:
    """What an update letter says: the request that spoke of the old date, the old date and the new one."""
    due = next((d for d in facts.updates_due() if d.forum == forum), None)
    if due is None:
        return None
    words = say(facts, lang)
    old_at = words.when_of(due.replaced.key)
    return {
        "requested": format_date(facts.local(due.request).date(), lang),
        "old": old_at,
        "new_known": format_date(facts.local(due.removal).date(), lang),
        "source": due.removal.source.strip(),
    }


def _zone_note(facts: CaseFacts, lang: str) -> str:
    """The zone the facts' times are in, said once (the sentences give the clock alone)."""
    if lang == "ru":
        return ""
    moment = facts.removal.at if facts.removal is not None and facts.removal.at is not None else None
    moment = moment or end_of_day(facts.today, facts.case.tzinfo)
    return f"Times are the local time of {facts.case.timezone} ({utc_offset(moment)})."


# -- the door --------------------------------------------------------------------------------


def render_html(*, facts: CaseFacts, kind: str, lang: str, resolved: Resolved) -> str:
    context = build_context(facts=facts, kind=kind, lang=lang, resolved=resolved)
    with translation.override(lang):  # the document's language, not the reader's: Django's filters follow it
        return render_to_string(f"filings/documents/{kind}.{lang}.html", context)


def _with_annexes(request_pdf: bytes, *, resolved: Resolved, kind: str, reference: str) -> bytes:
    from pypdf import PdfReader, PdfWriter  # noqa: PLC0415  # only when annexes are merged

    site = get_kind(kind).site and not resolved.send_by_fax
    bundle = build_annex_bundle(documents=resolved.annexes, for_site=site, reference=reference)
    writer = PdfWriter()
    for part in (request_pdf, bundle):
        writer.append(PdfReader(io.BytesIO(part)))
    out = io.BytesIO()
    writer.write(out)
    merged = out.getvalue()
    if site and len(merged) > RULE39_SITE_MAX_BYTES:
        mb = len(merged) / 1024 / 1024
        raise FilingRefused(
            [
                Missing(
                    "annex_too_large", f"a request within the Rule 39 Site's 50 MB (it is {mb:.1f} MB)", "send by fax"
                )
            ]
        )
    return merged


def render_filing(*, case: Case, kind: str, lang: str, fmt: str, options: FilingOptions) -> Rendered:
    """The filing's bytes, or FilingRefused listing every missing item (never an incomplete request).

    `fmt` is "pdf" or "docx". In PDF, a request's annexes follow it (index first); in DOCX the
    request lists them and `build_annex_bundle` makes their PDF.
    """
    spec = get_kind(kind)
    if fmt not in CONTENT_TYPES:
        raise ValueError(f"unknown format {fmt!r}; pdf or docx")
    facts = CaseFacts.of(case, today=options.today)
    resolved = resolve(facts=facts, kind=kind, options=options, lang=lang)
    missing = checklist(facts=facts, kind=kind, lang=lang, resolved=resolved)
    if missing:
        raise FilingRefused(missing)
    found = warnings(facts=facts, kind=kind, resolved=resolved)
    pending = unacknowledged(found, options.acknowledged)
    if pending:
        raise NotAcknowledged(pending)
    html = render_html(facts=facts, kind=kind, lang=lang, resolved=resolved)
    if fmt == "pdf":
        content = html_to_pdf(html)
        if spec.annexes and resolved.annexes:
            content = _with_annexes(content, resolved=resolved, kind=kind, reference=case.reference)
    else:
        content = html_to_docx(html, title=f"{spec.title_in(lang)} — {case.reference}")
    return Rendered(
        content=content,
        filename=ascii_filename(kind, case.reference, lang, fmt),
        content_type=CONTENT_TYPES[fmt],
        sha256=hashlib.sha256(content).hexdigest(),
        forum=resolved.forum if spec.forums else "",
        acknowledged=tuple((w.code, w.forum or resolved.forum) for w in found),
    )


def refused_item(code: str, detail: str = "") -> Missing:
    """A checklist item by its code (for callers that refuse before rendering, e.g. a bad --lang)."""
    return item(code, detail)

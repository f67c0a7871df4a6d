"""The facts as a lawyer states them: each event of the timeline as a sentence with its attributes.

"Document signed by client" can read as consent; "On 3 December 2026 at 19:00 the applicant signed
a document in Russian, a language not among the applicant's languages (Korean), without an
interpreter and without counsel" cannot. Sentences are in the filing's language (en, ru); the
lawyer chooses which events' sources and notes follow them (default: sources yes, notes no).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from refuge.lib.countries import country_name

if TYPE_CHECKING:
    from refuge.cases.models import Event
    from refuge.filings.facts import CaseFacts

Sentence = Callable[["Say", dict[str, Any]], str]

LANGUAGE_NAMES = {
    "en": {"ru": "Russian", "ko": "Korean", "en": "English", "tr": "Turkish", "ar": "Arabic", "fr": "French"},
    "ru": {
        "ru": "русском",
        "ko": "корейском",
        "en": "английском",
        "tr": "турецком",
        "ar": "арабском",
        "fr": "французском",
    },
}
FORUMS = {
    "en": {
        "echr": "the European Court of Human Rights",
        "un_cat": "the UN Committee against Torture",
        "un_hrc": "the UN Human Rights Committee",
    },
    "ru": {
        "echr": "Европейский суд по правам человека",
        "un_cat": "Комитет ООН против пыток",
        "un_hrc": "Комитет ООН по правам человека",
    },
}
ASYLUM = {
    "en": {"refugee_status": "refugee status", "temporary_asylum": "temporary asylum"},
    "ru": {"refugee_status": "признании беженцем", "temporary_asylum": "предоставлении временного убежища"},
}
DECISIONS = {
    "en": {
        "expulsion": "ordering the applicant's administrative expulsion",
        "deportation": "ordering the applicant's deportation",
        "readmission": "ordering the applicant's transfer under a readmission agreement",
        "extradition": "ordering the applicant's extradition",
        "refugee_refusal": "refusing the applicant refugee status",
        "temporary_asylum_refusal": "refusing the applicant temporary asylum",
    },
    "ru": {
        "expulsion": "об административном выдворении заявителя",
        "deportation": "о депортации заявителя",
        "readmission": "о передаче заявителя в порядке реадмиссии",
        "extradition": "о выдаче (экстрадиции) заявителя",
        "refugee_refusal": "об отказе в признании заявителя беженцем",
        "temporary_asylum_refusal": "об отказе заявителю в предоставлении временного убежища",
    },
}
BASES = {
    "en": {
        "administrative": " under administrative law",
        "deportation": " pending deportation",
        "readmission": " pending readmission",
        "extradition": " pending extradition",
        "criminal": " on a criminal charge",
    },
    "ru": {
        "administrative": " в административном порядке",
        "deportation": " в целях депортации",
        "readmission": " в целях реадмиссии",
        "extradition": " в целях выдачи",
        "criminal": " по уголовному делу",
    },
}
OUTCOMES = {
    "en": {"upheld": "upheld", "quashed": "quashed", "remitted": "remitted for fresh examination"},
    "ru": {"upheld": "оставлено без изменения", "quashed": "отменено", "remitted": "направлено на новое рассмотрение"},
}


class Say:
    """What a sentence needs besides the event: the language, dates, other events, the client's languages."""

    def __init__(
        self, facts: CaseFacts, lang: str, moment: Callable[[datetime, bool], str], day: Callable[[date], str]
    ):
        self.facts = facts
        self.lang = lang if lang in FORUMS else "en"
        self.moment = moment
        self.day = day
        self.by_key = {e.key: e for e in facts.events}

    def forum(self, code: Any) -> str:
        return FORUMS[self.lang].get(str(code or ""), str(code or ""))

    def country(self, code: Any) -> str:
        return country_name(str(code), self.lang) if code else ""

    def language(self, code: Any) -> str:
        return LANGUAGE_NAMES[self.lang].get(str(code or ""), str(code or ""))

    def date_of(self, key: Any) -> str:
        event = self.by_key.get(str(key or ""))
        return self.day(self.facts.local(event).date()) if event is not None else ""

    def when_of(self, key: Any) -> str:
        event = self.by_key.get(str(key or ""))
        if event is None or not event.attributes.get("removal_at"):
            return ""
        return self._at(str(event.attributes["removal_at"]))

    def _at(self, value: str) -> str:
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            return value
        if parsed.tzinfo is None:
            return self.day(parsed.date())
        return self.moment(parsed.astimezone(self.facts.case.tzinfo), True)

    def until(self, value: Any) -> str:
        return self._at(str(value)) if value else ""


# -- English -----------------------------------------------------------------------------------


def _en_signed(say: Say, a: dict[str, Any]) -> str:
    language = str(a.get("language") or "")
    text = "the applicant signed a document"
    if language:
        text += f" in {say.language(language)}"
        known = say.facts.languages
        if known and language not in known:
            theirs = ", ".join(say.language(code) for code in known)
            text += f", a language not among the applicant's languages ({theirs})"
    helpers = []
    if a.get("interpreter") is False:
        helpers.append("without an interpreter")
    elif a.get("interpreter") is True:
        helpers.append("with an interpreter")
    if a.get("counsel") is False:
        helpers.append("without counsel")
    elif a.get("counsel") is True:
        helpers.append("in the presence of counsel")
    return text + (", " + " and ".join(helpers) if helpers else "")


def _en_removal(say: Say, a: dict[str, Any]) -> str:
    text = "the authorities scheduled the applicant's removal"
    if a.get("destination"):
        text += f" to {say.country(a['destination'])}"
    if a.get("removal_at"):
        text += f" for {say.until(a['removal_at'])}"
    if a.get("replaces") and say.when_of(a["replaces"]):
        text += f", in place of the removal previously set for {say.when_of(a['replaces'])}"
    return text


def _en_granted(say: Say, a: dict[str, Any]) -> str:
    text = f"{say.forum(a.get('forum'))} asked the State not to remove the applicant"
    if a.get("destination"):
        text += f" to {say.country(a['destination'])}"
    until = say.until(a.get("until"))
    return text + (f" until {until}" if until else " until further notice")


def _en_decision(say: Say, a: dict[str, Any]) -> str:
    who = str(a.get("authority") or "the authorities")
    text = f"{who} issued a decision"
    if a.get("decision"):
        text += " " + DECISIONS["en"].get(str(a["decision"]), str(a["decision"]))
    if a.get("detention") == "foreigners_centre":
        text += ", with detention in a centre for foreign nationals until removal"
    return text


EN: dict[str, Sentence] = {
    "detention_started": lambda s, a: (
        "the applicant was detained"
        + BASES["en"].get(str(a.get("basis") or ""), "")
        + (f" and held at {a['place']}" if a.get("place") else "")
    ),
    "detention_ordered": lambda s, a: (
        "a court ordered the applicant's detention"
        + (f" until {s.until(a['term_until'])}" if a.get("term_until") else "")
    ),
    "detention_extended": lambda s, a: (
        "the applicant's detention was extended" + (f" until {s.until(a['term_until'])}" if a.get("term_until") else "")
    ),
    "released": lambda s, a: "the applicant was released",
    "decision_issued": _en_decision,
    "decision_received": lambda s, a: (
        "the applicant received the decision"
        + (f" of {s.date_of(a['decision_event'])}" if s.date_of(a.get("decision_event")) else "")
    ),
    "appeal_lodged": lambda s, a: (
        "an appeal was lodged against the decision"
        + (f" of {s.date_of(a['decision_event'])}" if s.date_of(a.get("decision_event")) else "")
    ),
    "appeal_decided": lambda s, a: (
        "the appeal"
        + (f" against the decision of {s.date_of(a['decision_event'])}" if s.date_of(a.get("decision_event")) else "")
        + " was decided"
        + (f": the decision was {OUTCOMES['en'].get(str(a['outcome']), a['outcome'])}" if a.get("outcome") else "")
    ),
    "final_domestic_decision": lambda s, a: (
        "the domestic decision"
        + (f" of {s.date_of(a['decision_event'])}" if s.date_of(a.get("decision_event")) else "")
        + " became final"
    ),
    "removal_scheduled": _en_removal,
    "removal_cancelled": lambda s, a: (
        "the removal"
        + (f" set for {s.when_of(a['removal_event'])}" if s.when_of(a.get("removal_event")) else "")
        + " was cancelled"
    ),
    "removal_executed": lambda s, a: "the applicant was removed",
    "asylum_applied": lambda s, a: f"the applicant applied for {ASYLUM['en'].get(str(a.get('kind')), 'asylum')}",
    "asylum_refusal_received": lambda s, a: (
        "the applicant received the refusal of the application for " + ASYLUM["en"].get(str(a.get("kind")), "asylum")
    ),
    "asylum_appeal_rejected_received": lambda s, a: (
        "the applicant received the rejection of the appeal concerning "
        + ASYLUM["en"].get(str(a.get("kind")), "asylum")
    ),
    "asylum_granted": lambda s, a: (
        f"the applicant was granted {ASYLUM['en'].get(str(a.get('kind')), 'asylum')}"
        + (f" until {s.until(a['until'])}" if a.get("until") else "")
    ),
    "interim_measure_requested": lambda s, a: f"a request for interim measures was sent to {s.forum(a.get('forum'))}",
    "interim_measure_granted": _en_granted,
    "interim_measure_refused": lambda s, a: f"{s.forum(a.get('forum'))} declined to indicate interim measures",
    "interim_measure_lifted": lambda s, a: f"{s.forum(a.get('forum'))} lifted its interim measure",
    "application_lodged": lambda s, a: f"an application was lodged with {s.forum(a.get('forum'))}",
    "forum_deadline_set": lambda s, a: (
        f"{s.forum(a.get('forum'))} set a time-limit" + (f" expiring on {s.until(a['due'])}" if a.get("due") else "")
    ),
    "document_signed": _en_signed,
    "consular_contact": lambda s, a: (
        "the applicant was brought into contact with consular officials"
        + (f" of {s.country(a['country'])}" if a.get("country") else "")
    ),
    "travel_document_issued": lambda s, a: (
        "a travel document was issued for the applicant"
        + (f" by {s.country(a['country'])}" if a.get("country") else "")
    ),
    "lawyer_access_denied": lambda s, a: "the applicant's lawyer was refused access to the applicant",
}


# -- Russian -----------------------------------------------------------------------------------


def _ru_signed(say: Say, a: dict[str, Any]) -> str:
    language = str(a.get("language") or "")
    text = "заявитель подписал документ"
    if language:
        text += f" на {say.language(language)} языке"
        known = say.facts.languages
        if known and language not in known:
            theirs = ", ".join(say.language(code) for code in known)
            text += f", которым он не владеет (его языки: {theirs})"
    if a.get("interpreter") is False:
        text += ", без переводчика"
    if a.get("counsel") is False:
        text += ", без защитника"
    return text


RU: dict[str, Sentence] = {
    "detention_started": lambda s, a: (
        "заявитель задержан"
        + BASES["ru"].get(str(a.get("basis") or ""), "")
        + (f" и помещён: {a['place']}" if a.get("place") else "")
    ),
    "detention_ordered": lambda s, a: (
        "суд постановил содержать заявителя под стражей"
        + (f" до {s.until(a['term_until'])}" if a.get("term_until") else "")
    ),
    "detention_extended": lambda s, a: (
        "срок содержания заявителя продлён" + (f" до {s.until(a['term_until'])}" if a.get("term_until") else "")
    ),
    "released": lambda s, a: "заявитель освобождён",
    "decision_issued": lambda s, a: (
        "вынесено решение "
        + DECISIONS["ru"].get(str(a.get("decision") or ""), "о высылке заявителя")
        + (f" ({a['authority']})" if a.get("authority") else "")
    ),
    "decision_received": lambda s, a: (
        "заявитель получил копию решения"
        + (f" от {s.date_of(a['decision_event'])}" if s.date_of(a.get("decision_event")) else "")
    ),
    "appeal_lodged": lambda s, a: (
        "подана жалоба на решение"
        + (f" от {s.date_of(a['decision_event'])}" if s.date_of(a.get("decision_event")) else "")
    ),
    "appeal_decided": lambda s, a: (
        "жалоба рассмотрена"
        + (f", решение {OUTCOMES['ru'].get(str(a['outcome']), a['outcome'])}" if a.get("outcome") else "")
    ),
    "final_domestic_decision": lambda s, a: "решение вступило в законную силу",
    "removal_scheduled": lambda s, a: (
        "назначено выдворение заявителя"
        + (f" в государство: {s.country(a['destination'])}" if a.get("destination") else "")
        + (f", на {s.until(a['removal_at'])}" if a.get("removal_at") else "")
    ),
    "removal_cancelled": lambda s, a: "выдворение отменено",
    "removal_executed": lambda s, a: "заявитель выдворен",
    "asylum_applied": lambda s, a: (
        "заявитель обратился с заявлением о " + ASYLUM["ru"].get(str(a.get("kind")), "предоставлении убежища")
    ),
    "asylum_refusal_received": lambda s, a: (
        "заявитель получил отказ по заявлению о " + ASYLUM["ru"].get(str(a.get("kind")), "предоставлении убежища")
    ),
    "asylum_appeal_rejected_received": lambda s, a: (
        "заявитель получил отказ по жалобе по вопросу о "
        + ASYLUM["ru"].get(str(a.get("kind")), "предоставлении убежища")
    ),
    "asylum_granted": lambda s, a: (
        "заявителю предоставлено "
        + ("временное убежище" if a.get("kind") == "temporary_asylum" else "убежище")
        + (f" до {s.until(a['until'])}" if a.get("until") else "")
    ),
    "interim_measure_requested": lambda s, a: f"направлена просьба о временной мере: {s.forum(a.get('forum'))}",
    "interim_measure_granted": lambda s, a: (
        f"{s.forum(a.get('forum'))} применил временную меру: не высылать заявителя"
        + (f" в государство: {s.country(a['destination'])}" if a.get("destination") else "")
    ),
    "interim_measure_refused": lambda s, a: f"{s.forum(a.get('forum'))} отказал в применении временной меры",
    "interim_measure_lifted": lambda s, a: f"{s.forum(a.get('forum'))} отменил временную меру",
    "application_lodged": lambda s, a: f"подана жалоба: {s.forum(a.get('forum'))}",
    "forum_deadline_set": lambda s, a: (
        f"{s.forum(a.get('forum'))} установил срок" + (f" до {s.until(a['due'])}" if a.get("due") else "")
    ),
    "document_signed": _ru_signed,
    "consular_contact": lambda s, a: (
        "к заявителю допущены сотрудники консульства"
        + (f" (государство: {s.country(a['country'])})" if a.get("country") else "")
    ),
    "travel_document_issued": lambda s, a: (
        "на заявителя оформлен проездной документ"
        + (f" (государство: {s.country(a['country'])})" if a.get("country") else "")
    ),
    "lawyer_access_denied": lambda s, a: "адвокату отказано в доступе к заявителю",
}

SENTENCES = {"en": EN, "ru": RU}
SOURCE = {"en": "source: {}", "ru": "источник: {}"}
NOTE = {"en": "Note: {}", "ru": "Примечание: {}"}


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def event_sentence(event: Event, say: Say, *, source: bool = True, note: bool = False, when: str | None = None) -> str:
    """'On 3 December 2026 at 19:00 the applicant signed … (source: …).' in the language of `say`."""
    lang = say.lang
    table = SENTENCES[lang]
    attrs = event.all_attributes()  # free text (place, authority) is in the encrypted column
    what = table[event.type](say, attrs) if event.type in table else event.type.replace("_", " ")
    moment = when if when is not None else say.moment(say.facts.local(event), not event.date_only)
    text = f"On {moment} {what}" if lang == "en" else _capital(f"{moment} {what}")
    if source and event.source.strip():
        text += f" ({SOURCE[lang].format(event.source.strip())})"
    text += "."
    if note and event.note.strip():
        text += " " + NOTE[lang].format(event.note.strip())
    return text

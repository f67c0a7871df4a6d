"""The facts as a lawyer states them: each event of the timeline as a sentence with its attributes.

"Document signed by client" can read as consent; "On 3 December 2026 at 19:00 the applicant signed
a document in Russian, a language not among the applicant's languages (Korean), without an
interpreter and without counsel" cannot. Sentences are in the filing's language (en, ru); the
lawyer chooses which events' sources and notes follow them (default: sources yes, notes no).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
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
ASYLUM_UNNAMED = {"en": "asylum", "ru": "предоставлении убежища"}
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
DECISION_UNNAMED = {"en": "", "ru": "о высылке заявителя"}
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


# -- the sentences ------------------------------------------------------------------------------
#
# One table: for each event type, its sentence in each language, side by side. A sentence is a
# sequence of parts: text (with `{forum}`, `{asylum}`, `{basis}`, `{decision}` said in the
# language), and clauses an attribute adds when it is there; or, where the grammar asks more, a
# function of its own.


@dataclass(frozen=True)
class Clause:
    """`text` with the attribute's value said by `how`; `otherwise` when it has none."""

    attribute: str
    text: str
    how: Callable[[Say, Any], str] = lambda say, value: str(value)
    otherwise: str = ""

    def said(self, say: Say, a: dict[str, Any]) -> str:
        value = a.get(self.attribute)
        words = self.how(say, value) if value else ""
        return self.text.format(words) if words else self.otherwise


Part = str | Clause
Phrasing = tuple[Part, ...] | Sentence


def _until(say: Say, value: Any) -> str:
    return say.until(value)


def _date_of(say: Say, value: Any) -> str:
    return say.date_of(value)


def _when_of(say: Say, value: Any) -> str:
    return say.when_of(value)


def _country(say: Say, value: Any) -> str:
    return say.country(value)


def _outcome(say: Say, value: Any) -> str:
    return str(OUTCOMES[say.lang].get(str(value), value))


class _Words(dict[str, str]):
    """The words a sentence's text names, said in the language when asked for."""

    def __init__(self, say: Say, a: dict[str, Any]) -> None:
        super().__init__()
        self.say, self.a = say, a

    def __missing__(self, name: str) -> str:
        lang, a = self.say.lang, self.a
        if name == "forum":
            return self.say.forum(a.get("forum"))
        if name == "asylum":
            return ASYLUM[lang].get(str(a.get("kind")), ASYLUM_UNNAMED[lang])
        if name == "basis":
            return BASES[lang].get(str(a.get("basis") or ""), "")
        if name == "decision":
            return DECISIONS[lang].get(str(a.get("decision") or ""), DECISION_UNNAMED[lang])
        raise KeyError(name)


def _said(phrasing: Phrasing, say: Say, a: dict[str, Any]) -> str:
    if callable(phrasing):
        return phrasing(say, a)
    words = _Words(say, a)
    return "".join(part.said(say, a) if isinstance(part, Clause) else part.format_map(words) for part in phrasing)


# A signed document: the language (and whether the client reads it), then who was there or not.
SIGNED = {
    "en": {
        "text": "the applicant signed a document",
        "in": " in {}",
        "foreign": ", a language not among the applicant's languages ({})",
        "helpers": {
            ("interpreter", False): "without an interpreter",
            ("interpreter", True): "with an interpreter",
            ("counsel", False): "without counsel",
            ("counsel", True): "in the presence of counsel",
        },
        "and": " and ",
    },
    "ru": {
        "text": "заявитель подписал документ",
        "in": " на {} языке",
        "foreign": ", которым он не владеет (его языки: {})",
        "helpers": {("interpreter", False): "без переводчика", ("counsel", False): "без защитника"},
        "and": ", ",
    },
}


def _signed(say: Say, a: dict[str, Any]) -> str:
    words: dict[str, Any] = SIGNED[say.lang]
    language = str(a.get("language") or "")
    text = str(words["text"])
    if language:
        text += words["in"].format(say.language(language))
        known = say.facts.languages
        if known and language not in known:
            text += words["foreign"].format(", ".join(say.language(code) for code in known))
    helpers = [said for (name, value), said in words["helpers"].items() if name in a and a[name] is value]
    return text + (", " + words["and"].join(helpers) if helpers else "")


def _en_decision(say: Say, a: dict[str, Any]) -> str:
    who = str(a.get("authority") or "the authorities")
    text = f"{who} issued a decision"
    if a.get("decision"):
        text += " " + DECISIONS["en"].get(str(a["decision"]), str(a["decision"]))
    if a.get("detention") == "foreigners_centre":
        text += ", with detention in a centre for foreign nationals until removal"
    return text


def _ru_asylum_granted(say: Say, a: dict[str, Any]) -> str:
    granted = "временное убежище" if a.get("kind") == "temporary_asylum" else "убежище"
    return f"заявителю предоставлено {granted}" + Clause("until", " до {}", _until).said(say, a)


SENTENCES: dict[str, dict[str, Phrasing]] = {
    "detention_started": {
        "en": ("the applicant was detained{basis}", Clause("place", " and held at {}")),
        "ru": ("заявитель задержан{basis}", Clause("place", " и помещён: {}")),
    },
    "detention_ordered": {
        "en": ("a court ordered the applicant's detention", Clause("term_until", " until {}", _until)),
        "ru": ("суд постановил содержать заявителя под стражей", Clause("term_until", " до {}", _until)),
    },
    "detention_extended": {
        "en": ("the applicant's detention was extended", Clause("term_until", " until {}", _until)),
        "ru": ("срок содержания заявителя продлён", Clause("term_until", " до {}", _until)),
    },
    "released": {"en": ("the applicant was released",), "ru": ("заявитель освобождён",)},
    "decision_issued": {
        "en": _en_decision,
        "ru": ("вынесено решение {decision}", Clause("authority", " ({})")),
    },
    "decision_received": {
        "en": ("the applicant received the decision", Clause("decision_event", " of {}", _date_of)),
        "ru": ("заявитель получил копию решения", Clause("decision_event", " от {}", _date_of)),
    },
    "appeal_lodged": {
        "en": ("an appeal was lodged against the decision", Clause("decision_event", " of {}", _date_of)),
        "ru": ("подана жалоба на решение", Clause("decision_event", " от {}", _date_of)),
    },
    "appeal_decided": {
        "en": (
            "the appeal",
            Clause("decision_event", " against the decision of {}", _date_of),
            " was decided",
            Clause("outcome", ": the decision was {}", _outcome),
        ),
        "ru": ("жалоба рассмотрена", Clause("outcome", ", решение {}", _outcome)),
    },
    "final_domestic_decision": {
        "en": ("the domestic decision", Clause("decision_event", " of {}", _date_of), " became final"),
        "ru": ("решение вступило в законную силу",),
    },
    "removal_scheduled": {
        "en": (
            "the authorities scheduled the applicant's removal",
            Clause("destination", " to {}", _country),
            Clause("removal_at", " for {}", _until),
            Clause("replaces", ", in place of the removal previously set for {}", _when_of),
        ),
        "ru": (
            "назначено выдворение заявителя",
            Clause("destination", " в государство: {}", _country),
            Clause("removal_at", ", на {}", _until),
        ),
    },
    "removal_cancelled": {
        "en": ("the removal", Clause("removal_event", " set for {}", _when_of), " was cancelled"),
        "ru": ("выдворение отменено",),
    },
    "removal_executed": {"en": ("the applicant was removed",), "ru": ("заявитель выдворен",)},
    "asylum_applied": {
        "en": ("the applicant applied for {asylum}",),
        "ru": ("заявитель обратился с заявлением о {asylum}",),
    },
    "asylum_refusal_received": {
        "en": ("the applicant received the refusal of the application for {asylum}",),
        "ru": ("заявитель получил отказ по заявлению о {asylum}",),
    },
    "asylum_appeal_rejected_received": {
        "en": ("the applicant received the rejection of the appeal concerning {asylum}",),
        "ru": ("заявитель получил отказ по жалобе по вопросу о {asylum}",),
    },
    "asylum_granted": {
        "en": ("the applicant was granted {asylum}", Clause("until", " until {}", _until)),
        "ru": _ru_asylum_granted,
    },
    "interim_measure_requested": {
        "en": ("a request for interim measures was sent to {forum}",),
        "ru": ("направлена просьба о временной мере: {forum}",),
    },
    "interim_measure_granted": {
        "en": (
            "{forum} asked the State not to remove the applicant",
            Clause("destination", " to {}", _country),
            Clause("until", " until {}", _until, otherwise=" until further notice"),
        ),
        "ru": (
            "{forum} применил временную меру: не высылать заявителя",
            Clause("destination", " в государство: {}", _country),
        ),
    },
    "interim_measure_refused": {
        "en": ("{forum} declined to indicate interim measures",),
        "ru": ("{forum} отказал в применении временной меры",),
    },
    "interim_measure_lifted": {
        "en": ("{forum} lifted its interim measure",),
        "ru": ("{forum} отменил временную меру",),
    },
    "application_lodged": {
        "en": ("an application was lodged with {forum}",),
        "ru": ("подана жалоба: {forum}",),
    },
    "forum_deadline_set": {
        "en": ("{forum} set a time-limit", Clause("due", " expiring on {}", _until)),
        "ru": ("{forum} установил срок", Clause("due", " до {}", _until)),
    },
    "document_signed": {"en": _signed, "ru": _signed},
    "consular_contact": {
        "en": ("the applicant was brought into contact with consular officials", Clause("country", " of {}", _country)),
        "ru": ("к заявителю допущены сотрудники консульства", Clause("country", " (государство: {})", _country)),
    },
    "travel_document_issued": {
        "en": ("a travel document was issued for the applicant", Clause("country", " by {}", _country)),
        "ru": ("на заявителя оформлен проездной документ", Clause("country", " (государство: {})", _country)),
    },
    "lawyer_access_denied": {
        "en": ("the applicant's lawyer was refused access to the applicant",),
        "ru": ("адвокату отказано в доступе к заявителю",),
    },
}
SOURCE = {"en": "source: {}", "ru": "источник: {}"}
NOTE = {"en": "Note: {}", "ru": "Примечание: {}"}


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def event_sentence(event: Event, say: Say, *, source: bool = True, note: bool = False, when: str | None = None) -> str:
    """'On 3 December 2026 at 19:00 the applicant signed … (source: …).' in the language of `say`."""
    lang = say.lang
    attrs = event.all_attributes()  # free text (place, authority) is in the encrypted column
    phrasing = SENTENCES.get(event.type, {}).get(lang)
    what = _said(phrasing, say, attrs) if phrasing is not None else event.type.replace("_", " ")
    moment = when if when is not None else say.moment(say.facts.local(event), not event.date_only)
    text = f"On {moment} {what}" if lang == "en" else _capital(f"{moment} {what}")
    if source and event.source.strip():
        text += f" ({SOURCE[lang].format(event.source.strip())})"
    text += "."
    if note and event.note.strip():
        text += " " + NOTE[lang].format(event.note.strip())
    return text

"""Countries: ISO 3166-1 alpha-2 codes from pycountry, their names in English, Russian and Korean,
and the short names people actually type.

A wrong destination silently changes which measures cover a removal, so a country is never free
text: every input (forms, case files, rule packs, filters) goes through ``is_country`` or
``resolve``. ``resolve`` turns what a person typed ("North Korea", "КНДР", "북한", "kp") into a
code only when exactly one country answers to it; ``search`` ranks candidates for the picker.
No Django here: the case-file validator and the rule packs use it too.
"""

from __future__ import annotations

import gettext
import unicodedata
from dataclasses import dataclass
from functools import cache
from typing import Final

import pycountry

LANGUAGES: Final = ("en", "ru", "ko")

# Short and colloquial names the ISO lists and their translations lack. Keys are codes; values are
# what lawyers, clients and officials write. Kept small and unambiguous: a name here must not be
# another country's too.
ALIASES: Final[dict[str, tuple[str, ...]]] = {
    "KP": ("North Korea", "DPRK", "D.P.R.K.", "КНДР", "Северная Корея", "Сев. Корея", "북한", "조선", "북조선"),
    "KR": ("South Korea", "ROK", "Republic of Korea", "Южная Корея", "Республика Корея", "남한", "한국"),
    "RU": ("Russia", "RF", "Россия", "РФ", "러시아"),
    "US": ("USA", "U.S.A.", "United States", "America", "США", "미국"),
    "GB": ("UK", "U.K.", "Britain", "Great Britain", "England", "Великобритания", "영국"),
    "CN": ("China", "PRC", "Китай", "КНР", "중국"),
    "TW": ("Taiwan", "Тайвань", "대만"),
    "IR": ("Iran", "Иран", "이란"),
    "SY": ("Syria", "Сирия", "시리아"),
    "UZ": ("Uzbekistan", "Узбекистан", "우즈베키스탄"),
    "TJ": ("Tajikistan", "Таджикистан", "타지키스탄"),
    "KG": ("Kyrgyzstan", "Kirghizia", "Киргизия", "Кыргызстан", "키르기스스탄"),
    "KZ": ("Kazakhstan", "Казахстан", "카자흐스탄"),
    "TM": ("Turkmenistan", "Туркмения", "Туркменистан", "투르크메니스탄"),
    "AF": ("Afghanistan", "Афганистан", "아프가니스탄"),
    "TR": ("Turkey", "Türkiye", "Турция", "튀르키예", "터키"),
    "BY": ("Belarus", "Беларусь", "Белоруссия", "벨라루스"),
    "UA": ("Ukraine", "Украина", "우크라이나"),
    "MD": ("Moldova", "Молдова", "Молдавия", "몰도바"),
    "VN": ("Vietnam", "Вьетнам", "베트남"),
    "LA": ("Laos", "Лаос", "라오스"),
    "CD": ("DR Congo", "DRC", "Congo-Kinshasa", "ДР Конго"),
    "CG": ("Congo-Brazzaville",),
    "VE": ("Venezuela", "Венесуэла"),
    "BO": ("Bolivia", "Боливия"),
    "TZ": ("Tanzania", "Танзания"),
    "PS": ("Palestine", "Палестина"),
}


@dataclass(frozen=True, slots=True)
class Country:
    code: str
    names: dict[str, str]  # language -> the name shown (English: the common name where ISO has one)
    terms: tuple[str, ...]  # every name and alias, folded for matching

    def name(self, language: str = "en") -> str:
        return self.names.get(language) or self.names["en"]


def fold(text: str) -> str:
    """Lower case, accents and punctuation away, spaces collapsed: how typed names are compared."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    kept = []
    for char in decomposed:
        if unicodedata.combining(char) and not ("\u1100" <= char <= "\u11ff"):
            continue  # drop accents (but not Hangul jamo, which NFKD also decomposes into)
        kept.append(char if char.isalnum() else " ")
    return " ".join(unicodedata.normalize("NFKC", "".join(kept)).replace("ё", "е").split())


@cache
def _translations() -> dict[str, gettext.NullTranslations]:
    return {
        lang: gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[lang], fallback=True)
        for lang in LANGUAGES
        if lang != "en"
    }


@cache
def countries() -> dict[str, Country]:
    """Every ISO 3166-1 country by alpha-2 code, in English name order."""
    found: dict[str, Country] = {}
    translations = _translations()
    for record in pycountry.countries:
        code = str(record.alpha_2)
        iso_name = str(record.name)
        common = str(getattr(record, "common_name", "") or iso_name)
        official = str(getattr(record, "official_name", "") or "")
        names = {"en": common}
        for lang, translation in translations.items():
            names[lang] = translation.gettext(iso_name)
        raw = [code, common, iso_name, official, *names.values(), *ALIASES.get(code, ())]
        terms = tuple(dict.fromkeys(fold(t) for t in raw if t))
        found[code] = Country(code=code, names=names, terms=terms)
    return dict(sorted(found.items(), key=lambda item: fold(item[1].names["en"])))


def is_country(code: object) -> bool:
    return isinstance(code, str) and code in countries()


def name(code: str, language: str = "en") -> str:
    """The country's name in ``language`` (English where there is no translation); the code if unknown."""
    country = countries().get(code)
    return country.name(language) if country is not None else code


def search(text: str, *, limit: int | None = None) -> list[Country]:
    """Countries answering to ``text``: exact names first, then names starting with it, then containing it."""
    query = fold(text)
    if not query:
        return []
    ranked: list[tuple[int, str, Country]] = []
    for country in countries().values():
        best = None
        for term in country.terms:
            if term == query:
                rank = 0
            elif term.startswith(query) or any(word.startswith(query) for word in term.split()):
                rank = 1
            elif query in term:
                rank = 2
            else:
                continue
            best = rank if best is None else min(best, rank)
        if best is not None:
            ranked.append((best, fold(country.names["en"]), country))
    ranked.sort(key=lambda item: item[:2])
    result = [country for _, _, country in ranked]
    return result[:limit] if limit is not None else result


def resolve(text: str) -> str | None:
    """The one code ``text`` names (a code in any case, or an exact name or alias), else None."""
    stripped = text.strip()
    if stripped.upper() in countries() and len(stripped) == 2:
        return stripped.upper()
    query = fold(stripped)
    if not query:
        return None
    exact = {c.code for c in countries().values() if query in c.terms}
    return exact.pop() if len(exact) == 1 else None


# The formal names of the states Refuge's users meet as host states and destinations, as documents
# print them; any other code takes its name from the list above. code: (English, Russian, Korean)
FORMAL_NAMES: dict[str, tuple[str, str, str]] = {
    "AF": ("Afghanistan", "Афганистан", "아프가니스탄"),
    "AM": ("Armenia", "Армения", "아르메니아"),
    "AZ": ("Azerbaijan", "Азербайджан", "아제르바이잔"),
    "BY": ("Belarus", "Беларусь", "벨라루스"),
    "CH": ("Switzerland", "Швейцария", "스위스"),
    "CN": ("China", "Китай", "중국"),
    "EG": ("Egypt", "Египет", "이집트"),
    "ER": ("Eritrea", "Эритрея", "에리트레아"),
    "FR": ("France", "Франция", "프랑스"),
    "GE": ("Georgia", "Грузия", "조지아"),
    "IQ": ("Iraq", "Ирак", "이라크"),
    "IR": ("Iran", "Иран", "이란"),
    "KG": ("Kyrgyzstan", "Киргизия", "키르기스스탄"),
    "KP": (
        "Democratic People's Republic of Korea",
        "Корейская Народно-Демократическая Республика",
        "조선민주주의인민공화국",
    ),
    "KR": ("Republic of Korea", "Республика Корея", "대한민국"),
    "KZ": ("Kazakhstan", "Казахстан", "카자흐스탄"),
    "LY": ("Libya", "Ливия", "리비아"),
    "RU": ("Russian Federation", "Российская Федерация", "러시아 연방"),
    "SD": ("Sudan", "Судан", "수단"),
    "SO": ("Somalia", "Сомали", "소말리아"),
    "SY": ("Syria", "Сирия", "시리아"),
    "TJ": ("Tajikistan", "Таджикистан", "타지키스탄"),
    "TM": ("Turkmenistan", "Туркменистан", "투르크메니스탄"),
    "TR": ("Türkiye", "Турция", "튀르키예"),
    "UA": ("Ukraine", "Украина", "우크라이나"),
    "UZ": ("Uzbekistan", "Узбекистан", "우즈베키스탄"),
    "YE": ("Yemen", "Йемен", "예멘"),
}
_COLUMN = {"en": 0, "ru": 1, "ko": 2}
# The client notice's other languages (Uzbek in Latin script, Tajik and Kyrgyz in Cyrillic): ISO's
# names from pycountry's catalogues, and the formal names a client's country goes by where those lack them.
CLIENT_LANGUAGES: Final = ("uz", "tg", "ky")
CLIENT_NAMES: Final[dict[str, dict[str, str]]] = {
    "uz": {
        "KP": "Koreya Xalq Demokratik Respublikasi",
        "KR": "Koreya Respublikasi",
        "RU": "Rossiya Federatsiyasi",
        "CN": "Xitoy Xalq Respublikasi",
        "TR": "Turkiya",
        "SY": "Suriya Arab Respublikasi",
        "IR": "Eron Islom Respublikasi",
    },
    "tg": {"KP": "Ҷумҳурии Халқӣ-Демократии Корея", "RU": "Федератсияи Россия", "TR": "Туркия"},
    "ky": {"KP": "Корея Элдик Демократиялык Республикасы", "RU": "Россия Федерациясы", "TR": "Түркия"},
}


@cache
def _client_translation(lang: str) -> gettext.NullTranslations:
    return gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[lang], fallback=True)


def country_name(code: str | None, lang: str = "en") -> str:
    """The name a document gives a country: the formal one where the table has it, else ISO's; the code if unknown."""
    if not code:
        return ""
    if lang in CLIENT_LANGUAGES:
        named = CLIENT_NAMES[lang].get(code.upper())
        record = pycountry.countries.get(alpha_2=code.upper())
        if named is None and record is not None:
            named = _client_translation(lang).gettext(str(record.name))
        return named or code.upper()
    names = FORMAL_NAMES.get(code.upper())
    if names:
        return names[_COLUMN.get(lang, 0)]
    return name(code.upper(), lang if lang in LANGUAGES else "en")

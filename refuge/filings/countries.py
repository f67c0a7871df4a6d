"""Country names for the documents (English, Russian, Korean), from ISO 3166-1 alpha-2 codes.

A short table of the formal names of the states Refuge's users meet as host states and
destinations; any other ISO code takes its name from refuge.lib.countries (the one list of
countries), and a code that names no country is printed as it is, so a lawyer sees it.
"""

from __future__ import annotations

from refuge.lib import countries

# code: (English, Russian, Korean)
COUNTRIES: dict[str, tuple[str, str, str]] = {
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


def country_name(code: str | None, lang: str = "en") -> str:
    if not code:
        return ""
    names = COUNTRIES.get(code.upper())
    if names:
        return names[_COLUMN.get(lang, 0)]
    return countries.name(code.upper(), lang if lang in countries.LANGUAGES else "en")

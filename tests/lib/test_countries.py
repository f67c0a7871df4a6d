"""Countries: what people type resolves to one ISO code, or to none."""

from __future__ import annotations

import pytest

from refuge.lib import countries


@pytest.mark.parametrize("typed", ["North Korea", "КНДР", "북한", "DPRK", "kp", "  north  korea ", "Северная Корея"])
def test_short_names_in_three_languages_resolve_to_north_korea(typed):
    assert countries.resolve(typed) == "KP"


@pytest.mark.parametrize(("typed", "code"), [("Южная Корея", "KR"), ("남한", "KR"), ("Norway", "NO"), ("Россия", "RU")])
def test_other_names_resolve_to_their_own_country(typed, code):
    assert countries.resolve(typed) == code


@pytest.mark.parametrize("typed", ["XX", "ZZ", "Korea", "Корея", "", "Nor"])
def test_unknown_or_ambiguous_text_resolves_to_nothing(typed):
    assert countries.resolve(typed) is None


def test_a_search_for_korea_offers_both_koreas_and_nothing_else():
    assert [c.code for c in countries.search("Korea")] == ["KP", "KR"]
    assert [c.code for c in countries.search("корея")] == ["KP", "KR"]


def test_every_iso_country_has_names_in_english_russian_and_korean():
    everything = countries.countries()
    assert len(everything) >= 249
    assert countries.name("KP") == "North Korea"
    assert countries.name("KP", "ru") == "Корейская Народно-Демократическая Республика"
    assert countries.name("UZ", "ko") == "우즈베키스탄"


def test_no_alias_names_two_countries():
    seen: dict[str, str] = {}
    for country in countries.countries().values():
        for term in country.terms:
            assert seen.setdefault(term, country.code) == country.code, term


def test_documents_name_a_country_outside_their_short_table_from_the_one_list():
    from refuge.lib.countries import country_name

    assert country_name("KP", "en") == "Democratic People's Republic of Korea"  # the formal name, kept
    assert country_name("NO", "ru") == "Норвегия"  # not in the filings' table: from pycountry
    assert country_name("XX") == "XX"  # never guessed

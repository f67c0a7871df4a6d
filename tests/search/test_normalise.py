"""The tables of normalise.py: romanisation, transliteration, surname classes and phonetic keys."""

from __future__ import annotations

import pytest

from refuge.search import normalise as n


@pytest.mark.parametrize(
    ("hangul", "rr", "mr"),
    [
        ("리성균", "Ri Seonggyun", "Ri Sŏnggyun"),
        ("이성균", "I Seonggyun", "I Sŏnggyun"),
        ("김일성", "Gim Ilseong", "Kim Ilsŏng"),
        ("최철민", "Choe Cheolmin", "Ch'oe Ch'ŏlmin"),
        ("박정희", "Bak Jeonghui", "Pak Chŏnghŭi"),
        ("정은", "Jeong Eun", "Chŏng Ŭn"),
        ("강광명", "Gang Gwangmyeong", "Kang Kwangmyŏng"),
        ("한국", "Han Guk", "Han Kuk"),  # split after the surname: two words
        ("윤혁", "Yun Hyeok", "Yun Hyŏk"),
        ("남궁민수", "Namgung Minsu", "Namgung Minsu"),  # a compound surname
        ("류 영 옥", "Ryu Yeong Ok", "Ryu Yŏng Ok"),  # written with spaces: words kept
        ("장철룡", "Jang Cheollyong", "Chang Ch'ŏllyong"),  # ㄹㄹ is ll in both
    ],
)
def test_hangul_is_romanised_in_rr_and_mr(hangul: str, rr: str, mr: str) -> None:
    assert n.romanise_hangul(hangul, "rr") == rr
    assert n.romanise_hangul(hangul, "mr") == mr


def test_mr_voices_stops_between_voiced_sounds_and_marks_n_g() -> None:
    assert n.romanise_hangul("김 성균", "mr") == "Kim Sŏnggyun"  # ㄱ after ㅇ: g
    assert n.romanise_hangul("김 석표", "mr") == "Kim Sŏkp'yo"  # aspirates keep their apostrophe
    assert n.romanise_hangul("김 복동", "mr") == "Kim Poktong"  # word-initial p; ㄷ after ㄱ stays t
    assert n.romanise_hangul("김 한국", "mr") == "Kim Han'guk"  # n'g, not ng
    assert n.romanise_hangul("김 한국", "rr") == "Gim Hanguk"


def test_an_unknown_system_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown romanisation"):
        n.romanise_hangul("리", "yale")
    with pytest.raises(ValueError, match="unknown transliteration"):
        n.transliterate_cyrillic("Ри", "iso9")


@pytest.mark.parametrize(
    ("cyrillic", "bgn"),
    [
        ("Ри Сон Гюн", "Ri Son Gyun"),
        ("Каримов Азиз", "Karimov Aziz"),
        ("Бахтиёр Жасур", "Bakhtiyor Zhasur"),
        ("Щукин Эдуард", "Shchukin Eduard"),
        ("Елена Соловьёва", "Yelena Solov'yova".replace("'", "")),
        ("Андреев Сергей", "Andreyev Sergey"),
        ("Цой Хён", "Tsoy Khyon"),
        ("Ўлмас Қодиров", "Olmas Qodirov"),  # Uzbek letters
        ("Ҷамшед Ҳасанов", "Jamshed Hasanov"),  # Tajik letters
    ],
)
def test_cyrillic_is_transliterated_by_bgn_pcgn(cyrillic: str, bgn: str) -> None:
    assert n.transliterate_cyrillic(cyrillic, "bgn") == bgn


@pytest.mark.parametrize(
    ("cyrillic", "korean"),
    [
        ("Ри Сон Гюн", "Ri Son Gyun"),
        ("Ким Чхоль Ын", "Kim Chol Eun"),
        ("Чон Кван Чжин", "Jon Kwan Jin"),
        ("Пак Мён Хи", "Pak Myeon Hi"),
        ("Цой Ый", "Choi Ui"),
    ],
)
def test_cyrillic_korean_names_are_read_in_the_kontsevich_convention(cyrillic: str, korean: str) -> None:
    assert n.transliterate_cyrillic(cyrillic, "korean") == korean


@pytest.mark.parametrize(
    ("spellings", "folded"),
    [
        (("Choe", "Choi", "Chwe", "Tsoi", "Tsoy", "Цой", "최"), "Cwe"),
        (("Ri", "Lee", "Yi", "Rhee", "I", "Li", "Ли", "Ри", "리", "이"), "li"),
        (("Pak", "Park", "Bak", "Пак", "박"), "pak"),
        (("Kim", "Gim", "Ким", "김"), "kim"),
        (("Jong", "Jeong", "Chong", "Chung", "Jung", "Чон", "Тен", "정"), "Con"),
        (("Kang", "Gang", "Кан", "강"), "kan"),
        (("Ryu", "Yu", "Yoo", "Рю", "Ю", "류", "유"), "lyu"),
        (("Rim", "Im", "Lim", "Лим", "Им", "림", "임"), "lim"),
        (("No", "Roh", "Noh", "Ro", "Но", "노"), "no"),
    ],
)
def test_korean_surname_variants_fold_to_one_key(spellings: tuple[str, ...], folded: str) -> None:
    for spelling in spellings:
        assert {key[0] for key in n.name_keys(spelling)} == {folded}, spelling


def test_no_spelling_is_in_two_surname_classes() -> None:
    with pytest.raises(ValueError, match="two surname classes"):
        n._surname_table([("ri", "lee"), ("lee", "yi")])
    assert len(n.SURNAME_OF) == sum(len(c) for c in n.SURNAME_CLASSES)


@pytest.mark.parametrize(
    "spelling",
    ["Ri Song Gyun", "Lee Seong-gyun", "리성균", "이성균", "Ри Сон Гюн", "Ri Songgyun", "Yi Sŏnggyun", "RI SONG-GYUN",
     "ri   song gyun", "Lee Seong–Gyun", "Ли Сон Гюн"],
)  # fmt: skip
def test_every_spelling_of_ri_song_gyun_joins_to_one_key(spelling: str) -> None:
    assert {n.joined(k) for k in n.name_keys(spelling)} == {"lisonkyun"}


def test_hyphens_spaces_and_case_do_not_matter_but_letters_do() -> None:
    assert n.ascii_letters("Seong-Gyun  O’Neil, Sŏng") == "seonggyun oneil song"
    assert n.key_words("Seong-gyun") == n.key_words("SEONGGYUN") == ("sonkyun",)
    assert n.key_words("Song Gyun") == ("son", "kyun")
    assert n.key_words("Song Min") != n.key_words("Song Gyun")


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Zhasur", "Jasur"),  # Russian and Uzbek spellings of Жасур
        ("Khamid", "Hamid"),
        ("Xamid", "Hamid"),  # Uzbek Latin x
        ("Qodirov", "Kodirov"),
        ("Chkhol", "Chol"),  # Kontsevich чх
        ("Chzhin", "Jin"),  # Kontsevich чж
        ("Kvang", "Gwang"),
        ("Khyok", "Hyeok"),
        ("Myon", "Myeong"),  # Cyrillic н writes ㄴ and ㅇ
        ("Eun", "Un"),
        ("Hui", "Hi"),
    ],
)
def test_phonetic_key_folds_what_romanisations_write_differently(a: str, b: str) -> None:
    assert n.key_words(a) == n.key_words(b)


@pytest.mark.parametrize(("a", "b"), [("Karimov", "Rakhimov"), ("Song", "Sun"), ("Min", "Gyun"), ("Aziz", "Azam")])
def test_phonetic_key_keeps_names_that_differ_apart(a: str, b: str) -> None:
    assert n.key_words(a) != n.key_words(b)


def test_scripts_are_recognised() -> None:
    assert n.script_of("리성균") == "Hang"
    assert n.script_of("Ри Сон Гюн") == "Cyrl"
    assert n.script_of("Ri Song Gyun") == "Latn"
    assert n.script_of("") == "Latn"


def test_readings_of_each_script() -> None:
    assert n.readings("리성균") == ["Ri Seonggyun", "Ri Sŏnggyun"]
    assert n.readings("Ким Чхоль Ын") == ["Kim Chkhol Yn", "Kim Chol Eun"]
    assert n.readings("Aziz Karimov") == ["Aziz Karimov"]


def test_budgets_are_bounded() -> None:
    assert [n.word_budget("x" * k) for k in (3, 4, 7, 8, 20)] == [0, 1, 1, 2, 2]
    assert [n.name_budget("x" * k) for k in (5, 6, 11, 12, 40)] == [0, 1, 1, 2, 3]
    assert n.rotations(("li", "sonkyun")) == ["lisonkyun", "sonkyunli"]
    assert n.rotations(("kim",)) == ["kim"]


def test_only_the_surname_is_folded_not_given_syllables() -> None:
    assert n.key_words("Kim Yoo Na") == ("kim", "yu", "na")  # Na is a given syllable here, not 나/라
    assert n.joined(n.key_words("Kim Yoo Na")) == n.joined(n.key_words("Kim Yuna"))
    assert n.key_words("Seong-gyun Lee") == ("sonkyun", "li")  # the last of two words may be the surname
    assert n.key_words("Na Yong Ho")[0] == n.key_words("Ra Yong Ho")[0]


def test_doubled_consonants_fold_but_a_dropped_letter_stays_one_edit() -> None:
    assert n.key_words("Farrukh") == n.key_words("Faruh")
    assert n.key_words("Naarov") == ("naalow",)  # Назаров with з dropped: one edit from "nazalow"

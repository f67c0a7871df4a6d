"""Names across scripts, reduced to keys that compare. Pure Python: no Django, no database.

A client's name reaches Refuge in the scripts it was written in: Hangul on a North Korean
document, Cyrillic in a Russian court decision (Korean names in the Kontsevich convention,
"Ри Сон Гюн"), Latin in a passport or an NGO's notes, romanised by whichever system the writer
knew ("Ri Song Gyun", "Lee Seong-gyun", "Yi Sŏnggyun"). Search must find the one from the other.

The pipeline, for one name:

1. Script. Hangul syllables are romanised from their jamo (Unicode decomposition), in the Revised
   Romanisation (RR, South Korea 2000) and in McCune–Reischauer (MR, 1939; North Korea's own system
   derives from it). Cyrillic is transliterated by the BGN/PCGN table for Russian (ё as "yo"), with
   the Central Asian letters (Uzbek, Tajik, Kazakh, Kyrgyz), and a second time read as Korean in the
   Kontsevich convention (чх = ch, чж = j, ы = eu, ё = yeo, ль = l). A name yields every reading.
2. Tokens. Lower case, diacritics stripped (ŏ → o), hyphens and apostrophes inside a word joined
   ("Seong-gyun" → "seonggyun"), words split on spaces and punctuation.
3. Korean surnames. A surname (the first word, or the last of two) that is a known variant of a
   Korean surname is replaced by its class
   (Ri/Lee/Yi/Rhee/Li → ri; Choe/Choi/Chwe/Tsoi → choe; Pak/Park/Bak → pak; ...): the variants are
   not phonetic neighbours, so no edit distance could bring them together.
4. Phonetic key. Distinctions that romanisation systems draw differently are folded: voiced and
   voiceless stops (g/k, d/t, b/p, j/ch), r/l, eo/o, eu/u, ae/e, ng/n (Cyrillic н writes both),
   kh/h, zh/j, sh/s, v/w, doubled consonants. "Ri Song Gyun", "Lee Seong-gyun", "리성균" and
   "Ри Сон Гюн" all become the words ("li", "sonkyun") or ("li", "son", "kyun"), which join to the
   same string "lisonkyun". Fuzzy matching (bounded edit distance) then works on these keys.

The tables are data; the functions are small. RR and MR are applied syllable by syllable as the two
systems prescribe for personal names (RR: "sound changes between syllables in given names are not
transcribed"); MR's voicing of k/t/p/ch between voiced sounds inside a word is applied, as is its
apostrophe between n and g (Han'guk). A one-word Hangul name of two to five syllables is split after
its surname (one syllable, or two for the compound surnames listed below), as names are written.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

# --- Hangul ---------------------------------------------------------------------------------------

HANGUL_FIRST = 0xAC00
HANGUL_LAST = 0xD7A3
_MEDIALS = 21
_FINALS = 28

# Initial consonants in Unicode order: ㄱ ㄲ ㄴ ㄷ ㄸ ㄹ ㅁ ㅂ ㅃ ㅅ ㅆ ㅇ ㅈ ㅉ ㅊ ㅋ ㅌ ㅍ ㅎ
RR_INITIALS = ("g", "kk", "n", "d", "tt", "r", "m", "b", "pp", "s", "ss", "", "j", "jj", "ch", "k", "t", "p", "h")
# Vowels in Unicode order: ㅏ ㅐ ㅑ ㅒ ㅓ ㅔ ㅕ ㅖ ㅗ ㅘ ㅙ ㅚ ㅛ ㅜ ㅝ ㅞ ㅟ ㅠ ㅡ ㅢ ㅣ
RR_VOWELS = (
    "a", "ae", "ya", "yae", "eo", "e", "yeo", "ye", "o", "wa", "wae",
    "oe", "yo", "u", "wo", "we", "wi", "yu", "eu", "ui", "i",
)  # fmt: skip
# Final consonants in Unicode order:
# (none) ㄱ ㄲ ㄳ ㄴ ㄵ ㄶ ㄷ ㄹ ㄺ ㄻ ㄼ ㄽ ㄾ ㄿ ㅀ ㅁ ㅂ ㅄ ㅅ ㅆ ㅇ ㅈ ㅊ ㅋ ㅌ ㅍ ㅎ
RR_FINALS = (
    "", "k", "k", "k", "n", "n", "n", "t", "l", "k", "m", "l", "l", "l",
    "p", "l", "m", "p", "p", "t", "t", "ng", "t", "t", "k", "t", "p", "t",
)  # fmt: skip

# McCune–Reischauer: voiceless initials (word start, or after a voiceless final) ...
MR_INITIALS = (
    "k", "kk", "n", "t", "tt", "r", "m", "p", "pp", "s", "ss", "", "ch", "tch", "ch'", "k'", "t'", "p'", "h",
)  # fmt: skip
# ... and voiced ones (after a vowel or after n, l, m, ng inside a word).
MR_INITIALS_VOICED = (
    "g", "kk", "n", "d", "tt", "r", "m", "b", "pp", "s", "ss", "", "j", "tch", "ch'", "k'", "t'", "p'", "h",
)  # fmt: skip
MR_VOWELS = (
    "a", "ae", "ya", "yae", "ŏ", "e", "yŏ", "ye", "o", "wa", "wae",
    "oe", "yo", "u", "wŏ", "we", "wi", "yu", "ŭ", "ŭi", "i",
)  # fmt: skip
MR_FINALS = RR_FINALS

_FINAL_NONE, _FINAL_N, _FINAL_L, _FINAL_M, _FINAL_NG = 0, 4, 8, 16, 21
_VOICED_FINALS = frozenset({_FINAL_NONE, _FINAL_N, _FINAL_L, _FINAL_M, _FINAL_NG})
_INITIAL_G, _INITIAL_R = 0, 5

# Surnames of two syllables: a one-word name starting with one of these is split after it.
COMPOUND_SURNAMES = frozenset({"남궁", "황보", "제갈", "선우", "독고", "사공", "서문", "동방", "어금", "망절"})


def is_hangul_syllable(char: str) -> bool:
    return HANGUL_FIRST <= ord(char) <= HANGUL_LAST


def decompose(syllable: str) -> tuple[int, int, int]:
    """(initial, vowel, final) indexes of a precomposed Hangul syllable (final 0: none)."""
    offset = ord(syllable) - HANGUL_FIRST
    return offset // (_MEDIALS * _FINALS), (offset // _FINALS) % _MEDIALS, offset % _FINALS


def _romanise_word(word: str, system: str) -> str:
    """One word of Hangul syllables (other characters pass through) in RR or MR."""
    out: list[str] = []
    previous_final: int | None = None  # None: at the start of the word or after a non-Hangul character
    for char in word:
        if not is_hangul_syllable(char):
            out.append(char)
            previous_final = None
            continue
        initial, vowel, final = decompose(char)
        if system == "rr":
            onset = RR_INITIALS[initial]
            if initial == _INITIAL_R and previous_final == _FINAL_L:
                onset = "l"  # ㄹㄹ is "ll"
            out.append(onset + RR_VOWELS[vowel] + RR_FINALS[final])
        else:
            voiced = previous_final is not None and previous_final in _VOICED_FINALS
            onset = (MR_INITIALS_VOICED if voiced else MR_INITIALS)[initial]
            if initial == _INITIAL_R and previous_final == _FINAL_L:
                onset = "l"
            elif initial == _INITIAL_G and previous_final == _FINAL_N:
                onset = "'g"  # n'g, not ng (Han'guk)
            out.append(onset + MR_VOWELS[vowel] + MR_FINALS[final])
        previous_final = final
    return "".join(out)


def split_hangul_name(word: str) -> list[str]:
    """A one-word Hangul name split after its surname: "리성균" → ["리", "성균"]."""
    if not 2 <= len(word) <= 5 or not all(is_hangul_syllable(c) for c in word):
        return [word]
    cut = 2 if word[:2] in COMPOUND_SURNAMES and len(word) > 2 else 1
    return [word[:cut], word[cut:]]


def romanise_hangul(text: str, system: str = "rr") -> str:
    """A Hangul name in RR (system="rr") or McCune–Reischauer ("mr"), words capitalised.

    >>> romanise_hangul("리성균"), romanise_hangul("리성균", "mr")
    ('Ri Seonggyun', 'Ri Sŏnggyun')
    """
    if system not in ("rr", "mr"):
        raise ValueError(f"unknown romanisation {system!r} (rr or mr)")
    words = text.split()
    if len(words) == 1:
        words = split_hangul_name(words[0])
    return " ".join(_capitalise(_romanise_word(w, system)) for w in words)


def _capitalise(word: str) -> str:
    return word[:1].upper() + word[1:]


# --- Cyrillic ---------------------------------------------------------------------------------------

# BGN/PCGN for Russian, without its diacritics and separators (ё as "yo", ъ and ь dropped),
# plus the letters of Ukrainian, Belarusian, Uzbek, Tajik, Kazakh and Kyrgyz Cyrillic.
BGN_PCGN = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "yo", "ж": "zh", "з": "z",
    "и": "i", "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r",
    "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "shch",
    "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "yu", "я": "ya",
    "є": "ye", "і": "i", "ї": "yi", "ґ": "g", "ў": "o",
    "қ": "q", "ғ": "g", "ҳ": "h", "ӣ": "i", "ӯ": "u", "ҷ": "j",
    "ә": "a", "ң": "ng", "ө": "o", "ұ": "u", "ү": "u", "һ": "h",
}  # fmt: skip
# BGN/PCGN writes е and ё as "ye" and "yo" at the start of a word and after a vowel, й, ъ or ь.
_BGN_YE = {"е": "ye", "ё": "yo"}
_CYRILLIC_VOWELS = frozenset("аеёиоуыэюяєіїўөұүә")
_BGN_YE_AFTER = _CYRILLIC_VOWELS | {"й", "ъ", "ь"}

# Korean names in Cyrillic (the Kontsevich convention), read back towards the Korean sounds.
# Digraphs first; letters not listed here are read as in BGN_PCGN.
KONTSEVICH_DIGRAPHS = {
    "чх": "ch", "чж": "j", "тх": "t", "пх": "p", "кх": "k", "ый": "ui", "ль": "l",
    "ва": "wa", "во": "wo", "ве": "we", "ви": "wi", "вэ": "wae",
}  # fmt: skip
KONTSEVICH_LETTERS = {"ч": "j", "ж": "j", "ц": "ch", "ы": "eu", "ё": "yeo", "э": "ae", "й": "i", "х": "h"}


def is_cyrillic(char: str) -> bool:
    return "\u0400" <= char <= "\u04ff"


def transliterate_cyrillic(text: str, system: str = "bgn") -> str:
    """Cyrillic in Latin letters: BGN/PCGN ("bgn") or read as Korean in Kontsevich ("korean").

    >>> transliterate_cyrillic("Ри Сон Гюн"), transliterate_cyrillic("Ким Чхоль Ын", "korean")
    ('Ri Son Gyun', 'Kim Chol Eun')
    """
    if system not in ("bgn", "korean"):
        raise ValueError(f"unknown transliteration {system!r} (bgn or korean)")
    out: list[str] = []
    i = 0
    while i < len(text):
        char = text[i]
        lower = char.lower()
        if not is_cyrillic(char):
            out.append(char)
            i += 1
            continue
        latin: str | None = None
        step = 1
        if system == "korean":
            pair = text[i : i + 2].lower()
            if pair in KONTSEVICH_DIGRAPHS:
                latin, step = KONTSEVICH_DIGRAPHS[pair], 2
            else:
                latin = KONTSEVICH_LETTERS.get(lower)
        elif lower in _BGN_YE:
            before = text[i - 1].lower() if i else ""
            if not before or not is_cyrillic(before) or before in _BGN_YE_AFTER:
                latin = _BGN_YE[lower]
        if latin is None:
            latin = BGN_PCGN.get(lower, lower)
        out.append(_capitalise(latin) if char != lower else latin)
        i += step
    return "".join(out)


# --- Latin ------------------------------------------------------------------------------------------

# Letters that Unicode does not decompose into a base letter and a mark.
_LATIN_EXTRA = str.maketrans(
    {"ı": "i", "ø": "o", "æ": "ae", "œ": "oe", "ß": "ss", "ł": "l", "đ": "d", "ð": "d", "þ": "th", "ŋ": "ng"}
)
_JOINERS = re.compile(r"[-‐‑‒–—'’ʼʻ`´ʹ]")  # hyphens and apostrophes join the parts of a word
_NOT_LETTER = re.compile(r"[^a-z]+")


def ascii_letters(text: str) -> str:
    """Lower case, no diacritics, words joined across hyphens and apostrophes, separated by spaces."""
    text = unicodedata.normalize("NFKD", text.casefold().translate(_LATIN_EXTRA))
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = _JOINERS.sub("", text)
    return " ".join(w for w in _NOT_LETTER.split(text) if w)


# --- Korean surnames ----------------------------------------------------------------------------------

# Each class: the spellings of one Korean surname seen in passports, court papers and the press,
# in Latin letters as ascii_letters() leaves them (Cyrillic forms as BGN/PCGN gives them: Ли → li,
# Цой → tsoy, Тен → ten). The first spelling names the class.
SURNAME_CLASSES: tuple[tuple[str, ...], ...] = (
    ("ri", "lee", "yi", "i", "rhee", "li", "rhie", "yee", "leigh"),  # 리/이
    ("choe", "choi", "chwe", "choy", "tsoi", "tsoy", "chkhve", "chhve", "chve", "tchoi"),  # 최
    ("pak", "park", "bak", "bahk", "pakh"),  # 박
    ("kim", "gim", "kimm"),  # 김
    ("jong", "jeong", "chong", "chung", "jung", "cheong", "joung", "tyen", "ten"),  # 정
    ("kang", "gang", "kan"),  # 강
    ("ryu", "yu", "yoo", "you", "ryoo", "rhyu", "lyu"),  # 류/유
    ("rim", "im", "lim", "yim", "leem", "rhim", "lym"),  # 림/임
    ("no", "roh", "noh", "ro", "rho", "nho"),  # 노/로
    ("ryang", "yang", "lyang"),  # 량/양
    ("ra", "na", "rah", "nah"),  # 라/나
    ("ryom", "yeom", "yom", "ryeom", "yum"),  # 렴/염
    ("jo", "cho", "joe", "tcho"),  # 조
    ("yun", "yoon", "youn"),  # 윤
    ("sin", "shin", "shinn"),  # 신
    ("so", "seo", "suh", "soh"),  # 서
    ("ho", "heo", "hur", "huh"),  # 허
    ("mun", "moon"),  # 문
    ("ko", "go", "koh"),  # 고
    ("o", "oh", "ogai"),  # 오
    ("an", "ahn"),  # 안
    ("u", "woo", "wu"),  # 우
    ("sim", "shim"),  # 심
    ("paek", "baek", "paik", "baik", "back"),  # 백
    ("han", "hahn"),  # 한
)


def _surname_table(classes: Iterable[tuple[str, ...]]) -> dict[str, str]:
    table: dict[str, str] = {}
    for spellings in classes:
        for spelling in spellings:
            if spelling in table:
                raise ValueError(f"{spelling!r} is in two surname classes")
            table[spelling] = spellings[0]
    return table


SURNAME_OF = _surname_table(SURNAME_CLASSES)


def fold_surname(word: str) -> str:
    """The class of a Korean surname spelling ("lee" → "ri"), or the word itself."""
    return SURNAME_OF.get(word, word)


# --- Phonetic key ---------------------------------------------------------------------------------------

# Left to right, longest first: digraphs to one sound ("C" stands for ch/j), vowel spellings folded.
_DIGRAPHS = {
    "shch": "s", "chkh": "C", "kkh": "k", "tkh": "t", "pkh": "p", "chh": "C", "tch": "C", "ch": "C",
    "zh": "C", "kh": "h", "sh": "s", "ph": "p", "th": "t", "ng": "n", "ck": "k",
    "eo": "o", "eu": "u", "ae": "e", "oe": "we", "ui": "i", "oo": "u", "ee": "i", "ou": "o", "iy": "i",
}  # fmt: skip
_DIGRAPH_RE = re.compile("|".join(sorted(_DIGRAPHS, key=len, reverse=True)))
_LETTERS = str.maketrans({"j": "C", "g": "k", "d": "t", "b": "p", "r": "l", "v": "w", "q": "k", "x": "h", "c": "k"})
_RUNS = re.compile(r"([^aeiouy])\1+")  # doubled consonants (kk, ss, ll): a dropped vowel stays one edit


def phonetic_key(word: str) -> str:
    """The folded key of one word of ascii letters: "seonggyun" → "sonkyun", "chkhol" → "Col"."""
    key = _DIGRAPH_RE.sub(lambda m: _DIGRAPHS[m.group(0)], word).translate(_LETTERS)
    if key.endswith("y"):
        key = key[:-1] + "i"
    return _RUNS.sub(r"\1", key)


# --- Names ------------------------------------------------------------------------------------------------


def script_of(text: str) -> str:
    """"Hang", "Cyrl" or "Latn": the script most of the name's letters are in."""
    counts = {"Hang": 0, "Cyrl": 0, "Latn": 0}
    for char in text:
        if is_hangul_syllable(char):
            counts["Hang"] += 1
        elif is_cyrillic(char):
            counts["Cyrl"] += 1
        elif char.isalpha():
            counts["Latn"] += 1
    return max(counts, key=lambda s: counts[s]) if any(counts.values()) else "Latn"


def readings(text: str) -> list[str]:
    """The name in Latin letters, every way it may be read: RR and MR for Hangul, two for Cyrillic."""
    text = unicodedata.normalize("NFC", text)
    out: list[str] = []
    has_hangul = any(is_hangul_syllable(c) for c in text)
    has_cyrillic = any(is_cyrillic(c) for c in text)
    latin_forms = [text]
    if has_hangul:
        latin_forms = [romanise_hangul(text, "rr"), romanise_hangul(text, "mr")]
    if has_cyrillic:
        latin_forms = [transliterate_cyrillic(f, s) for f in latin_forms for s in ("bgn", "korean")]
    for form in latin_forms:
        if form not in out:
            out.append(form)
    return out


def key_words(latin: str) -> tuple[str, ...]:
    """The phonetic key of each word of a name already in Latin letters, its surname folded.

    The surname is the first word, or the last of two ("Seong-gyun Lee"); the syllables of a given
    name written apart are not surnames ("Kim Yoo Na": Na is not 나/라 here).
    """
    words = ascii_letters(latin).split()
    surnames = {0, len(words) - 1} if len(words) == 2 else {0}
    keys = (phonetic_key(fold_surname(w) if i in surnames else w) for i, w in enumerate(words))
    return tuple(k for k in keys if k)


def name_keys(text: str) -> list[tuple[str, ...]]:
    """Every distinct key of a name in any script: tuples of folded words, one per reading."""
    out: list[tuple[str, ...]] = []
    for reading in readings(text):
        words = key_words(reading)
        if words and words not in out:
            out.append(words)
    return out


def joined(words: tuple[str, ...]) -> str:
    """The words of a key as one string: word breaks differ between spellings ("Song Gyun", "Songgyun")."""
    return "".join(words)


def rotations(words: tuple[str, ...]) -> list[str]:
    """The joined key as written and with its first word moved last (surname first or last)."""
    forms = [joined(words)]
    if len(words) > 1:
        rotated = joined(words[1:] + words[:1])
        if rotated != forms[0]:
            forms.append(rotated)
    return forms


def word_budget(word: str) -> int:
    """Edits allowed between one word of a query and of a name: none for short words."""
    n = len(word)
    return 0 if n <= 3 else 1 if n <= 7 else 2


def name_budget(key: str) -> int:
    """Edits allowed between two whole joined names: about one in six letters, at most three."""
    return min(3, len(key) // 6)

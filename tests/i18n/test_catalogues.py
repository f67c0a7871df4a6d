"""The catalogues cannot drift: every msgid has a real Russian and Korean translation with the same placeholders.

A new string in a template or in Python fails `test_the_catalogues_hold_every_string_of_the_code` until
`make messages`-ready .po files carry it (refuge makemessages -l ru -l ko --no-location, see below), and
the other tests until it is translated.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest

from tests.i18n.conftest import LANGUAGES, LOCALE, catalogue

# Placeholders a translation must keep exactly: %(name)s, %s / %d, {name} / {}.
PLACEHOLDER = re.compile(r"%\([a-z_0-9]+\)[sd]|%[sd]|\{[a-z_0-9]*\}")
TAG = re.compile(r"</?[a-z]+\b[^>]*>")
# Translations that may equal the English: codes, formats and titles of English-language publications.
SAME_AS_ENGLISH = frozenset(
    {
        "API",
        "CSV",
        "JSON",
        "SHA-256",
    }
)
# makemessages as `make` would run it (the generated filings keep their fixed language: not extracted).
MAKEMESSAGES = ["makemessages", "-l", "ru", "-l", "ko", "--no-location", "--ignore", "templates/filings/documents/*"]


def _entries(lang: str) -> list[polib.POEntry]:
    return [e for e in catalogue(lang) if not e.obsolete]


def _translations(entry: polib.POEntry) -> list[str]:
    return list(entry.msgstr_plural.values()) if entry.msgid_plural else [entry.msgstr]


def placeholders(text: str) -> list[str]:
    return sorted(PLACEHOLDER.findall(text))


def test_placeholders_are_found_in_every_form() -> None:
    assert placeholders("%(name)s and %s, {} and {when}") == ["%(name)s", "%s", "{when}", "{}"]
    assert placeholders("100% sure") == []


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_msgid_is_translated_and_not_fuzzy(lang: str) -> None:
    entries = _entries(lang)
    assert len(entries) > 500
    untranslated = [e.msgid for e in entries if not all(t.strip() for t in _translations(e))]
    fuzzy = [e.msgid for e in entries if "fuzzy" in e.flags]
    assert untranslated == []
    assert fuzzy == []
    assert not catalogue(lang).metadata_is_fuzzy


@pytest.mark.parametrize("lang", LANGUAGES)
def test_no_translation_merely_copies_the_english(lang: str) -> None:
    copied = [
        e.msgid
        for e in _entries(lang)
        if e.msgid not in SAME_AS_ENGLISH and any(t.strip() == e.msgid.strip() for t in _translations(e))
    ]
    assert copied == []


@pytest.mark.parametrize("lang", LANGUAGES)
def test_translations_keep_every_placeholder_and_link(lang: str) -> None:
    wrong = []
    for e in _entries(lang):
        for text in _translations(e):
            if placeholders(text) != placeholders(e.msgid) and not (
                e.msgid_plural and placeholders(text) == placeholders(e.msgid_plural)
            ):
                wrong.append((e.msgid, text))
            if sorted(TAG.findall(text)) != sorted(TAG.findall(e.msgid)):
                wrong.append((e.msgid, text))
    assert wrong == []


def test_russian_has_every_plural_form() -> None:
    for e in _entries("ru"):
        if e.msgid_plural:
            assert len(e.msgstr_plural) == 4, e.msgid  # Django's ru: one, few, many, fractions


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="gettext is not installed (apt-get install gettext)")
def test_the_catalogues_hold_every_string_of_the_code(tmp_path: Path) -> None:
    """makemessages on a copy of the package finds no msgid that the committed catalogues lack, nor one too many."""
    package = Path(LOCALE).parent
    copy = tmp_path / "refuge"
    shutil.copytree(package, copy, ignore=shutil.ignore_patterns("__pycache__", "*.mo"))
    env = {"REFUGE_DATA_DIR": str(tmp_path / "data"), "PATH": "/usr/bin:/bin"}
    subprocess.run(  # noqa: S603  # our own CLI, fixed arguments
        [sys.executable, "-m", "refuge", *MAKEMESSAGES],
        cwd=copy,
        env=env,
        check=True,
        capture_output=True,
    )
    for lang in LANGUAGES:
        extracted = polib.pofile(str(copy / "locale" / lang / "LC_MESSAGES" / "django.po"))
        fresh = {(e.msgctxt or "", e.msgid) for e in extracted if not e.obsolete}
        committed = {(e.msgctxt or "", e.msgid) for e in _entries(lang)}
        assert sorted(fresh - committed) == [], f"{lang}: run makemessages and translate these"
        assert sorted(committed - fresh) == [], f"{lang}: these are no longer in the code"


def test_every_audit_event_type_has_its_label_for_the_page() -> None:
    """The audit log shows refuge.cases.audit_words' labels: one per type and area, the English the CLI prints."""
    from django.utils import translation

    from refuge.audit.events import Area, EventType
    from refuge.cases import audit_words

    assert set(audit_words.LABELS) == set(EventType)
    assert set(audit_words.AREAS) == set(Area)
    with translation.override("en"):
        assert [str(audit_words.LABELS[t]) for t in EventType] == [t.label for t in EventType]
    with translation.override("ru"):
        assert audit_words.label(EventType.PASSKEY_ADDED) == "Ключ доступа добавлен"
        assert audit_words.label(99) == "Неизвестный тип 99"


def test_every_vocabulary_code_has_its_word_for_the_catalogues() -> None:
    """Pages humanize the case-file vocabulary's codes; refuge.cases.vocab_words must list each word."""
    from refuge.casefile import vocab
    from refuge.cases.models import Authority
    from refuge.cases.vocab_words import WORDS

    codes = {name for attributes in vocab.EVENT_TYPES.values() for name in attributes}
    codes |= set(vocab.COMMON_EVENT_ATTRIBUTES)
    codes |= {value for enum, values in vocab.ENUMS.items() if enum != "forum" for value in values}
    codes |= set(Authority.CHANNEL_KINDS)
    words = {code.replace("_", " ").capitalize() for code in codes}
    assert sorted(words - set(WORDS)) == []


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_law_label_of_the_packs_is_translated(lang: str) -> None:
    """refuge/locale/<lang>/labels.yaml gives every pack label and explanation in the language, none in English."""
    import yaml

    from refuge.cases.recompute import packs

    english = packs().labels
    translated = yaml.safe_load((LOCALE / lang / "labels.yaml").read_text(encoding="utf-8"))
    assert sorted(set(english) - set(translated)) == [], "labels to translate"
    assert sorted(set(translated) - set(english)) == [], "labels no pack has any more"
    for code, words in translated.items():
        assert set(words) == {"label", "explanation"}, code
        for field in ("label", "explanation"):
            text = str(words[field]).strip()
            assert text, f"{code}.{field} is empty"
            assert text != getattr(english[code], field).strip(), f"{code}.{field} copies the English"


UNVERIFIED_94 = [("ru", "правило 94", "номер не проверен"), ("ko", "규칙 94", "번호 미검증")]


@pytest.mark.parametrize(("lang", "rule", "unverified"), UNVERIFIED_94)
def test_a_translated_label_citing_hrc_rule_94_says_it_is_unverified(lang: str, rule: str, unverified: str) -> None:
    """LAW.md leaves the HRC's rule number unverified: the translations say so where the English does."""
    import yaml

    translated = yaml.safe_load((LOCALE / lang / "labels.yaml").read_text(encoding="utf-8"))
    citing = {code: words["explanation"] for code, words in translated.items() if rule in words["explanation"]}
    assert set(citing) >= {"un_hrc", "un.interim_request", "common.conflict.removal_during_interim_measure"}
    assert all(unverified in text for text in citing.values()), citing


def test_pages_show_the_law_in_the_readers_language_and_the_engine_keeps_english() -> None:
    from django.utils import translation

    from refuge.cases import law

    with translation.override("ru"):
        assert law.label("appeal") == "Обжалование решения о высылке"
    with translation.override("ko"):
        assert law.label("un_cat") == "유엔 고문방지위원회"
    with translation.override("en"):
        assert law.label("appeal") == "Appeal against the removal decision"


def _bases(value: object) -> list[str]:
    """Every legal basis in a pack: the values of `basis`, `basis_after` and the like."""
    if isinstance(value, dict):
        found = [str(v).strip() for k, v in value.items() if str(k).startswith("basis") and isinstance(v, str)]
        return found + [b for v in value.values() for b in _bases(v)]
    if isinstance(value, list):
        return [b for v in value for b in _bases(v)]
    return []


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_legal_basis_of_the_packs_is_translated(lang: str) -> None:
    import yaml

    import refuge.rules
    from refuge.filings import conflicts as filing_conflicts

    packs = Path(refuge.rules.__file__).parent / "packs"
    english = {b for pack in packs.glob("*.yaml") for b in _bases(yaml.safe_load(pack.read_text(encoding="utf-8")))}
    english |= {b.strip() for b in filing_conflicts.BASES}  # the filings' conflict providers' bases, shown alike
    translated = yaml.safe_load((LOCALE / lang / "bases.yaml").read_text(encoding="utf-8"))
    assert sorted(english - set(translated)) == [], "bases to translate"
    assert sorted(set(translated) - english) == [], "bases no pack has any more"
    assert [en for en, text in translated.items() if not str(text).strip() or str(text).strip() == en] == []


@pytest.mark.parametrize("lang", ["en", *LANGUAGES])
def test_the_filings_conflict_rules_have_labels_in_every_language(lang: str) -> None:
    """The rules of the filings' conflict providers are named like the packs' rules, not by their code."""
    from django.utils import translation

    from refuge.cases import law
    from refuge.filings import conflicts as filing_conflicts

    with translation.override("en"):
        english = {rule: law.label(rule) for rule in filing_conflicts.RULES}
    with translation.override(lang):
        for rule in filing_conflicts.RULES:
            found = law.words(rule)
            assert found is not None and found.label and found.explanation, rule
            assert lang == "en" or found.label != english[rule], f"{rule}: not translated into {lang}"

"""Case-file problems reach the pages in the reader's language: a code and params per problem, a sentence per code.

The validator's English `message` stays what the CLI and the API print (tests/casefile); the pages render
`refuge.cases.problem_words.problem_text`, which must leave no English and no unfilled placeholder.
"""

from __future__ import annotations

import ast
import copy
import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from django.urls import reverse
from django.utils import translation

import refuge
from refuge.casefile.validate import CaseFileError, Problem, _describe, decode_casefile, load_casefile
from refuge.cases.problem_words import SENTENCES, problem_text
from tests.casefile.test_validate import GOOD
from tests.i18n.conftest import LANGUAGES

PACKAGE = Path(refuge.__file__).parent
# Words a sentence may keep in every language: formats, standards, JSON's own words, date patterns.
KEPT = frozenset(
    {"ISO", "IANA", "JSON", "UTF", "alpha", "NaN", "Infinity", "Unicode", "null", "true", "false", "YYYY", "MM", "DD"}
)
KEPT |= {"DDThh", "Thh", "hh", "mm", "ss", "e.g."}
SCRIPT = {"ru": re.compile(r"[А-Яа-яЁё]"), "ko": re.compile(r"[가-힣]")}
SECRETS = ("Ri Song", "Ри Сон", "1971", "North Korea", "Korean", "12345")


def _problems(data: Any) -> list[Problem]:
    with pytest.raises(CaseFileError) as info:
        load_casefile(data)
    return info.value.problems


def _with(**changes: Any) -> dict[str, Any]:
    data = copy.deepcopy(GOOD)
    for key, value in changes.items():
        if value is None:
            data.pop(key, None)
        else:
            data[key] = value
    return data


def _events(*events: dict[str, Any]) -> dict[str, Any]:
    data = copy.deepcopy(GOOD)
    data["events"].extend(events)
    return data


def bad_files() -> list[Any]:
    """Representative bad files: schema keywords, the guards, what the schema cannot say."""
    person = copy.deepcopy(GOOD["person"])
    person["names"][0]["value"] = 12345  # a type error where a name goes
    person["names"][1]["script"] = "Ri Song Gyun secret"  # an enum error whose value is a name
    person["birth_date"] = "1971-02-30"
    person["nationality"] = "North Korea"
    person["languages"] = ["Korean (Ri Song Gyun)"]
    return [
        _with(host_state="Russia", timezone="Europe/Moskva", format="refuge.case/2", colour="red", events=None),
        _with(person=person),
        _with(reference="SPB 2026/014"),
        _with(host_state="ZZ", reference=None),
        _events(
            {"id": "e4", "type": "teleported", "at": "2026-03-04"},
            {"id": "e5", "type": "released", "at": "04.03.2026", "reason": "x"},
            {"id": "e6", "type": "detention_started", "at": "2026-02-30"},
            {"id": "e2", "type": "decision_received", "at": "2026-03-05", "decision_event": "e1"},
            {"id": "e7", "type": "appeal_lodged", "at": "2026-03-05", "decision_event": "e99"},
            {"id": "e8", "type": "removal_cancelled", "at": "2026-03-05", "removal_event": "e8"},
            {"id": "e9", "type": "removal_scheduled", "at": "2026-03-04", "removal_at": "2026-03-10"},
            {"id": "e10", "type": "decision_issued", "at": "2026-03-05", "decision": "banishment"},
            {"id": "e11", "type": "interim_measure_granted", "at": "2026-03-05", "forum": "echr", "until": 5},
            {"id": "e12", "type": "removal_scheduled", "at": "2026-03-05", "removal_at": "2026-13-01T06:00:00+03:00"},
        ),
        _events({"id": "e 13", "type": "released", "at": "2026-03-05"}),
        [],
    ]


def all_problems() -> list[Problem]:
    problems = [p for data in bad_files() for p in _problems(data)]
    for raw in (b"\xff\xfe", b'{"format": "refuge.case/1",\n "events": [}', b'{"a": 1, "a": 2}', b'{"n": NaN}'):
        with pytest.raises(CaseFileError) as info:
            decode_casefile(raw)
        problems += info.value.problems
    return problems


def leftover_english(text: str, problem: Problem) -> list[str]:
    """Words of three or more Latin letters left once the params (codes, paths) are taken out."""
    for value in problem.params.values():
        for part in value if isinstance(value, tuple) else (value,):
            text = text.replace(str(part), " ")
    text = re.sub(r"\$[\w.\[\]\"]*", " ", text)  # JSON paths
    return [w for w in re.findall(r"[A-Za-z]{3,}", text) if w not in KEPT]


def test_every_problem_of_the_representative_files_has_a_code() -> None:
    problems = all_problems()
    assert len(problems) > 25
    assert [str(p) for p in problems if p.code not in SENTENCES] == []
    codes = {p.code for p in problems}
    assert {"required", "unknown_field", "unknown_attribute", "enum", "const", "type", "duplicate_id"} <= codes
    assert {"not_a_date", "wrong_reference", "dangling_reference", "self_reference", "unknown_country"} <= codes


@pytest.mark.parametrize("lang", LANGUAGES)
def test_each_problem_reads_in_the_language_with_its_placeholders_filled(lang: str) -> None:
    wrong = []
    for problem in all_problems():
        with translation.override(lang):
            text = problem_text(problem)
        if "%(" in text or "%s" in text or not SCRIPT[lang].search(text) or leftover_english(text, problem):
            wrong.append((problem.code, text, leftover_english(text, problem)))
        assert not any(secret in text for secret in SECRETS), text
    assert wrong == []


def test_the_sentences_name_what_is_expected() -> None:
    data = _events({"id": "e4", "type": "decision_received", "at": "2026-03-05", "decision_event": "e1"})
    (problem,) = _problems(data)
    assert problem.code == "wrong_reference"
    assert problem.params == {"allowed": ("decision_issued",), "actual": "detention_started"}
    with translation.override("ru"):
        assert problem_text(problem) == (
            "должно ссылаться на событие типа Решение вынесено (decision_issued), "
            "а не Начало содержания под стражей (detention_started)"
        )
    (limit,) = _problems(_with(reference="x" * 41))
    assert (limit.code, limit.params) == ("code_characters", {"limit": 40})
    with translation.override("ko"):
        assert "1~40자" in problem_text(limit)
    with translation.override("en"):
        assert problem_text(limit).startswith("must be 1 to 40 characters")


def test_a_schema_type_error_lists_the_expected_types_in_the_language() -> None:
    schema = {"type": "object", "properties": {"until": {"type": ["string", "null"]}}}
    (error,) = jsonschema.Draft202012Validator(schema).iter_errors({"until": 5})
    (problem,) = _describe(error)
    assert (problem.path, problem.message, problem.code) == ("$.until", "must be a string or null", "type")
    with translation.override("ru"):
        assert problem_text(problem) == "должно быть текстом или пустым (null)"


@pytest.mark.parametrize(
    ("schema", "instance", "code", "params"),
    [
        ({"type": "string", "minLength": 3}, "ab", "min_length", {"limit": 3}),
        ({"type": "string", "maxLength": 2}, "abc", "max_length", {"limit": 2}),
        ({"type": "array", "minItems": 2}, [1], "min_items", {"limit": 2}),
        ({"type": "array", "uniqueItems": True}, [1, 1], "unique_items", {}),
        ({"type": "integer", "minimum": 5}, 3, "minimum", {"limit": 5}),
        ({"type": "integer", "maximum": 5}, 7, "maximum", {"limit": 5}),
        ({"oneOf": [{"type": "string"}, {"type": "string"}]}, "a", "no_form_matches", {}),
        ({"multipleOf": 3}, 4, "invalid", {"rule": "multipleOf"}),
    ],
)
def test_jsonschema_keywords_map_to_codes_with_their_rule(
    schema: dict[str, Any], instance: Any, code: str, params: dict[str, Any]
) -> None:
    (error,) = jsonschema.Draft202012Validator(schema).iter_errors(instance)
    (problem,) = _describe(error)
    assert (problem.code, dict(problem.params)) == (code, params)
    for lang in LANGUAGES:
        with translation.override(lang):
            text = problem_text(problem)
        assert SCRIPT[lang].search(text) and "%(" not in text and not leftover_english(text, problem), text
    with translation.override("ru"):
        if code == "min_length":
            assert problem_text(problem) == "должно содержать не меньше 3 символов"


def test_unknown_codes_fall_back_to_the_generic_sentence_and_codeless_problems_to_english() -> None:
    with translation.override("ko"):
        assert problem_text(Problem("$.x", "is odd", code="dependentSchemas")) == (
            "사건 파일 형식에 맞지 않습니다 (규칙: dependentSchemas)"
        )
        assert problem_text(Problem("$.x", "is odd")) == "is odd"
        assert problem_text(Problem("$.x", "is odd", code="enum")) == "is odd"  # params missing: the English


def test_problems_stay_backward_compatible() -> None:
    old = Problem("$.a", "is required")
    assert old == Problem("$.a", "is required", code="required", params={"field": "a"})
    assert str(old) == "$.a: is required"
    assert len({old, Problem("$.a", "is required", code="required")}) == 1


def test_every_code_the_code_can_give_has_its_sentence_and_none_is_left_over() -> None:
    sources = [
        PACKAGE / "casefile" / "validate.py",
        PACKAGE / "cases" / "actions.py",
        PACKAGE / "cases" / "bulk_import.py",
        PACKAGE / "demo" / "load.py",
    ]
    given = {code for path in sources for code in re.findall(r'code="([a-z_0-9]+)"', path.read_text(encoding="utf-8"))}
    validate = (PACKAGE / "casefile" / "validate.py").read_text(encoding="utf-8")
    given |= set(re.findall(r'^\s+"[\w-]+": \("([a-z_]+)", ', validate, flags=re.M))  # _LIMITS
    given |= set(re.findall(r'^\s+"[\w-]+": "([a-z]+_form)",', validate, flags=re.M))  # _PATTERN_CODES
    given |= {"pattern"}
    assert sorted(given - set(SENTENCES)) == []
    assert sorted(set(SENTENCES) - given) == []
    for path in sources:  # and every problem they build has one
        calls = [
            node
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
            if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "Problem"
        ]
        assert calls
        assert [node.lineno for node in calls if "code" not in {k.arg for k in node.keywords}] == [], path


@pytest.mark.django_db
def test_the_intake_page_shows_a_taken_reference_in_russian(alice, case) -> None:
    from tests.pages.conftest import client_for
    from tests.pages.test_intake import intake

    alice.language = "ru"
    alice.save(update_fields=["language"])
    r = client_for(alice).post(reverse("case_new"), intake(reference=case.reference))
    assert r.status_code == 422
    html = r.content.decode()
    assert "дело с таким номером в организации уже есть" in html
    assert "already exists" not in html


@pytest.mark.django_db
def test_an_event_page_names_the_event_and_the_problem_in_korean(alice, case) -> None:
    from refuge.cases.forms.common import describe_problem

    (problem,) = _problems(_events({"id": "e4", "type": "appeal_lodged", "at": "2026-03-05", "decision_event": "e9"}))
    with translation.override("ko"):
        text = describe_problem(problem, event_keys=["e1", "e2", "e3", "e4"], event_types={"e4": "appeal_lodged"})
    assert text.endswith(": 이 사건에 없는 항목을 가리킵니다") and text.startswith("항목 e4")
    other = Problem("$.person.names[0].value", "is required", code="required", params={"field": "value"})
    with translation.override("ru"):
        assert describe_problem(other) == "$.person.names[0].value: обязательно"

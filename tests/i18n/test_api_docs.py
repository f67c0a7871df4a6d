"""The API's documentation speaks the reader's language; its contract (paths, fields, enum values) does not change."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import translation

from refuge.api.doc_words import WORDS
from refuge.api.main import api
from tests.conftest import login

pytestmark = pytest.mark.django_db

TRANSLATED = ("summary", "description", "tags")


def _texts(value: Any) -> set[str]:
    """Every summary, description and tag of an OpenAPI document."""
    found: set[str] = set()
    if isinstance(value, dict):
        for key, item in value.items():
            if key in ("summary", "description") and isinstance(item, str):
                found.add(item)
            elif key == "tags" and isinstance(item, list) and all(isinstance(t, str) for t in item):
                found.update(item)
            else:
                found |= _texts(item)
    elif isinstance(value, list):
        for item in value:
            found |= _texts(item)
    return found


def _contract(value: Any) -> Any:
    """The document without its words for people: what clients and tests hold the server to."""
    if isinstance(value, dict):
        return {
            k: _contract(v)
            for k, v in value.items()
            if not (
                k in TRANSLATED and (isinstance(v, str) or (isinstance(v, list) and all(isinstance(t, str) for t in v)))
            )
        }
    if isinstance(value, list):
        return [_contract(v) for v in value]
    return value


def test_openapi_json_in_russian_has_russian_words_and_the_same_contract(client) -> None:
    english = client.get("/api/v1/openapi.json", HTTP_ACCEPT_LANGUAGE="en").json()
    russian = client.get("/api/v1/openapi.json", HTTP_ACCEPT_LANGUAGE="ru").json()
    korean = client.get("/api/v1/openapi.json", HTTP_ACCEPT_LANGUAGE="ko-KR,ko;q=0.9").json()
    assert english["paths"]["/api/v1/cases"]["get"]["summary"] == "Case List"
    assert russian["paths"]["/api/v1/cases"]["get"]["summary"] == "Список дел"
    assert korean["paths"]["/api/v1/cases"]["get"]["summary"] == "사건 목록"
    assert russian["paths"]["/api/v1/cases"]["get"]["tags"] == ["дела"]
    assert russian["paths"]["/api/v1/cases"]["get"]["responses"]["404"]["description"] == "Не найдено"
    assert russian["info"]["description"].startswith("JSON-двойник страниц Refuge")
    assert russian["webhooks"]["alert"]["post"]["summary"].startswith("Оповещение")
    for translated in (russian, korean):
        assert list(translated["paths"]) == list(english["paths"])
        assert list(translated["components"]["schemas"]) == list(english["components"]["schemas"])
        assert _contract(translated) == _contract(english)
    # every word for people is translated: none is left as the English
    assert _texts(russian) & _texts(english) == set()
    assert _texts(korean) & _texts(english) == set()


def test_the_docs_page_reads_in_the_users_language(client, alice) -> None:
    alice.language = "ko"
    alice.save(update_fields=["language"])
    login(client, alice)
    html = client.get("/api/v1/docs/").content.decode()
    assert "Refuge 페이지들의 JSON 쌍둥이입니다" in html
    assert "<code>GET /api/v1/cases</code>" in html and "사건 목록" in html


def test_the_words_list_is_the_english_documents() -> None:
    """refuge.api.doc_words lists what makemessages must find: no English string missing, none left over."""
    with translation.override("en"):
        english = _texts(api.get_openapi_schema(path_params={}))
    assert set(WORDS) <= english
    with translation.override("ru"):
        untranslated = sorted(text for text in english if translation.gettext(text) == text)
    assert untranslated == []


def test_each_language_is_built_once_and_handed_out_as_a_copy() -> None:
    with translation.override("ru"):
        first = api.get_openapi_schema(path_params={})
        first["paths"].clear()
        second = api.get_openapi_schema(path_params={})
    assert second["paths"] and second["info"]["description"].startswith("JSON-двойник")

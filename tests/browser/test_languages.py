"""The walk in Russian and Korean (issue 13): dashboard → case → add event → alerts → filing → account.

Russian comes from the browser (Accept-Language, for a user who chose nothing), Korean from the
user's own choice over an English browser. axe-core finds no violation on any page; screenshots of
each page go to the test artifacts.
"""

from __future__ import annotations

import re

import pytest
from django.utils import timezone

from tests.browser.axe import describe, violations
from tests.browser.conftest import htmx_ready
from tests.i18n.conftest import _compiled_catalogues  # noqa: F401  # autouse: the .mo files for these pages

pytestmark = pytest.mark.browser

WALKS = [
    # language, browser locale, the user's own choice, words on the pages
    (
        "ru",
        "ru-RU",
        "",
        {
            "login": "Войти",
            "dashboard": "Главная",
            "cases": "Дела",
            "add": "Добавить событие",
            "released": "Освобождён",
            "alerts": "Оповещения",
            "filing": "Подготовить обращение",
            "account": "Ваша учётная запись",
        },
    ),
    (
        "ko",
        "en-GB",
        "ko",
        {
            "login": "Log in",
            "dashboard": "첫 화면",
            "cases": "사건",
            "add": "항목 추가",
            "released": "석방",
            "alerts": "알림",
            "filing": "제출 문서 준비",
            "account": "내 계정",
        },
    ),
]


@pytest.fixture
def demo(transactional_db):
    from refuge.demo.load import build_demo

    return build_demo(today=timezone.localdate()).password


def audit(page, name: str, artifacts, lang: str) -> None:
    page.screenshot(path=str(artifacts / f"walk-{lang}-{name}.png"), full_page=True)
    assert page.evaluate("document.documentElement.lang") == lang, name
    found = violations(page)
    assert not found, f"{name} in {lang}:\n{describe(found)}"


@pytest.mark.parametrize(("lang", "locale", "choice", "words"), WALKS)
def test_the_walk_reads_in_russian_and_in_korean(  # noqa: PLR0917  # fixtures
    demo, live_server, chromium, artifacts, lang, locale, choice, words
):
    from playwright.sync_api import expect

    from refuge.accounts.models import User

    User.objects.filter(username="demo-lawyer").update(language=choice)
    context = chromium.new_context(viewport={"width": 1366, "height": 900}, locale=locale, bypass_csp=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        page.goto(f"{live_server.url}/accounts/login/")
        page.locator("#id_username").fill("demo-lawyer")
        page.locator("#id_password").fill(demo)
        page.get_by_role("button", name=words["login"]).click()
        expect(page.get_by_role("heading", name=words["dashboard"], exact=True)).to_be_visible()
        audit(page, "1-dashboard", artifacts, lang)

        page.get_by_role("link", name=words["cases"], exact=True).click()
        expect(page.get_by_role("heading", name=words["cases"], exact=True)).to_be_visible()
        audit(page, "2-cases", artifacts, lang)
        page.get_by_role("link", name="DEMO-01").first.click()
        expect(page.get_by_role("heading", name=re.compile("DEMO-01"))).to_be_visible()
        audit(page, "3-case", artifacts, lang)

        htmx_ready(page, "#event-add a")
        page.locator("#event-add a").click()  # the add form comes when asked for
        htmx_ready(page, "#id_new-type")
        page.locator("#id_new-type").select_option("released")
        page.locator("#id_new-date").fill(timezone.localdate().isoformat())
        page.get_by_role("button", name=words["add"]).click()
        expect(page.locator("#timeline")).to_contain_text(words["released"])
        audit(page, "4-event-added", artifacts, lang)

        page.get_by_role("link", name=re.compile(f"^{words['filing']}")).first.click()
        expect(page.get_by_role("heading", name=words["filing"])).to_be_visible()
        audit(page, "5-filing", artifacts, lang)

        page.get_by_role("link", name=re.compile(f"^{words['alerts']}")).first.click()
        expect(page.get_by_role("heading", name=words["alerts"], exact=True)).to_be_visible()
        audit(page, "6-alerts", artifacts, lang)

        page.goto(f"{live_server.url}/accounts/")
        expect(page.get_by_role("heading", name=words["account"])).to_be_visible()
        audit(page, "7-account", artifacts, lang)
        assert errors == []
    finally:
        context.close()

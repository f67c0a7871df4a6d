"""The layout's header, built in Python (refuge_layout.page_header), is the HTML its template made.

The template it replaced is the reference (page_header_reference.html, with Django's own url tags):
each reader (a lawyer, an admin, an analyst, nobody logged in), page and unread count is rendered
both ways in English, Russian and Korean, and the HTML compared character for character."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.contrib.auth.models import AnonymousUser
from django.template import engines
from django.test import RequestFactory
from django.urls import resolve, reverse
from django.utils import translation

from refuge.accounts.models import User

pytestmark = pytest.mark.django_db

OLD = (Path(__file__).parent / "page_header_reference.html").read_text(encoding="utf-8")
NEW = "{% load refuge_layout %}{% page_header %}"
PAGES = ("dashboard", "case_list", "case_new", "authority_list", "stats_page", "alert_list", "search", "account", None)


def _render(source: str, user, page: str | None, unread: str) -> str:
    request = RequestFactory().get(reverse(page) if page else "/nowhere/")
    request.user = user
    request.resolver_match = resolve(request.path) if page else None
    context = {"alerts_unread": unread, "csrf_token": "a-token-<&>", "user": user}
    return engines["django"].from_string(source).render(context, request)


def test_the_header_is_the_templates(alice, adam, ana) -> None:
    readers = [User.objects.get(pk=u.pk) for u in (alice, adam, ana)] + [AnonymousUser()]
    compared = 0
    for language in ("en", "ru", "ko"):
        with translation.override(language):
            for user in readers:
                for page in PAGES:
                    for unread in ("", "3", "99+"):
                        old, new = _render(OLD, user, page, unread), _render(NEW, user, page, unread)
                        assert new == old.strip("\n"), (language, user, page, unread)
                        compared += 1
    assert compared == 3 * 4 * len(PAGES) * 3


def test_the_header_marks_the_page_and_shows_the_bell(alice, ana) -> None:
    """What the comparison above relies on being there at all (a header of nothing would match nothing)."""
    with translation.override("ru"):
        html = _render(NEW, User.objects.get(pk=alice.pk), "case_list", "99+")
    assert f'<a href="{reverse("case_list")}" aria-current="page">' in html
    assert html.count('class="bell-count"') == 2 and 'value="a-token-&lt;&amp;&gt;"' in html
    assert 'id="header-q"' in html and ">alice</a>" in html
    html = _render(NEW, User.objects.get(pk=ana.pk), "stats_page", "1")
    assert html.count('class="bell-count"') == 1 and 'id="header-q"' not in html
    assert reverse("case_list") not in html

"""The case page's proceedings, built in Python, show what their template showed (proceeding_reference.html)."""

from __future__ import annotations

import re
import uuid
from datetime import date
from pathlib import Path

import pytest
from django.template import Context, Engine
from django.utils import translation

from refuge.cases.models import Authority, Case, Proceeding

OLD = (Path(__file__).parent / "proceeding_reference.html").read_text(encoding="utf-8")
NEW = "{% load refuge_pages %}{% proceeding_item p %}"


def _proceeding(authority: str | None = None, **values) -> Proceeding:
    p = Proceeding(forum=values.pop("forum", "echr"), **values)
    if authority is not None:
        p.authority = Authority(name=authority, kind="court")
    return p


SAMPLES = [
    _proceeding(),
    _proceeding("Court <No. 1> & co", reference_number="A-1/2026", case_number="2a-77", opened_on=date(2026, 3, 4)),
    _proceeding(None, forum="domestic_court", is_active=False, opened_on=date(2025, 12, 31), case_number="<b>"),
    _proceeding("Bailiffs", forum="un_hrc", is_active=False, reference_number='x"y'),
]


def _normal(html: str) -> str:
    return re.sub(r"\s+", " ", str(html)).strip()


@pytest.mark.parametrize("lang", ["en", "ru", "ko"])
@pytest.mark.parametrize("can_write", [True, False])
@pytest.mark.parametrize("index", range(len(SAMPLES)))
def test_a_proceeding_is_the_html_its_template_made(lang: str, can_write: bool, index: int) -> None:
    engine = Engine.get_default()
    context = {"p": SAMPLES[index], "case": Case(code=uuid.uuid4()), "can_write": can_write}
    with translation.override(lang):
        old = engine.from_string(OLD).render(Context(context))
        new = engine.from_string(NEW).render(Context(context))
    assert _normal(new) == _normal(old)
    assert "<li" in new

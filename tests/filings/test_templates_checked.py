"""Every kind in every language for every demo case: no placeholder, particle or English word left, no empty section."""

from __future__ import annotations

import html
import re
from datetime import date

import pytest

from refuge.filings.kinds import KINDS
from refuge.filings.options import Contact, FilingOptions

TODAY = date(2026, 3, 11)
CONTACT = Contact(name="Irina Sokolovskaya", phone="+7 000 000-00-01", email="demo-lawyer@example.org")
LEFTOVERS = ("{{", "}}", "{%", "%}", "None", "(으)로", "(이)가", "을(를)", "은(는)", "와(과)", "(으)")
LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z'’]+")
# Languages written in Latin script (Uzbek as in Uzbekistan today): English words in them are looked
# for by the notice's own test (tests/filings/test_generation_letters.py), not by script.
LATIN_SCRIPT = ("en", "uz")
SECTION = re.compile(r"<h2>(.*?)</h2>(.*?)(?=<h2>|</body>)", re.S)


@pytest.fixture
def demo_cases(db):
    from refuge.cases.actions import record_event
    from refuge.cases.models import Case
    from refuge.demo.load import build_demo

    built = build_demo(today=TODAY)
    story = Case.objects.get(reference="DEMO-01")  # rescheduled after its request: an update is due
    record_event(
        case=story,
        user=None,
        type="removal_scheduled",
        at="2026-03-11T11:00:00+03:00",
        attributes={"removal_at": "2026-03-14T05:00:00+03:00", "destination": "KP", "replaces": "e8"},
    )
    return list(Case.objects.filter(organisation=built.organisation).order_by("reference"))


def _text(markup: str) -> str:
    body = markup.split("<body>", 1)[-1]
    return html.unescape(re.sub(r"<[^>]+>", " ", body))


def _proper_names(case, authority) -> list[str]:
    """What may stay in Latin script in a Russian or Korean document: names, references, addresses."""
    names = [case.reference, CONTACT.name, CONTACT.email, case.organisation.name, authority.name]
    names += [str(n.get("value") or "") for n in case.person.names]
    for event in case.events.all():
        names += [str(event.attributes.get(k) or "") for k in ("place", "authority")]
    for proceeding in case.proceedings.all():
        names += [proceeding.reference_number, proceeding.case_number]
    return sorted((n for n in names if n), key=len, reverse=True)


def _problems(markup: str, *, lang: str, allowed: list[str]) -> list[str]:
    found = [f"leftover {bit!r}" for bit in LEFTOVERS if bit in _text(markup) or (bit in markup and "{" in bit)]
    for heading, body in SECTION.findall(markup):
        if not _text(body).strip():
            found.append(f"empty section {heading!r}")
    if re.search(r"<(ol|ul)>\s*</\1>|<li>\s*</li>|<p[^>]*>\s*</p>", markup):
        found.append("an empty list or paragraph")
    if lang not in LATIN_SCRIPT:
        text = _text(markup)
        for name in allowed:
            text = text.replace(name, " ")
        found += [f"English word {w!r}" for w in LATIN_WORD.findall(text)]
    return found


def test_every_kind_in_every_language_for_every_demo_case_renders_clean(demo_cases):
    from refuge.cases.models import Authority
    from refuge.filings.checklist import WARNINGS, checklist, resolve
    from refuge.filings.facts import CaseFacts
    from refuge.filings.render import render_html

    assert len(demo_cases) >= 30
    rendered: dict[tuple[str, str], int] = {}
    problems: list[str] = []
    for case in demo_cases:
        bailiffs = Authority.objects.get(organisation=case.organisation, kind="bailiffs")
        allowed = _proper_names(case, bailiffs)
        for kind in KINDS.values():
            for lang in kind.languages:
                options = FilingOptions(
                    contact=CONTACT,
                    authority=bailiffs,
                    power_of_attorney_follows=True,
                    despite_unavailable=True,
                    today=TODAY,
                    acknowledged=frozenset(WARNINGS),
                )
                facts = CaseFacts.of(case, today=TODAY)
                resolved = resolve(facts=facts, kind=kind.name, options=options, lang=lang)
                if checklist(facts=facts, kind=kind.name, lang=lang, resolved=resolved):
                    continue  # refused: nothing is generated for this case, so nothing to check
                markup = render_html(facts=facts, kind=kind.name, lang=lang, resolved=resolved)
                rendered[kind.name, lang] = rendered.get((kind.name, lang), 0) + 1
                problems += [
                    f"{case.reference} {kind.name} {lang}: {p}" for p in _problems(markup, lang=lang, allowed=allowed)
                ]
    assert not problems, "\n".join(problems)
    every = {(k.name, lang) for k in KINDS.values() for lang in k.languages}
    assert set(rendered) == every, f"never rendered: {sorted(every - set(rendered))}"
    assert rendered["client-notice", "ko"] == len(demo_cases)  # a notice needs only a contact with a phone


def test_the_check_catches_what_it_is_for():
    """The checker itself: each fault it looks for is found in a page that has it."""
    page = "<html><body><h2>A</h2><h2>B</h2><p>{{ x }}</p><p>공화국(으)로 gone</p><ol></ol></body></html>"
    found = _problems(page, lang="ko", allowed=[])
    assert "empty section 'A'" in found
    assert "leftover '{{'" in found
    assert "leftover '(으)로'" in found
    assert "English word 'gone'" in found
    assert "an empty list or paragraph" in found
    assert (
        _problems("<html><body><h2>A</h2><p>Ри Дон Хван DEMO-01</p></body></html>", lang="ru", allowed=["DEMO-01"])
        == []
    )

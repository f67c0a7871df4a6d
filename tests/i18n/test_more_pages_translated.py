"""The pages beyond the demo walk read in Russian and Korean too: forms, the filing wizard's checklist, errors.

The same heuristic as test_pages_translated (a visible word of the English catalogue is a leak), and
two more: no English month or weekday name ("5 Dec", "Sat") and, in Russian, no capitalised month
abbreviation in a date ("4 Дек 2026": Russian writes "4 дек 2026", as the deadlines do). Each page
here once showed English to a Russian or Korean reader: the event form's forums ("Echr"), the
proceeding, document and authority forms' labels and the document types, the upload limits, the
wizard's document languages and its checklist's fixes (the addressee's and the contact's names in
Cyrillic) and the update's "(none)", a conflict's "prosecutor", the search's "name", an alert's
"email", the audit log's "feedtoken", and Django's English 400, 403 and 500 pages.
"""

from __future__ import annotations

import re

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.test import RequestFactory
from django.urls import reverse
from django.utils import translation
from django.views import defaults

from refuge.accounts.models import User
from refuge.alerts.models import Delivery
from refuge.cases.models import Authority, Case, Proceeding
from refuge.demo.load import build_demo
from refuge.filings.checklist import FilingRefused, item
from refuge.filings.management.commands.filing import refusal_text
from tests.conftest import login
from tests.filings.notify_helpers import CONTACT
from tests.i18n.test_pages_translated import LAWYER, NOW, TODAY, _data_texts, english_left, visible_text

pytestmark = pytest.mark.django_db

ENGLISH_CALENDAR = re.compile(r"\b(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec|Mon|Tue|Wed|Thu|Fri|Sat|Sun)\b")
RUSSIAN_CAPITAL_MONTH = re.compile(r"\d (?:Янв|Фев|Мар|Апр|Май|Июн|Июл|Авг|Сен|Окт|Ноя|Дек)\b")
SCRIPTS = {"ru": r"[а-яё]", "ko": r"[가-힣]"}


def _leaks(html: str, data: list[str], lang: str) -> list[str]:
    left = english_left(html, data)
    text = visible_text(html)
    for piece in data:
        text = text.replace(piece, " ")
    left += ENGLISH_CALENDAR.findall(text)
    if lang == "ru":
        left += RUSSIAN_CAPITAL_MONTH.findall(text)
    return sorted(set(left))


def _lawyer_pages(client, lang: str) -> dict[str, tuple[int, str]]:
    lawyer = User.objects.get(username=LAWYER)
    lawyer.language = lang
    lawyer.save(update_fields=["language"])
    story = Case.objects.get(reference="DEMO-01")
    code = story.code
    proceeding = Proceeding.objects.filter(case=story).first()
    authority = Authority.objects.filter(organisation=story.organisation).first()
    delivery = Delivery.objects.filter(user=lawyer).select_related("alert").first()
    assert proceeding is not None and authority is not None and delivery is not None
    notify = {"kind": "notify-authority", "lang": "ru", "fmt": "pdf", "authority": str(authority.code), **CONTACT}
    update = {"kind": "removal-update", "lang": "en", "fmt": "pdf", **CONTACT}
    login(client, lawyer)
    responses = {
        "event form (a forum)": client.get(reverse("event_add", args=[code]) + "?type=interim_measure_granted"),
        "event form (a decision to pick)": client.get(reverse("event_add", args=[code]) + "?type=appeal_lodged"),
        "proceeding form": client.get(reverse("proceeding_edit", args=[code, proceeding.code])),
        "document upload": client.get(reverse("document_upload", args=[code])),
        "authority form": client.get(reverse("authority_edit", args=[authority.code])),
        "record a sending": client.get(reverse("sending_add", args=[code])),
        "filing step 1": client.get(reverse("filing_new", args=[code])),
        "filing review (letter in Russian)": client.post(reverse("filing_new", args=[code]), notify),
        "filing review (update, no forum)": client.post(reverse("filing_new", args=[code]), update),
        "a case with a conflict to notify": client.get(Case.objects.get(reference="DEMO-08").get_absolute_url()),
        "search": client.get(reverse("search") + "?q=Rezan"),
        "alert": client.get(reverse("alert_detail", args=[delivery.alert.code])),
    }
    assert client.post(reverse("feed_create")).status_code == 200  # a calendar feed: the audit log names its target
    client.logout()
    admin = User.objects.get(username="demo-admin")
    admin.language = lang
    admin.save(update_fields=["language"])
    login(client, admin)
    responses["audit log"] = client.get(reverse("audit_log"))
    client.logout()
    responses["log in"] = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE=lang)
    return {name: (r.status_code, r.content.decode()) for name, r in responses.items()}


def _error_pages(lang: str) -> dict[str, tuple[int, str]]:
    request = RequestFactory().get("/somewhere/")
    with translation.override(lang):
        responses = {
            "400": defaults.bad_request(request, Exception()),
            "403": defaults.permission_denied(request, PermissionDenied()),
            "500": defaults.server_error(request),
        }
    return {name: (r.status_code, r.content.decode()) for name, r in responses.items()}


@pytest.mark.parametrize("lang", ["ru", "ko"])
def test_forms_wizard_and_error_pages_show_no_english(client, lang: str) -> None:
    with time_machine.travel(NOW, tick=False):
        build_demo(today=TODAY, now=NOW)
        pages = {**_lawyer_pages(client, lang), **_error_pages(lang)}
    data = _data_texts()
    audit = visible_text(pages["audit log"][1])
    assert "feedtoken" not in audit and {"ru": "календарная подписка", "ko": "달력 구독 주소"}[lang] in audit
    found = {}
    for name, (status, html) in pages.items():
        assert status in (200, 400, 403, 500), f"{lang} {name}: {status}"
        assert f'<html lang="{lang}">' in html, name
        assert re.search(SCRIPTS[lang], visible_text(html), flags=re.I), f"{name} has no {lang} text"
        left = _leaks(html, data, lang)
        if left:
            found[name] = left
    assert found == {}, "\n".join(f"{name}: {' '.join(words)}" for name, words in found.items())


def test_the_heuristic_finds_english_and_badly_written_dates() -> None:
    assert _leaks("<p>Сб 5 Dec 2026</p>", [], "ru") == ["Dec"]
    assert _leaks("<p>4 Дек 2026 10:00</p>", [], "ru") == ["4 Дек"]
    assert _leaks("<p>4 дек 2026 10:00 MSK</p>", [], "ru") == []
    assert _leaks("<p>2026년 12월 4일 (Fri)</p>", [], "ko") == ["Fri"]


@pytest.mark.parametrize(("lang", "words"), [("ru", "как исправить:"), ("ko", "고치는 법:")])
def test_the_filing_command_says_what_is_missing_and_how_to_fix_it_in_the_language(lang: str, words: str) -> None:
    with translation.override(lang):
        text = refusal_text(FilingRefused([item("authority_cyrillic", "Novograd Regional Court (fictional)")]))
    english_fix = "Directory → the authority: fill in 'Name in Cyrillic'"
    assert english_fix not in text and words in text and "authority_cyrillic" in text, text
    with translation.override("en"):
        assert english_fix in refusal_text(FilingRefused([item("authority_cyrillic")]))


def test_every_authority_to_notify_has_its_words() -> None:
    """A conflict's "Notify:" list names each authority by NOTIFY_LABELS (a pack's "prosecutor" showed as the code)."""
    from refuge.cases.law import NOTIFY_LABELS
    from refuge.filings.conflicts import ROLE_OF_KIND
    from refuge.rules.packs import load_packs

    packs = load_packs()
    roles = {role for pack in packs.packs for rule in (*pack.rules, *pack.conflicts) for role in rule.notify}
    roles |= set(ROLE_OF_KIND.values())
    assert "prosecutor" in roles
    assert sorted(roles - set(NOTIFY_LABELS)) == []

"""A user who chose Russian or Korean reads no English on the demo walk's pages.

Heuristic: a visible word of three or more ASCII letters that is a word of the English catalogue
(any msgid) means a string escaped translation. Not counted: proper names, case references, codes and
the data a page shows (the client's and authorities' names, notes, document titles, country names).
Alerts are worded in the reader's language (refuge.alerts.texts): their texts are checked too. The
pages: the lawyer's demo walk and account page with a passkey, the admin's statistics and audit
log, the analyst's statistics. The rule packs' labels, explanations and legal bases are checked as
well: they show from refuge/locale/<lang>/labels.yaml and bases.yaml.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pytest
import time_machine
from django.urls import reverse

from refuge.accounts.models import Organisation, Passkey, User
from refuge.cases.models import Authority, Case, Event, Person, Proceeding
from refuge.demo.load import build_demo
from refuge.lib import countries
from tests.conftest import login
from tests.filings.notify_helpers import CONTACT
from tests.i18n.conftest import catalogue

pytestmark = pytest.mark.django_db

TODAY = date(2026, 12, 5)
NOW = datetime(2026, 12, 5, 12, 0, tzinfo=UTC)
LAWYER = "demo-lawyer"  # refuge/demo/data/manifest.json
WORD = re.compile(r"(?<![\w@./:-])[A-Za-z]{3,}(?![\w@/-])")
# Words that are names or codes in every language (the product, formats, treaty acronyms, zone names).
# "holidays" is the calendar library, named with its version on the case page ("holidays 0.109").
NAMES = frozenset(
    {"Refuge", "API", "CSV", "JSON", "PDF", "DOCX", "UTC", "IANA", "ISO", "UUID", "SHA", "HMAC", "OpenAPI", "holidays"}
)


def english_words() -> frozenset[str]:
    words: set[str] = set()
    for entry in catalogue("ru"):
        words.update(w.lower() for w in re.findall(r"[A-Za-z]{3,}", entry.msgid))
    return frozenset(words)


ENGLISH = english_words()


def visible_text(html: str) -> str:
    """What a reader sees or hears: text nodes, plus aria-label, placeholder and alt.

    Titles are left out: they hold the packs' explanations and the raw codes behind a label.
    """
    html = re.sub(r"<!--.*?-->", " ", html, flags=re.S)
    # Textareas hold the document's own text (the filing's grounds, in the filing's language).
    html = re.sub(r"<(script|style|textarea)\b.*?</\1>", " ", html, flags=re.S | re.I)
    # Cells of class "code" hold stored codes: the audit log's field names and details (key=value).
    html = re.sub(r'<td class="code"[^>]*>.*?</td>', " ", html, flags=re.S)
    attributes = re.findall(r'\b(?:aria-label|placeholder|alt)="([^"]*)"', html)
    html = re.sub(r"<[^>]+>", " ", html)
    return re.sub(r"\s+", " ", " ".join([html, *attributes]))


def _data_texts() -> list[str]:
    """The texts a page shows that are data, not interface, taken out of the page before the check, whole.

    The demo's organisation, authorities and what the lawyer typed; country names (proper names).
    """
    texts = [organisation.name for organisation in Organisation.objects.all()]
    # Country names are proper names: pycountry's catalogues give most in Russian and Korean, not all.
    texts += [name for country in countries.countries().values() for name in country.names.values()]
    for event in Event.objects.all():  # what the lawyer typed: sources, notes, places, authorities
        texts += [event.source, event.note]
        texts += [str(v) for v in event.all_attributes().values() if isinstance(v, str) and " " in v]
    texts += [authority.name for authority in Authority.objects.all()]
    for proceeding in Proceeding.objects.all():  # the courts' and committees' own file numbers ("CCPR demo 0001")
        texts += [proceeding.reference_number, proceeding.case_number, proceeding.note]
    texts += [n["value"] for person in Person.objects.all() for n in person.names if n.get("value")]  # names
    texts += [passkey.name for passkey in Passkey.objects.all()]  # the name the lawyer gave her key
    # The method cites publications by their English titles (and their publishers' names).
    texts += ["Disclosure control guidance for tables produced from administrative sources"]
    texts += ["Handbook on Statistical Disclosure Control", "ONS", "Eurostat/ESSnet"]
    texts += ["refuge audit verify", "refuge lockdown --lift"]  # commands, typed as they are
    return sorted({t for t in texts if t}, key=len, reverse=True)


def english_left(html: str, data: list[str]) -> list[str]:
    text = visible_text(html).replace("&#x27;", "'").replace("&quot;", '"').replace("&amp;", "&")
    for piece in data:
        text = text.replace(piece, " ")
    return sorted({w for w in WORD.findall(text) if w.lower() in ENGLISH and w not in NAMES})


def test_the_heuristic_finds_english_and_ignores_data() -> None:
    assert english_left("<p>Дело <b>Deadlines</b></p>", []) == ["Deadlines"]
    assert english_left('<a aria-label="Main">Главная</a>', []) == ["Main"]
    assert english_left("<p>Refuge · DEMO-01 · Сроки</p>", []) == []
    assert english_left("<p>Appeal against the removal decision</p>", ["Appeal against the removal decision"]) == []


def _walk(client, user: User, lang: str) -> dict[str, str]:
    user.language = lang
    user.save(update_fields=["language"])
    story = Case.objects.get(reference="DEMO-01")
    with time_machine.travel(NOW, tick=False):
        login(client, user)
        pages = {
            "dashboard": client.get(reverse("dashboard")),
            "case list": client.get(reverse("case_list")),
            "case page": client.get(reverse("case_detail", args=[story.code])),
            "add event": client.get(reverse("event_add", args=[story.code])),
            "the story's case page": client.get(Case.objects.get(reference="DEMO-31").get_absolute_url()),
            "new case": client.get(reverse("case_new")),
            "filing review": client.post(
                reverse("filing_new", args=[story.code]),
                {"kind": "rule39", "lang": "en", "fmt": "pdf", "forum": "echr", **CONTACT},
            ),
            "alerts": client.get(reverse("alert_list")),
            "account": client.get(reverse("account")),
        }
    for name, response in pages.items():
        assert response.status_code == 200, f"{lang} {name}: {response.status_code}"
    return {name: response.content.decode() for name, response in pages.items()}


def _other_walk(client, lang: str) -> dict[str, str]:
    """The admin's statistics, audit log and users, the analyst's statistics, a lawyer's passkey pages."""
    pages = {}
    lawyer = User.objects.get(username=LAWYER)
    passkey = Passkey.objects.create(
        user=lawyer, name="blue key", credential_id=b"walk-credential", public_key=b"cose", user_handle=b"handle"
    )
    walks = [
        (
            "demo-admin",
            {
                "statistics (admin)": reverse("stats_page"),
                "audit log": reverse("audit_log"),
                "users": reverse("user_list"),
                "a user with a passkey": reverse("user_detail", args=[lawyer.code]),
            },
        ),
        ("demo-analyst", {"statistics (analyst)": reverse("stats_page")}),
        (
            LAWYER,
            {
                "account with a passkey": reverse("account"),
                "add a passkey": reverse("passkey_add"),  # (the API documentation shows OpenAPI's English)
            },
        ),
    ]
    for username, urls in walks:
        user = User.objects.get(username=username)
        user.language = lang
        user.save(update_fields=["language"])
        client.logout()
        with time_machine.travel(NOW, tick=False):
            login(client, user)
            if username == LAWYER:  # logged in with the passkey, as twofactor.finish does (django-otp's key)
                session = client.session
                session["otp_device_id"] = passkey.persistent_id
                session.save()
            for name, url in urls.items():
                response = client.get(url)
                assert response.status_code == 200, f"{lang} {name}: {response.status_code}"
                pages[name] = response.content.decode()
    assert "blue key" in pages["account with a passkey"]
    return pages


@pytest.mark.parametrize(("lang", "script"), [("ru", r"[а-яё]"), ("ko", r"[가-힣]")])
def test_the_demo_walk_shows_no_english(client, lang: str, script: str) -> None:
    with time_machine.travel(NOW, tick=False):
        build_demo(today=TODAY, now=NOW)
    user = User.objects.get(username=LAWYER)
    pages = {**_walk(client, user, lang), **_other_walk(client, lang)}
    data = _data_texts()
    found = {}
    for name, html in pages.items():
        assert f'<html lang="{lang}">' in html, name
        assert re.search(script, visible_text(html), flags=re.I), f"{name} has no {lang} text"
        left = english_left(html, data)
        if left:
            found[name] = left
    assert found == {}, "\n".join(f"{name}: {' '.join(words)}" for name, words in found.items())


def test_english_stays_the_default(client) -> None:
    with time_machine.travel(NOW, tick=False):
        build_demo(today=TODAY, now=NOW)
    user = User.objects.get(username=LAWYER)
    html = _walk(client, user, "")["dashboard"]
    assert '<html lang="en">' in html
    assert "Latest events" in html

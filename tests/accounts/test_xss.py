"""XSS payloads in every user-editable text field; every page that shows them, parsed as a browser
would (html5lib), must hold no executable injection.

The payloads are generated: vectors × contexts (what a payload breaks out of first) × encodings.
Bounded fields (a case reference is 40 characters) receive payloads packed into as many objects
as it takes. Each page is rendered twice — with benign text of the same shape, then with the
payloads — and the two element structures (tags and attribute names) must be identical; beyond
that, no page may hold a script that is not ours, an on* attribute or a javascript: URL.
"""

from __future__ import annotations

import html
import itertools
import re
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote

import html5lib
import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from tests.accounts.conftest import enrol_device, verified_client

VECTORS = [
    "<script>alert(1)</script>",
    "<script src=//evil.example/x.js></script>",
    "<img src=x onerror=alert(1)>",
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    "<iframe src=javascript:alert(1)></iframe>",
    '<a href="javascript:alert(1)">x</a>',
    "<body onload=alert(1)>",
    "<details open ontoggle=alert(1)>",
    "<input autofocus onfocus=alert(1)>",
    "<object data=javascript:alert(1)>",
    '<form action="javascript:alert(1)"><button>x</button></form>',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    "<base href=javascript:alert(1)//>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    '<div hx-get="/accounts/logout/" hx-trigger="load">',
    '<div data-hx-post="/vault/seal/" data-hx-trigger="load">',
    '" onmouseover="alert(1)',
    "' autofocus onfocus='alert(1)",
    '" data-hx-get="/accounts/sessions/end/" data-hx-trigger="load" x="',
    "javascript:alert(document.domain)",
    "${alert(document.cookie)}",
    "`;alert(1);`",
    "{{ request.META }}{% debug %}",
]
CONTEXTS = ["", '">', "'>", "</textarea>", "</title>", "--!>", "</script>", "]]>", "`"]
ENCODINGS: dict[str, Callable[[str], str]] = {
    "raw": lambda s: s,
    "mixed case": lambda s: "".join(c.upper() if i % 2 else c for i, c in enumerate(s)),
    "html entities": lambda s: html.escape(s, quote=True),
    "numeric entities": lambda s: "".join(f"&#{ord(c)};" if c in "<>\"':" else c for c in s),
    "url-encoded": lambda s: quote(s, safe=""),
    "whitespace": lambda s: s.replace(" ", "\t").replace("=", " = "),
}


def payloads() -> list[str]:
    """Every vector after every context (raw), and every vector in every encoding (no context)."""
    made = {context + vector for vector, context in itertools.product(VECTORS, CONTEXTS)}
    made |= {encode(vector) for vector, encode in itertools.product(VECTORS, ENCODINGS.values())}
    return sorted(made)


PAYLOADS = payloads()


def test_there_are_enough_payloads():
    assert len(PAYLOADS) >= 300
    assert all("\x00" not in p and "\r" not in p for p in PAYLOADS)


def pack(items: list[str], limit: int) -> list[str]:
    """Items joined by spaces into distinct chunks of at most `limit` characters (a longer item is cut)."""
    chunks, current = [], ""
    for whole in items:
        item = whole[:limit]
        if current and len(current) + 1 + len(item) > limit:
            chunks.append(current)
            current = item
        else:
            current = f"{current} {item}" if current else item
    chunks = [*chunks, current] if current else chunks
    seen: set[str] = set()
    for i, chunk in enumerate(chunks):  # cut items can repeat; names must not (a reference is unique)
        if chunk in seen:
            chunks[i] = chunk[: limit - 6] + f" #{i:04d}"
        seen.add(chunks[i])
    return chunks


def benign_like(chunks: list[str], field: str) -> list[str]:
    return [f"benign {field} {i}" for i in range(len(chunks))]


# --- laying the data down ----------------------------------------------------------------------


class World:
    """One organisation's data, with every user-editable text field set from `text(field)`."""

    def __init__(self, org: Any, adam: Any) -> None:
        self.org, self.adam = org, adam
        self.case: Any = None
        self.cases: list[Any] = []
        self.events: list[Any] = []
        self.proceedings: list[Any] = []
        self.authorities: list[Any] = []
        self.documents: list[Any] = []

    def lay(self, chunks: dict[str, list[str]], all_text: str, names: list[str]) -> None:
        from refuge.cases.actions import create_case, store_document
        from refuge.cases.models import Authority, Case, Event, Proceeding

        self.case = create_case(
            organisation=self.org,
            user=self.adam,
            reference="XSS-MAIN",
            host_state="RU",
            timezone="Europe/Moscow",
            person={
                "nationality": "KP",
                "stateless": False,
                "languages": ["ko"],
                "names": [{"value": "x", "script": "Latn"}],
            },
            events=[
                {"id": "e1", "type": "detention_started", "at": "2026-03-02T09:00:00+03:00", "basis": "administrative"}
            ],
        )
        self.cases = [
            Case.objects.create(organisation=self.org, reference=ref, host_state="RU") for ref in chunks["reference"]
        ]
        start = datetime(2026, 3, 1, 9, tzinfo=UTC)
        for i, (source, authority) in enumerate(zip(chunks["source"], chunks["event_authority"], strict=True)):
            self.events.append(
                Event.objects.create(
                    case=self.case,
                    key=f"x{i}",
                    type="decision_issued",
                    at=start + timedelta(minutes=i),
                    attributes={"decision": "expulsion", "detention": "none", "authority": authority},
                    source=source,
                    author=self.adam,
                )
            )
        for ref in chunks["proceeding_reference"]:
            self.proceedings.append(
                Proceeding.objects.create(case=self.case, forum="domestic_court", reference_number=ref)
            )
        for name in chunks["authority_name"]:
            self.authorities.append(Authority.objects.create(organisation=self.org, name=name, kind="court"))
        for title in chunks["document_title"]:
            self.documents.append(
                store_document(
                    case=self.case,
                    user=self.adam,
                    content=b"%PDF-1.4 x",
                    filename="d.pdf",
                    doc_type="decision",
                    title=title,
                    date=None,
                    language="",
                    events=[],
                )
            )
        self.fill(chunks, all_text, names)

    def fill(self, chunks: dict[str, list[str]], all_text: str, names: list[str]) -> None:
        """Set every field (same objects, same counts) from these values; saved through the models."""
        person = self.case.person
        person.names = [{"value": n, "script": "Latn"} for n in names]
        person.contact_notes = all_text
        person.location_notes = all_text
        person.save()
        for case, ref in zip(self.cases, chunks["reference"], strict=True):
            case.reference = ref
            case.save(update_fields=["reference"])
        for event, source, authority in zip(self.events, chunks["source"], chunks["event_authority"], strict=True):
            event.source = source
            event.set_attributes({**event.all_attributes(), "authority": authority})
            event.note = source  # the note of each event: its share of the payloads
            event.save()
        for proceeding, ref in zip(self.proceedings, chunks["proceeding_reference"], strict=True):
            proceeding.reference_number = ref
            proceeding.note = ref
            proceeding.save()
        for authority, name, channel_text in zip(
            self.authorities, chunks["authority_name"], chunks["channel"], strict=True
        ):
            authority.name = name
            authority.notes = name
            authority.channels = [{"kind": "email", "value": v} for v in channel_text.split("\n")]
            authority.save()
        for document, title in zip(self.documents, chunks["document_title"], strict=True):
            document.title = title
            document.save(update_fields=["title"])

    def urls(self) -> Iterator[str]:
        yield reverse("dashboard")
        size = settings.REFUGE_PAGE_SIZE
        for page in range(1, (len(self.cases) + 1) // size + 2):
            yield f"{reverse('case_list')}?page={page}"
        yield f"{reverse('case_list')}?sort=reference"
        code = self.case.code
        for name in ("case_detail", "person_edit", "case_team", "document_upload", "event_add", "proceeding_add"):
            yield reverse(name, args=[code])
        # Edit forms put a field into an attribute (value="…"): a few of each kind, since they share
        # their template; the person's form holds every payload (names) in that context.
        for event in self.events[:EDIT_SAMPLE]:
            yield reverse("event_edit", args=[code, event.code])
        yield reverse("event_delete", args=[code, self.events[0].code])
        for proceeding in self.proceedings[:EDIT_SAMPLE]:
            yield reverse("proceeding_edit", args=[code, proceeding.code])
        yield reverse("proceeding_delete", args=[code, self.proceedings[0].code])
        yield reverse("authority_list")
        for authority in self.authorities[:EDIT_SAMPLE]:
            yield reverse("authority_edit", args=[authority.code])
        for case in self.cases[:3]:
            yield reverse("case_detail", args=[case.code])


EDIT_SAMPLE = 6

# --- reading the pages -------------------------------------------------------------------------

URL_ATTRIBUTES = {"href", "src", "action", "formaction", "data", "poster", "xlink:href", "background"}
BAD_SCHEMES = re.compile(r"^(javascript|vbscript|data:text/html)", re.IGNORECASE)
CONTROL = re.compile(r"[\x00-\x20]+")


def parse(text: str) -> Any:
    return html5lib.parse(text, treebuilder="etree", namespaceHTMLElements=False)


def structure(root: Any) -> Counter[tuple[str, tuple[str, ...]]]:
    return Counter((str(el.tag), tuple(sorted(el.attrib))) for el in root.iter() if isinstance(el.tag, str))


def injections(root: Any, url: str) -> list[str]:
    found = []
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        tag = el.tag.split("}")[-1].lower()
        if tag == "script":
            src = el.attrib.get("src", "")
            if not (src.startswith("/static/") and el.attrib.get("nonce") and not (el.text or "").strip()):
                found.append(f"{url}: a script not ours: {el.attrib} {el.text!r}"[:300])
        for name, value in el.attrib.items():
            local = name.split("}")[-1].lower()
            if local.startswith("on"):
                found.append(f"{url}: <{tag} {local}=…>")
            is_url = local in URL_ATTRIBUTES or local.startswith(("hx-", "data-hx-"))
            if is_url and BAD_SCHEMES.match(CONTROL.sub("", html.unescape(value))):
                found.append(f"{url}: <{tag} {local}={value[:60]!r}>")
    return found


def visible_text(root: Any) -> str:
    parts = []
    for el in root.iter():
        parts.append(el.text or "")
        parts.append(el.tail or "")
        parts.extend(str(v) for v in el.attrib.values())
    return "\n".join(parts)


def render(client: Client, world: World) -> dict[str, Any]:
    pages = {}
    for url in world.urls():
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        assert response["Content-Type"].startswith("text/html")
        pages[url] = parse(response.content.decode())
    return pages


# --- the test ----------------------------------------------------------------------------------

LIMITS = {
    "reference": 40,
    "source": 200,
    "event_authority": 200,
    "proceeding_reference": 100,
    "authority_name": 300,
    "document_title": 200,
}


def payload_chunks() -> dict[str, list[str]]:
    chunks = {field: pack(PAYLOADS, limit) for field, limit in LIMITS.items()}
    # Channels: several payloads per authority, one per channel row.
    per = -(-len(PAYLOADS) // len(chunks["authority_name"]))
    chunks["channel"] = ["\n".join(PAYLOADS[i : i + per]) for i in range(0, len(PAYLOADS), per)]
    chunks["channel"] += ["benign channel"] * (len(chunks["authority_name"]) - len(chunks["channel"]))
    return chunks


@pytest.mark.django_db
def test_no_payload_executes_on_any_page(org, adam):
    device, _ = enrol_device(adam)
    client = verified_client(adam, device)
    chunks = payload_chunks()
    benign = {field: benign_like(values, field) for field, values in chunks.items()}
    benign["channel"] = [f"benign-{i}@example.org" for i in range(len(chunks["channel"]))]
    benign_names = [f"Benign Name {i}" for i in range(len(PAYLOADS))]
    # channel rows: the benign run has as many as the payload run
    benign["channel"] = ["\n".join(f"b{j}@example.org" for j in range(len(c.split("\n")))) for c in chunks["channel"]]

    world = World(org, adam)
    world.lay(benign, "\n".join(f"benign note {i}" for i in range(len(PAYLOADS))), benign_names)
    before = {url: structure(root) for url, root in render(client, world).items()}

    world.fill(chunks, "\n".join(PAYLOADS), PAYLOADS)
    pages = render(client, world)
    problems = []
    for url, root in pages.items():
        problems += injections(root, url)
        if structure(root) != before[url]:
            diff = (structure(root) - before[url]) + (before[url] - structure(root))
            problems.append(f"{url}: the page's elements changed: {sorted(diff)[:5]}")
    assert not problems, f"{len(problems)} injections:\n" + "\n".join(problems[:40])

    # Every payload was shown somewhere, as text: the test saw what it meant to test.
    shown = "\n".join(visible_text(root) for root in pages.values())
    missing = [p for p in PAYLOADS if p not in shown]
    assert not missing, f"{len(missing)} payloads never shown, e.g. {missing[:3]}"
    assert len(pages) > 20


def test_the_checks_catch_an_injection():
    """The detector itself: an unescaped payload, an event handler and a foreign script are seen."""
    root = parse('<p><img src=x onerror=alert(1)></p><a href=" java\tscript:alert(1)">x</a><script>alert(1)</script>')
    found = injections(root, "/x")
    assert any("onerror" in f for f in found)
    assert any("href" in f for f in found)
    assert any("script not ours" in f for f in found)
    ours = parse('<script src="/static/refuge/vendor/htmx.min.js" nonce="abc" defer></script>')
    assert injections(ours, "/x") == []
    assert structure(parse("<p>a</p>")) != structure(parse("<p><b>a</b></p>"))

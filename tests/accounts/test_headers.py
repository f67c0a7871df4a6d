"""Security headers on every page, a nonce per response, and templates a strict CSP does not break."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from tests.accounts.conftest import enrol_device, password_step, verified_client

REFUGE = Path(__file__).resolve().parents[2] / "refuge"
DIRECTIVES = {
    "default-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "frame-ancestors": "'none'",
    "form-action": "'self'",
    "base-uri": "'none'",
    "object-src": "'none'",
}


def _policy(response) -> dict[str, str]:
    header = response["Content-Security-Policy"]
    return {part.split(" ", 1)[0]: part.split(" ", 1)[1] for part in (p.strip() for p in header.split(";")) if part}


def _nonce(response) -> str:
    match = re.fullmatch(r"'self' 'nonce-([A-Za-z0-9+/=]{16,})'", _policy(response)["script-src"])
    assert match, _policy(response)["script-src"]
    return match.group(1)


def _pages(alice, case) -> list[tuple[Client, str]]:
    device, _ = enrol_device(alice)
    anonymous, half, member = Client(), Client(), verified_client(alice, device)
    password_step(half, "alice")
    return [
        (anonymous, reverse("login")),
        (half, reverse("two_factor")),
        (member, reverse("dashboard")),
        (member, reverse("case_detail", args=[case.code])),
        (member, reverse("account")),
        (member, reverse("reauth")),
    ]


def test_every_page_has_the_policy_and_the_security_headers(alice, case):
    for client, url in _pages(alice, case):
        response = client.get(url)
        assert response.status_code == 200, url
        policy = _policy(response)
        for name, value in DIRECTIVES.items():
            assert policy.get(name) == value, (url, name, policy.get(name))
        assert "unsafe-inline" not in response["Content-Security-Policy"]
        assert "unsafe-eval" not in response["Content-Security-Policy"]
        nonce = _nonce(response)
        # Our one script carries the nonce of its response.
        assert f'nonce="{nonce}"' in response.content.decode(), url
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Cross-Origin-Opener-Policy"] == "same-origin"
        assert response["Referrer-Policy"] in ("same-origin", "no-referrer", "strict-origin")
        assert response["X-Frame-Options"] == "DENY"
        assert response["Cache-Control"] == "no-store", url


def test_the_nonce_differs_per_response(client):
    nonces = {_nonce(client.get(reverse("login"))) for _ in range(5)}
    assert len(nonces) == 5


def test_the_enrolment_page_is_never_cached(client, alice):
    password_step(client, "alice")
    response = client.get(reverse("two_factor_enrol"))
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    assert "unsafe-inline" not in response["Content-Security-Policy"]


def test_hsts_is_sent_when_configured(client, settings, db):
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    response = client.get(reverse("login"), secure=True)
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    settings.SECURE_HSTS_SECONDS = 0
    assert "Strict-Transport-Security" not in Client().get(reverse("login"), secure=True)


def test_the_sealed_page_has_the_policy_too(client, db):
    from refuge.vault import state

    state.seal(reason="test")
    response = client.get(reverse("dashboard"))
    assert response.status_code == 503
    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert response["Cache-Control"] == "no-store"


# --- templates that a strict policy would break ------------------------------------------------

INLINE = [
    (re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE), "an inline <script>"),
    (re.compile(r"<style\b", re.IGNORECASE), "a <style> element"),
    (re.compile(r"\sstyle\s*=", re.IGNORECASE), "a style attribute"),
    (re.compile(r"\son[a-z]+\s*=", re.IGNORECASE), "an on* event handler"),
    (re.compile(r"javascript:", re.IGNORECASE), "a javascript: URL"),
    (re.compile(r"\b(hx|data-hx)-on\b", re.IGNORECASE), "an htmx inline handler"),
]


def _templates() -> list[Path]:
    return sorted(p for p in REFUGE.rglob("templates/**/*.html"))


def test_no_template_has_inline_script_style_or_handlers():
    found = []
    templates = _templates()
    assert any(p.name == "base.html" for p in templates)
    for path in templates:
        text = path.read_text(encoding="utf-8")
        for pattern, what in INLINE:
            for match in pattern.finditer(text):
                line = text.count("\n", 0, match.start()) + 1
                found.append(f"{path.relative_to(REFUGE)}:{line}: {what}")
    assert not found, "\n".join(found)


@pytest.mark.parametrize(
    "snippet",
    [
        '<button onclick="go()">',
        '<div style="color:red">',
        "<script>alert(1)</script>",
        "<style>p{}</style>",
        '<a href="javascript:go()">',
    ],
)
def test_the_template_scan_catches_what_it_should(snippet):
    assert any(pattern.search(snippet) for pattern, _ in INLINE)
    assert not any(pattern.search('<script src="/static/x.js" defer></script>') for pattern, _ in INLINE)

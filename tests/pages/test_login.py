"""Logging in and out."""

from __future__ import annotations

from django.urls import reverse

from tests.conftest import PASSWORD


def test_it_logs_in_and_goes_to_the_dashboard(client, alice):
    page = client.get(reverse("login"))
    assert page.status_code == 200 and 'name="password"' in page.content.decode()
    r = client.post(reverse("login"), {"username": "alice", "password": PASSWORD})
    assert r.status_code == 302 and r["Location"] == reverse("dashboard")


def test_a_wrong_password_is_refused_and_the_username_kept(client, alice):
    r = client.post(reverse("login"), {"username": "alice", "password": "wrong"})
    assert r.status_code == 200
    html = r.content.decode()
    assert "Please enter a correct username and password" in html
    assert 'value="alice"' in html


def test_logout_is_a_post_form(as_alice):
    html = as_alice.get(reverse("dashboard")).content.decode()
    assert f'<form class="logout" method="post" action="{reverse("logout")}">' in html
    assert as_alice.get(reverse("logout")).status_code == 405
    r = as_alice.post(reverse("logout"))
    assert r.status_code == 302
    assert as_alice.get(reverse("dashboard")).status_code == 302


def test_htmx_requests_send_the_csrf_token_from_body(as_alice):
    html = as_alice.get(reverse("dashboard")).content.decode()
    assert '<body data-hx-headers=\'{"X-CSRFToken": "' in html
    assert "<script>" not in html and "<style" not in html  # no inline code: a CSP with nonces is coming

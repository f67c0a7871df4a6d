"""The alert settings page: channels per severity, the digest, a webhook and its signing key."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from refuge.alerts.channels.webhook import signing_key
from refuge.alerts.models import AlertSettings, default_channels
from refuge.alerts.queue import channels_for
from refuge.audit.events import EventType
from refuge.audit.models import AuditEvent

URL = "/alerts/settings/"


def _form(**changes: Any) -> dict[str, Any]:
    """What the page posts with the defaults ticked, changed as given."""
    data: dict[str, Any] = {f"channels_{severity}": kinds for severity, kinds in default_channels().items()}
    data["channels_critical"] = ["email", "webhook"]  # in-app is ticked but disabled: the browser does not send it
    data["digest"] = "on"
    data["webhook_url"] = ""
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


@pytest.fixture
def alice_client(alice) -> Client:
    alice.email = "alice@example.org"
    alice.save(update_fields=["email"])
    client = Client()
    client.force_login(alice)
    return client


def _entries() -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(type=EventType.ALERT_SETTINGS_CHANGED).order_by("id"))


def test_the_url_is_alert_settings() -> None:
    assert reverse("alert_settings") == URL


def test_the_page_shows_the_defaults_and_that_critical_always_reaches_the_bell(alice_client) -> None:
    page = alice_client.get(URL).content.decode()
    assert 'name="channels_critical" value="inapp"' in page
    critical_inapp = page.split('value="inapp"', 1)[1].split(">", 1)[0]
    assert "checked" in critical_inapp
    assert "disabled" in critical_inapp
    assert "Critical alerts always go to the bell" in page
    assert "Daily digest" in page
    assert "Replace the key" in page


def test_saving_changes_the_users_channels_and_is_audited_without_values(alice_client, alice, settings) -> None:
    settings.REFUGE_WEBHOOK_ALLOW_PRIVATE = True  # the receiver here is on this machine
    hook = "http://127.0.0.1:9/refuge-hook"
    data = _form(channels_medium=["inapp", "email"], channels_info=[], digest=None, webhook_url=hook)
    data["channels_critical"] = ["email", "webhook"]
    response = alice_client.post(URL, data)
    assert response.status_code == 302
    prefs = AlertSettings.objects.get(user=alice)
    assert prefs.channels == {
        "critical": ["inapp", "email", "webhook"],
        "high": ["inapp", "email"],
        "medium": ["inapp", "email"],
        "info": [],
    }
    assert prefs.digest is False
    assert prefs.webhook_url == hook
    # The queue reads what was saved.
    assert channels_for(alice, "medium") == {"inapp": "", "email": "alice@example.org"}
    assert channels_for(alice, "info") == {}
    (entry,) = _entries()
    assert entry.actor_id == alice.pk
    assert (entry.target_kind, entry.target_code) == ("user", str(alice.code))
    assert sorted(entry.fields) == ["channels", "digest", "webhook_url"]
    assert sorted(entry.data["severities"]) == ["info", "medium"]
    assert "127.0.0.1" not in repr(entry.data)


def test_critical_keeps_the_bell_even_when_unticked(alice_client, alice) -> None:
    response = alice_client.post(URL, _form(channels_critical=[], channels_high=["email"]))
    assert response.status_code == 302
    prefs = AlertSettings.objects.get(user=alice)
    assert prefs.channels["critical"] == ["inapp"]
    assert prefs.channels["high"] == ["email"]


def test_saving_nothing_new_writes_no_audit_entry(alice_client) -> None:
    assert alice_client.post(URL, _form()).status_code == 302
    assert _entries() == []


def test_an_ipv6_address_of_a_public_ipv4_one_is_not_refused(settings) -> None:
    from refuge.alerts.channels.webhook import is_private

    settings.REFUGE_WEBHOOK_ALLOW_PRIVATE = False
    assert not is_private("64:ff9b::808:808") and not is_private("2002:808:808::1")  # 8.8.8.8
    assert is_private("64:ff9b::c000:201")  # 192.0.2.1, a documentation address, is not global


@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("https://10.1.2.3/hook", "private address"),
        ("https://127.0.0.1/hook", "private address"),
        ("https://[::1]/hook", "private address"),
        ("https://[64:ff9b::7f00:1]/hook", "private address"),  # NAT64 of 127.0.0.1
        ("https://[64:ff9b::a01:203]/hook", "private address"),  # NAT64 of 10.1.2.3
        ("https://[2002:7f00:1::1]/hook", "private address"),  # 6to4 of 127.0.0.1
        ("https://[2002:c0a8:101::1]/hook", "private address"),  # 6to4 of 192.168.1.1
        ("https://[::ffff:127.0.0.1]/hook", "private address"),  # IPv4-mapped
        ("https://[::ffff:7f00:1]/hook", "private address"),  # IPv4-mapped, in hex
        ("https://[::127.0.0.1]/hook", "private address"),  # IPv4-compatible (deprecated)
        ("http://203.0.113.7/hook", "https://"),
        ("ftp://example.org/hook", "http:// or https://"),
    ],
)
def test_a_webhook_that_cannot_be_used_is_refused_and_the_input_kept(alice_client, alice, settings, url, why) -> None:
    settings.REFUGE_WEBHOOK_ALLOW_PRIVATE = False
    response = alice_client.post(URL, _form(webhook_url=url, channels_high=["inapp", "webhook"]))
    assert response.status_code == 422
    page = response.content.decode()
    assert why in page
    assert f'value="{url}"' in page  # what was typed stays
    assert "Please correct the marked fields." in page
    assert not AlertSettings.objects.filter(user=alice).exists()
    assert _entries() == []


def test_a_webhook_ticked_without_a_url_is_kept_for_when_one_is_given(alice_client, alice) -> None:
    response = alice_client.post(URL, _form(channels_high=["inapp", "webhook"]))
    assert response.status_code == 302
    assert AlertSettings.objects.get(user=alice).channels["high"] == ["inapp", "webhook"]
    assert "webhook" not in channels_for(alice, "high")  # no address: not a channel yet


def test_replacing_the_key_changes_the_signature_and_is_audited(alice_client, alice) -> None:
    old = signing_key(alice, 1)
    assert old in alice_client.get(URL).content.decode()
    response = alice_client.post(reverse("webhook_key_replace"))
    assert response.status_code == 302
    assert AlertSettings.objects.get(user=alice).webhook_key_version == 2
    page = alice_client.get(URL).content.decode()
    assert signing_key(alice, 2) in page
    assert old not in page
    (entry,) = _entries()
    assert entry.fields == ["webhook_key_version"]
    assert entry.data == {"version": 2}
    assert old not in repr(entry.data)


def test_each_user_has_their_own_settings(alice_client, alice, bob) -> None:
    alice_client.post(URL, _form(channels_info=[]))
    assert AlertSettings.objects.get(user=alice).channels["info"] == []
    assert not AlertSettings.objects.filter(user=bob).exists()
    client = Client()
    client.force_login(bob)
    page = client.get(URL).content.decode()
    assert signing_key(bob, 1) in page
    assert signing_key(alice, 1) not in page


def test_the_alert_list_links_to_settings_and_for_admins_to_the_rota(alice_client, adam) -> None:
    page = alice_client.get(reverse("alert_list")).content.decode()
    assert f'href="{URL}"' in page
    assert reverse("oncall_rota") not in page
    client = Client()
    client.force_login(adam)
    assert reverse("oncall_rota") in client.get(reverse("alert_list")).content.decode()


def test_a_refused_webhook_is_explained_in_the_users_language(alice_client, alice, settings) -> None:
    settings.REFUGE_WEBHOOK_ALLOW_PRIVATE = False
    alice.language = "ko"
    alice.save(update_fields=["language"])
    data = _form(webhook_url="https://127.0.0.1/hook", channels_high=["inapp", "webhook"])
    page = alice_client.post(URL, data).content.decode()
    assert "이 자동 통보(웹훅) 주소는 쓸 수 없습니다" in page and "private address" not in page

"""One generation, one record: the wizard, the API and `refuge filing` go through the same action.

Each door records exactly one FILING_GENERATED and one IDENTITY_REVEALED (the client's names are
decrypted into the document), with the same fields and the same data keys; only `via` and what
was kept differ.
"""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from refuge.audit.events import EventType
from refuge.audit.models import AuditEvent
from tests.filings.notify_helpers import CONTACT, choices, rule39_case

pytestmark = pytest.mark.django_db


def _entries(case: Any) -> list[AuditEvent]:
    kinds = (EventType.FILING_GENERATED, EventType.IDENTITY_REVEALED)
    return list(AuditEvent.objects.filter(target_code=str(case.code), type__in=kinds).order_by("chain", "seq"))


def _by_wizard(case: Any, alice: Any) -> None:
    client = Client()
    client.force_login(alice)
    assert client.post(reverse("filing_generate", args=[case.code]), choices()).status_code == 302


def _by_api(case: Any, alice: Any) -> None:
    from refuge.api.tokens import create_token

    _, secret = create_token(user=alice, name="test", scopes=["read", "write", "identity"], days=30)
    made = Client().post(
        f"/api/v1/cases/{case.code}/filings",
        json.dumps({"kind": "rule39", **CONTACT}),
        content_type="application/json",
        headers={"Authorization": f"Bearer {secret}"},
    )
    assert made.status_code == 201, made.content


def _by_command(case: Any, alice: Any, tmp_path: Any) -> None:
    contact = ["--contact", CONTACT["contact_name"], "--contact-phone", CONTACT["contact_phone"]]
    out = tmp_path / "request.pdf"
    call_command("filing", "rule39", "--case", case.reference, *contact, "-o", str(out), stderr=io.StringIO())
    assert out.read_bytes().startswith(b"%PDF")


def test_each_door_records_one_generation_and_one_reveal_of_the_same_shape(org, alice, tmp_path):
    case = rule39_case(org, alice)
    shapes = {}
    for via, generate in (
        ("wizard", lambda: _by_wizard(case, alice)),
        ("api", lambda: _by_api(case, alice)),
        ("filing_command", lambda: _by_command(case, alice, tmp_path)),
    ):
        before = {e.pk for e in _entries(case)}
        generate()
        new = [e for e in _entries(case) if e.pk not in before]
        assert [e.type for e in new] == [EventType.FILING_GENERATED, EventType.IDENTITY_REVEALED], via
        generated, revealed = new
        assert generated.data["via"] == revealed.data["via"] == via
        assert generated.data["kind"] == revealed.data["kind"] == "rule39"
        assert revealed.fields == ["names", "birth_date"]
        assert revealed.data["filing"] == generated.data["filing"]
        shapes[via] = (sorted(generated.data), generated.fields, sorted(revealed.data), revealed.fields)
    assert shapes["wizard"] == shapes["api"] == shapes["filing_command"]
    logged = json.dumps(list(AuditEvent.objects.values("data", "fields")))
    assert "Testoglu" not in logged


def test_the_kept_versions_are_named_and_the_command_s_bytes_hashed(org, alice, tmp_path):
    case = rule39_case(org, alice)
    _by_wizard(case, alice)
    _by_command(case, alice, tmp_path)
    web, command = (e for e in _entries(case) if e.type == EventType.FILING_GENERATED)
    kept = case.filings.get()
    assert (web.data["filing"], web.data["version"], web.data["sha256"]) == (str(kept.code), 1, None)
    assert command.data["filing"] is None and len(command.data["sha256"]) == 64
    assert command.actor_id is None and web.actor_id == alice.pk

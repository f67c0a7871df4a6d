"""An analyst sees a client's identity only after re-authenticating, with a reason, for 15 minutes, on record."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from refuge.audit.events import EventType
from refuge.audit.models import AuditEvent
from tests.cases.helpers import client_for

pytestmark = pytest.mark.django_db


def test_an_analyst_sees_no_identity_until_a_recorded_grant(ana, case) -> None:
    client = client_for(ana)
    page = client.get(case.get_absolute_url()).content.decode()
    assert "Testov" not in page
    assert "Identity hidden" in page

    response = client.post(reverse("case_reveal", args=[case.code]), {"reason": "duplicate_check"})
    assert response.status_code == 302
    assert "Testov" in client.get(case.get_absolute_url()).content.decode()
    grant = AuditEvent.objects.filter(type=EventType.IDENTITY_REVEALED, actor=ana).order_by("id").first()
    assert grant is not None
    assert grant.data["reason"] == "duplicate_check"
    assert "Testov" not in str(grant.data)


def test_the_grant_ends_after_fifteen_minutes(ana, case) -> None:
    client = client_for(ana)
    client.post(reverse("case_reveal", args=[case.code]), {"reason": "data_quality"})
    with time_machine.travel(timezone.now() + timedelta(minutes=16), tick=False):
        page = client_for(ana).get(case.get_absolute_url()).content.decode()
    assert "Testov" not in page


def test_a_reveal_needs_a_listed_reason_and_a_recent_password(ana, case) -> None:
    refused = client_for(ana).post(reverse("case_reveal", args=[case.code]), {"reason": "curiosity"})
    assert refused.status_code == 422
    stale = client_for(ana, recent=False).post(reverse("case_reveal", args=[case.code]), {"reason": "data_quality"})
    assert stale.status_code in (302, 303)
    assert reverse("reauth") in stale["Location"]
    assert "Testov" not in client_for(ana).get(case.get_absolute_url()).content.decode()


def test_a_grant_covers_only_its_own_case(ana, case, org, alice) -> None:
    from refuge.cases.actions import create_case  # only here

    other = create_case(
        organisation=org,
        user=alice,
        reference="TST-2026-002",
        host_state="RU",
        timezone=None,
        person={
            "nationality": "UZ",
            "stateless": False,
            "languages": ["uz"],
            "names": [{"value": "Fiktivov Second", "script": "Latn"}],
        },
        events=[],
    )
    client = client_for(ana)
    client.post(reverse("case_reveal", args=[case.code]), {"reason": "data_quality"})
    assert "Fiktivov" not in client.get(other.get_absolute_url()).content.decode()

"""Fixtures of the page tests: logged-in clients and a few more records."""

from __future__ import annotations

import pytest
from django.test import Client


def client_for(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


@pytest.fixture
def as_alice(alice) -> Client:
    return client_for(alice)


@pytest.fixture
def as_bob(bob) -> Client:
    return client_for(bob)


@pytest.fixture
def as_carol(carol) -> Client:
    return client_for(carol)


@pytest.fixture
def as_ana(ana) -> Client:
    return client_for(ana)


@pytest.fixture
def as_adam(adam) -> Client:
    return client_for(adam)


@pytest.fixture
def authority(org):
    from refuge.cases.models import Authority

    return Authority.objects.create(
        organisation=org,
        name="Kolpino District Court (fictional)",
        kind="court",
        country="RU",
        channels=[{"kind": "fax", "value": "+7 812 000 00 00"}],
        languages=["ru"],
    )


@pytest.fixture
def proceeding(case, authority):
    from refuge.cases.models import Proceeding

    return Proceeding.objects.create(
        case=case, forum="domestic_court", reference_number="5-123/2026", authority=authority
    )


@pytest.fixture
def document(case, alice):
    from refuge.cases.actions import store_document

    return store_document(
        case=case,
        user=alice,
        content=b"%PDF-1.4 fictional decision\n",
        filename="decision.pdf",
        doc_type="decision",
        title="Expulsion decision",
        date=None,
        language="ru",
        events=[case.events.get(key="e2")],
    )


def event(case, key: str):
    return case.events.get(key=key)


HTMX = {"HTTP_HX_REQUEST": "true"}


"""After an unseal the name index is built in a background thread; a search that comes while its
organisation's index is being built waits a little, then says the names were not searched."""

from __future__ import annotations

import threading

import pytest

from refuge.search import index
from refuge.vault import state
from tests.search.conftest import client_for, found, make_case

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_unseal_builds_every_organisations_index_in_the_background(settings, org, other_org, alice, carol):
    make_case(org, alice, "BG-001", "Testov Fiktiv")
    make_case(other_org, carol, "BG-002", "Kim Minjun")
    settings.REFUGE_SEARCH_BUILD_AT_UNSEAL = True
    state.seal(reason="test")
    assert index.held_organisations() == []
    state.unseal_with_dev_key()
    builder = index.background_build()
    assert builder is not None
    builder.join(timeout=60)
    assert not builder.is_alive()
    assert index.held_organisations() == sorted([org.pk, other_org.pk])  # before anyone searched
    assert found(client_for(alice), "Testov") == ["BG-001"]


def test_without_the_setting_the_first_search_builds_it(settings, org, alice):
    make_case(org, alice, "BG-003", "Testov Fiktiv")
    state.seal(reason="test")
    state.unseal_with_dev_key()
    assert index.background_build() is None or not index.background_build().is_alive()
    assert index.held_organisations() == []
    assert found(client_for(alice), "Testov") == ["BG-003"]
    assert index.held_organisations() == [org.pk]


def test_a_search_during_the_build_waits_then_says_names_were_not_searched(monkeypatch, org, alice):
    make_case(org, alice, "BG-004", "Testov Fiktiv")
    monkeypatch.setattr(index, "SEARCH_WAIT", 0.2)
    started, release = threading.Event(), threading.Event()
    real = index._build

    def slow_build(org_id):
        started.set()
        release.wait(timeout=30)
        return real(org_id)

    monkeypatch.setattr(index, "_build", slow_build)
    builder = threading.Thread(target=index.warm, args=(org.pk,))
    builder.start()
    try:
        assert started.wait(timeout=10)
        with pytest.raises(index.IndexBuilding):
            index.match(org.pk, ["Testov"])
        page = client_for(alice).get("/search/", {"q": "Testov"})
        assert page.status_code == 200
        assert "the name index is still being built" in page.content.decode()
        assert "BG-004" not in page.content.decode()
    finally:
        release.set()
        builder.join(timeout=30)
    assert found(client_for(alice), "Testov") == ["BG-004"]  # built: found, and nothing more is said
    assert "still being built" not in client_for(alice).get("/search/", {"q": "Testov"}).content.decode()

"""The audit page: organisation admins only, their organisation's entries, filters, pages."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from refuge.audit.actions import record
from refuge.audit.events import EventType
from refuge.audit.models import AuditEvent
from tests.audit.conftest import set_column, tamper
from tests.conftest import _user

pytestmark = pytest.mark.django_db
URL = "/audit/"


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _seqs(html: str) -> list[int]:
    return [int(n) for n in re.findall(r'<tr[^>]*>\s*<td class="code">(\d+)</td>', html)]


def _page(client: Client, **query: str) -> str:
    response = client.get(URL, query)
    assert response.status_code == 200
    return response.content.decode()


def test_the_url_is_named_audit_log() -> None:
    assert reverse("audit_log") == URL


@pytest.mark.parametrize("who", ["alice", "bob", "ana"])
def test_only_the_organisation_admins_see_it(request, who: str) -> None:
    assert _client(request.getfixturevalue(who)).get(URL).status_code == 404


def _ids(html: str) -> list[str]:
    return re.findall(r'data-entry="(\d+)"', html)


def test_an_admin_sees_her_organisation_s_chain_only(case, adam, other_org) -> None:
    olga = _user("olga", other_org, "admin")
    mine = record(type=EventType.CASE_CHANGED, actor=None, target=case, data={"via": "mine"})
    theirs = record(type=EventType.CASE_CHANGED, actor=olga, target=("case", "0" * 8), data={"via": "theirs"})
    system = record(type=EventType.VAULT_SEALED, actor=None, target=("vault", ""))
    seen = _ids(_page(_client(adam)))
    assert str(mine.pk) in seen and str(system.pk) not in seen and str(theirs.pk) not in seen
    seen_by_olga = _ids(_page(_client(olga)))
    assert str(theirs.pk) in seen_by_olga and str(mine.pk) not in seen_by_olga


def test_a_failed_login_shows_to_its_organisation_s_admin_only(adam, other_org, bob) -> None:
    olga = _user("olga", other_org, "admin")
    Client().post("/accounts/login/", {"username": bob.username, "password": "wrong password"})
    failed = AuditEvent.objects.filter(type=EventType.LOGIN_FAILED).order_by("-id").first()
    assert failed is not None and failed.chain == bob.membership().organisation_id
    assert str(failed.pk) in _ids(_page(_client(adam)))
    assert str(failed.pk) not in _ids(_page(_client(olga)))


def test_a_forged_or_unlinked_entry_is_not_shown(case, adam) -> None:
    good = [record(type=EventType.CASE_CHANGED, actor=None, target=case) for _ in range(3)]
    html = _page(_client(adam))
    assert all(str(e.pk) in _ids(html) for e in good) and "does not verify" not in html
    # The middle one edited behind the triggers' back: it is hidden and the page says so.
    set_column(good[1].pk, "data", '{"via": "forged"}')
    html = _page(_client(adam))
    assert str(good[0].pk) in _ids(html) and str(good[1].pk) not in _ids(html)
    assert "does not verify" in html


def test_entries_after_a_broken_link_are_not_shown(case, adam) -> None:
    good = [record(type=EventType.CASE_CHANGED, actor=None, target=case) for _ in range(3)]
    set_column(good[1].pk, "prev_hash", "e" * 64)  # before the page ever walked the chain
    html = _page(_client(adam))
    assert str(good[0].pk) in _ids(html)
    assert str(good[1].pk) not in _ids(html) and str(good[2].pk) not in _ids(html)
    assert "does not verify" in html


def test_a_row_numbered_zero_is_not_shown(case, adam) -> None:
    first = record(type=EventType.CASE_CHANGED, actor=None, target=case)
    tamper("UPDATE audit_auditevent SET seq = 0 WHERE id = %s", [first.pk])
    html = _page(_client(adam))
    assert str(first.pk) not in _ids(html) and "does not verify" in html


def test_it_filters_by_type_actor_and_target(case, alice, bob, adam) -> None:
    client = _client(adam)
    a = record(type=EventType.IDENTITY_REVEALED, actor=alice, target=case, data={"via": "case_page"})
    b = record(type=EventType.IDENTITY_REVEALED, actor=bob, target=case, data={"via": "case_page"})
    c = record(type=EventType.TEAM_CHANGED, actor=alice, target=case)
    d = record(
        type=EventType.ONCALL_CHANGED, actor=None, target=("organisation", "0" * 8), organisation=case.organisation
    )
    reveals = _seqs(_page(client, type=str(int(EventType.IDENTITY_REVEALED))))
    assert a.seq in reveals and b.seq in reveals and c.seq not in reveals
    by_alice = _seqs(_page(client, actor=str(alice.code)))
    assert a.seq in by_alice and c.seq in by_alice and b.seq not in by_alice and d.seq not in by_alice
    by_system = _seqs(_page(client, actor="system"))
    assert d.seq in by_system and a.seq not in by_system
    on_case = _seqs(_page(client, target=str(case.code)))
    assert {a.seq, b.seq, c.seq} <= set(on_case) and d.seq not in on_case
    both = _seqs(_page(client, actor=str(alice.code), type=str(int(EventType.TEAM_CHANGED))))
    assert both == [c.seq]


def test_it_filters_by_date(case, adam) -> None:
    made = {}
    for day in (1, 2, 3):
        with time_machine.travel(datetime(2026, 3, day, 23, 59, 59, tzinfo=UTC), tick=False):
            made[day] = record(type=EventType.CASE_CHANGED, actor=None, target=case).seq
    client = _client(adam)
    assert _seqs(_page(client, date_from="2026-03-02", date_to="2026-03-02")) == [made[2]]
    assert _seqs(_page(client, date_from="2026-03-02", date_to="2026-03-03")) == [made[3], made[2]]
    assert made[1] in _seqs(_page(client, date_to="2026-03-01"))
    assert made[2] not in _seqs(_page(client, date_to="2026-03-01"))
    html = _page(client, date_from="2026-03-03", date_to="2026-03-01")
    assert "The end comes before the start." in html


def test_a_name_is_not_a_target_code(adam) -> None:
    html = _page(_client(adam), target="Testov")
    assert "Enter a code (a UUID), not a name." in html


def test_it_pages_from_the_newest(case, adam, settings) -> None:
    settings.REFUGE_PAGE_SIZE = 5
    made = [record(type=EventType.CASE_CHANGED, actor=None, target=case).seq for _ in range(12)]
    client = _client(adam)
    query = {"type": str(int(EventType.CASE_CHANGED))}
    seen: list[int] = []
    while True:
        html = _page(client, **query)
        page = _seqs(html)
        assert len(page) <= 5
        seen += page
        older = re.search(r'href="\?([^"]+)" rel="next"', html)
        if older is None:
            break
        query = dict(pair.split("=") for pair in older.group(1).replace("&amp;", "&").split("&"))
    assert seen == sorted(made, reverse=True)


def test_the_page_shows_codes_and_field_names(case, alice, adam) -> None:
    _client(alice).get(case.get_absolute_url())
    html = _page(_client(adam), target=str(case.code), type=str(int(EventType.IDENTITY_REVEALED)))
    assert "Identity revealed" in html and "via=case_page" in html and "names, birth_date" in html
    assert str(case.code) in html and ">alice<" in html


def test_a_long_chain_is_verified_over_several_views(case) -> None:
    from refuge.audit.verify import verified_up_to

    for _ in range(12):
        record(type=EventType.CASE_CHANGED, actor=None, target=case)
    number = case.organisation_id
    total = AuditEvent.objects.filter(chain=number).count()
    seen = [verified_up_to(number, most=5).count for _ in range(4)]
    assert seen[:2] == [5, 10] and seen[-1] == total  # the rest was not walked, so not shown, yet


def test_operators_read_the_server_s_chain_and_admins_do_not(case, adam, other_org) -> None:
    from refuge.accounts import actions

    sealed = record(type=EventType.VAULT_SEALED, actor=None, target=("vault", ""))
    assert str(sealed.pk) not in _ids(_page(_client(adam), chain="server"))  # two organisations: not an operator
    actions.set_operator(user=adam, operator=True, actor=None)
    html = _page(_client(adam), chain="server")
    assert str(sealed.pk) in _ids(html) and "Audit log of the server" in html
    assert str(sealed.pk) not in _ids(_page(_client(adam)))  # her organisation's log stays her organisation's

"""A prepared read gives the rows its queryset gives: the same instances, field by field, with the same related ones."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from tests.filings.notify_helpers import MSK, measure_case
from tests.filings.test_sending_log import _filing

pytestmark = pytest.mark.django_db


def _columns(obj):
    """Every concrete field's stored value (an encrypted field's ciphertext, never decrypted here)."""
    values = {}
    for field in obj._meta.concrete_fields:
        value = obj.__dict__[field.attname]
        ciphertext = getattr(value, "ciphertext", None)
        values[field.attname] = bytes(ciphertext) if ciphertext is not None else value
    return values


def _same(prepared, expected, case) -> None:
    assert [type(o) for o in prepared] == [type(o) for o in expected]
    for got, want in zip(prepared, expected, strict=True):
        assert _columns(got) == _columns(want)
        assert (got._state.adding, got._state.db) == (want._state.adding, want._state.db) == (False, "default")
        assert got.case is case  # the parent, as the related manager sets it
        for field in got._meta.concrete_fields:
            if field.is_relation and field.name != "case":
                assert field.is_cached(got) == field.is_cached(want), field.name
                if field.is_cached(want) and getattr(want, field.name) is not None:
                    assert _columns(getattr(got, field.name)) == _columns(getattr(want, field.name))
                elif field.is_cached(want):
                    assert getattr(got, field.name) is None


@pytest.fixture
def busy_case(case, alice, bob):
    """The shared case with a measure, authorities, proceedings, a second member, a document, filings, sendings."""
    from refuge.cases.models import CaseMember, Document
    from refuge.filings.models import Sending

    found = measure_case(case, alice)
    CaseMember.objects.create(case=case, user=bob)
    document = Document.objects.create(
        case=case,
        doc_type="decision_copy",
        title="Decision (fictional)",
        file="documents/x",
        filename="d.pdf",
        content_type="application/pdf",
        size=10,
        sha256="ab" * 32,
    )
    document.events.set(case.events.all()[:2])
    filings = [_filing(case, alice, lang=lang) for lang in ("en", "ru")]
    sent = datetime(2026, 3, 6, 10, 15, tzinfo=MSK)
    Sending.objects.create(case=case, channel="fax", sent_at=sent, authority=found["court"], filing=filings[0])
    Sending.objects.create(case=case, channel="post", sent_at=sent - timedelta(hours=1), forum="un_hrc", reference="R1")
    return case


def test_the_case_pages_prepared_reads_give_what_their_querysets_give(busy_case, alice) -> None:
    from refuge.cases.views import pages
    from refuge.filings.templatetags import filings_panel

    case = busy_case
    reads = [
        (pages.CASE_EVENTS, case.events.all()),
        (pages.CASE_PROCEEDINGS, case.proceedings.select_related("authority").all()),
        (pages.CASE_TEAM, case.members.select_related("user").order_by("user__username")),
        (pages.CASE_DOCUMENTS, case.documents.all()),
        (pages.CASE_DEADLINES, case.deadlines.all()),
        (pages.CASE_CONFLICTS, case.conflicts.all()),
        (filings_panel.CASE_FILINGS, case.filings.order_by("-created_at", "-id")[: filings_panel.RECENT]),
        (filings_panel.CASE_SENDINGS, case.sendings.order_by("-sent_at", "-id")),
    ]
    counts = []
    for prepared, queryset in reads:
        expected = list(queryset)
        for _again in range(2):  # compiled on the first read, reused on the second
            _same(prepared.read(case.pk, case), expected, case)
        counts.append(len(expected))
    assert counts[:5] == [4, 3, 2, 1, counts[4]]
    assert counts[4] > 0
    assert counts[6:] == [2, 2]
    # Another case's rows, not the first one's: the id is a parameter, not part of the compiled SQL.
    from refuge.cases.actions import create_case

    other = create_case(
        organisation=case.organisation,
        user=alice,
        reference="TST-2026-002",
        host_state="RU",
        timezone="Europe/Moscow",
        person={"nationality": "KP"},
        events=[],
    )
    assert pages.CASE_EVENTS.read(other.pk, other) == []
    _same(
        pages.CASE_TEAM.read(other.pk, other),
        list(other.members.select_related("user").order_by("user__username")),
        other,
    )


def test_only_a_plain_read_by_one_id_is_prepared(case) -> None:
    from refuge.cases.models import Event
    from refuge.lib.prepared import NotPreparableError, Prepared

    refused = [
        Prepared(lambda case_id: Event.objects.filter(case_id=case_id).values("key"), parent="case"),
        Prepared(lambda case_id: Event.objects.filter(case_id=case_id).prefetch_related("documents"), parent="case"),
        Prepared(lambda case_id: Event.objects.filter(case_id=case_id).only("key"), parent="case"),
        Prepared(lambda case_id: Event.objects.filter(case_id=case_id, author_id=case_id), parent="case"),
        Prepared(lambda case_id: Event.objects.all(), parent="case"),
    ]
    for prepared in refused:
        with pytest.raises(NotPreparableError):
            prepared.read(case.pk, case)


def test_the_door_to_a_case_reads_what_its_queryset_reads(busy_case, bob, carol, ana, adam) -> None:
    """get_case_for_user's prepared reads (a code from a URL) against the queryset it used before."""
    import uuid

    from django.http import Http404

    from refuge.accounts.models import User
    from refuge.cases import access
    from refuge.cases.models import Case

    case, admin, alice = busy_case, adam, User.objects.get(username="alice")
    loner = User.objects.create_user(username="loner", password="x" * 20)
    elsewhere = carol.membership().organisation
    stranger_case = Case.objects.create(organisation=elsewhere, reference="OTHER-1", host_state="RU")
    codes = [case.code, stranger_case.code, uuid.uuid4()]
    for related in ((), ("person", "last_check")):
        for user in (alice, bob, admin, carol, ana, loner):
            user = User.objects.get(pk=user.pk)  # noqa: PLW2901  # fresh: its membership read as a request reads it
            for code in codes:
                queryset = access.cases_for_user(user).select_related("organisation", *related)
                want = queryset.filter(code=code).first()
                for _again in range(2):
                    if want is None:
                        with pytest.raises(Http404):
                            access.get_case_for_user(user, code, related=related)
                        continue
                    got = access.get_case_for_user(user, code, related=related)
                    assert _columns(got) == _columns(want)
                    assert _columns(got.organisation) == _columns(want.organisation)
                    for name in related:
                        assert _columns(getattr(got, name)) == _columns(getattr(want, name))
                if want is not None:  # a code as text goes the queryset's way, to the same case
                    assert access.get_case_for_user(user, str(code), related=related).pk == want.pk
    assert access.get_case_for_user(alice, case.code).pk == case.pk  # alice's case; bob is on its team too
    with pytest.raises(Http404):
        access.get_case_for_user(admin, stranger_case.code)


def test_values_reads_give_the_querysets_tuples(case, alice, bob, carol) -> None:
    """Prepared values_list() reads: the bell's unread count and the vault's wrapped keys."""
    from django.test import RequestFactory
    from django.utils import timezone

    from refuge.alerts import context
    from refuge.alerts.models import Alert, Notification
    from refuge.lib.prepared import NotPreparableError, Prepared
    from refuge.vault import state
    from refuge.vault.records import CaseKey, OrganisationKey

    now = timezone.now()
    alerts = Alert.objects.bulk_create(
        Alert(organisation=case.organisation, case=case, kind="conflict_raised", severity="critical",
              subject=f"TST {n}", created_at=now)
        for n in range(context.BELL_MAX + 3)
    )
    Notification.objects.bulk_create(
        Notification(alert=a, user=user, created_at=now, read_at=now if n == skip else None)
        for user, skip, some in ((alice, 0, alerts), (bob, 2, alerts[:4]))
        for n, a in enumerate(some)
    )
    for user, shown in ((alice, "99+"), (bob, "3"), (carol, "")):
        want = Notification.objects.filter(user=user, read_at=None).values_list("pk")[: context.BELL_MAX + 1]
        assert context.UNREAD.rows(user.pk) == list(want)
        request = RequestFactory().get("/")
        request.user = user
        assert context.bell(request) == ({"alerts_unread": shown} if shown else {"alerts_unread": ""})
    keys = [(CaseKey, "case", case.pk), (OrganisationKey, "organisation", case.organisation_id)]
    state.current_organisation_key(case.organisation_id)  # made on first use
    for model, owner, owner_id in keys:
        want = (
            model.objects.filter(**{f"{owner}_id": owner_id, "version": 1})
            .values_list("wrapped", "root_version", f"{owner}__code")
            .first()
        )
        assert want is not None
        assert state._wrapped_read(model, owner).rows((owner_id, 1)) == [want]
        assert state._wrapped_read(model, owner).rows((owner_id, 2)) == []
    with pytest.raises(NotPreparableError):
        context.UNREAD.read(alice.pk)
    with pytest.raises(NotPreparableError):
        Prepared(lambda user_id: Notification.objects.filter(user_id=user_id).values_list("pk", flat=True)).rows(1)

"""The session's user is read with its membership (every request needs both), and still refused when
inactive or of an organisation locked down."""

from __future__ import annotations

import pytest
from django.utils import timezone

from refuge.accounts.backends import RefugeBackend
from refuge.accounts.models import Membership, User

pytestmark = pytest.mark.django_db


def test_the_session_user_comes_with_its_membership_in_one_query(alice, org, django_assert_num_queries) -> None:
    with django_assert_num_queries(1):
        user = RefugeBackend().get_user(alice.pk)
        assert user is not None
        member = user.membership()
        assert (member.role, member.organisation.name) == ("lawyer", org.name)
    assert user.membership() == Membership.objects.get(user=alice)


def test_a_user_without_an_organisation_has_no_membership(db) -> None:
    loner = User.objects.create_user(username="loner", password="correct horse battery staple 42")
    user = RefugeBackend().get_user(loner.pk)
    assert user is not None and user.membership() is None


def test_the_session_user_is_refused_when_locked_down_or_disabled(alice, org) -> None:
    assert RefugeBackend().get_user(alice.pk) is not None
    org.locked_down_at = timezone.now()
    org.save(update_fields=["locked_down_at"])
    assert RefugeBackend().get_user(alice.pk) is None
    org.locked_down_at = None
    org.save(update_fields=["locked_down_at"])
    User.objects.filter(pk=alice.pk).update(is_active=False)
    assert RefugeBackend().get_user(alice.pk) is None
    assert RefugeBackend().get_user(10**9) is None

"""The one door to a case (STYLE.md §3).

Every view and API endpoint gets cases, events and documents only through these functions.
Missing and forbidden both raise Http404, so nobody learns that a case exists.

Who sees what:
- organisations never see each other;
- a case is visible to its team and to its organisation's admins;
- an organisation's analysts see its cases' facts and pseudonymous references, never identity,
  and never write;
- writing takes team membership (lawyer, caseworker) or the admin role.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet
from django.http import Http404

from refuge.accounts.models import Role, User
from refuge.cases.models import Authority, Case, CaseMember, Document, Event, IdentityGrant, Proceeding

if TYPE_CHECKING:
    from uuid import UUID

    from refuge.accounts.models import Membership, User


def _membership(user: User) -> Membership | None:
    if not user.is_authenticated or not user.is_active:
        return None
    return user.membership()


def cases_for_user(user: User, *, write: bool = False) -> QuerySet[Case]:
    """The cases this user may see (or change, with write=True)."""
    member = _membership(user)
    if member is None:
        return Case.objects.none()
    in_org = Case.objects.filter(organisation_id=member.organisation_id)
    if member.role == Role.ADMIN:
        return in_org
    if member.role == Role.ANALYST:
        return Case.objects.none() if write else in_org
    # Driven from the user's team rows (index on user, case): a lawyer's hundred cases are found
    # without probing each of the organisation's cases for membership.
    on_team = CaseMember.objects.filter(user_id=user.pk).values("case_id")
    return in_org.filter(pk__in=on_team)


def get_case_for_user(user: User, code: UUID | str, *, write: bool = False) -> Case:
    try:
        return cases_for_user(user, write=write).select_related("organisation").get(code=code)
    except (Case.DoesNotExist, ValueError, TypeError):
        raise Http404("No such case") from None


def get_event_for_user(user: User, case_code: UUID | str, event_code: UUID | str, *, write: bool = False) -> Event:
    case = get_case_for_user(user, case_code, write=write)
    try:
        return case.events.select_related("case").get(code=event_code)
    except (Event.DoesNotExist, ValueError, TypeError):
        raise Http404("No such event") from None


def get_document_for_user(
    user: User, case_code: UUID | str, document_code: UUID | str, *, write: bool = False
) -> Document:
    case = get_case_for_user(user, case_code, write=write)
    if not can_see_identity(user, case):
        # Documents are identifying (passports, decisions with names).
        raise Http404("No such document")
    try:
        return case.documents.select_related("case").get(code=document_code)
    except (Document.DoesNotExist, ValueError, TypeError):
        raise Http404("No such document") from None


def can_see_identity(user: User, case: Case) -> bool:
    """Team and admins see identity; an analyst only under a live, recorded grant for this case."""
    member = _membership(user)
    if member is None or member.organisation_id != case.organisation_id:
        return False
    if member.can_see_identity:
        return True
    from django.utils import timezone  # noqa: PLC0415  # only analysts get here


    return IdentityGrant.objects.filter(user_id=user.pk, case_id=case.pk, expires_at__gt=timezone.now()).exists()


def can_write(user: User, case: Case) -> bool:
    return cases_for_user(user, write=True).filter(pk=case.pk).exists()


def is_org_admin(user: User) -> bool:
    member = _membership(user)
    return bool(member and member.role == Role.ADMIN)


def require_membership(user: User) -> Membership:
    member = _membership(user)
    if member is None:
        raise Http404("No organisation")
    return member


def team_candidates(case: Case) -> QuerySet[User]:
    """Users of the case's organisation who may join its team (analysts never do)."""

    return User.objects.filter(
        Q(membership_row__organisation_id=case.organisation_id) & ~Q(membership_row__role=Role.ANALYST),
        is_active=True,
    ).order_by("username")


def get_proceeding_for_user(
    user: User, case_code: UUID | str, proceeding_code: UUID | str, *, write: bool = False
) -> Proceeding:
    case = get_case_for_user(user, case_code, write=write)
    try:
        return case.proceedings.select_related("case", "authority").get(code=proceeding_code)
    except (Proceeding.DoesNotExist, ValueError, TypeError):
        raise Http404("No such proceeding") from None


def require_writer(user: User) -> Membership:
    """A member who may create cases and edit the directory (not an analyst)."""
    member = require_membership(user)
    if member.role == Role.ANALYST:
        raise Http404("Read-only role")
    return member


def authorities_for_user(user: User, *, write: bool = False) -> QuerySet[Authority]:
    """The directory of the user's organisation (analysts read it, never change it)."""
    member = _membership(user)
    if member is None or (write and member.role == Role.ANALYST):
        return Authority.objects.none()
    return Authority.objects.filter(organisation_id=member.organisation_id)


def get_authority_for_user(user: User, code: UUID | str, *, write: bool = False) -> Authority:
    try:
        return authorities_for_user(user, write=write).get(code=code)
    except (Authority.DoesNotExist, ValueError, TypeError):
        raise Http404("No such authority") from None

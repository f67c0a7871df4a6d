"""The one door to a case (STYLE.md §3).

Every view and API endpoint gets cases, events and documents only through these functions.
Missing and forbidden both raise Http404, so nobody learns that a case exists.

Who sees what:
- organisations never see each other;
- a case is visible to its team and to its organisation's admins;
- an organisation's analysts see no case at all: theirs is a statistics-only role (issue 14).
  They read the organisation's *controlled* statistics and their own account, nothing that lists
  or shows a case, an event, a person, a document, a filing, an alert, the authority directory,
  the audit log or the search. A case list, even of facts and pseudonymous references, could be
  filtered down to the few cases behind a suppressed cell and undo the disclosure control;
- writing takes team membership (lawyer, caseworker) or the admin role.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING
from uuid import UUID

from django.db.models import Q, QuerySet
from django.http import Http404

from refuge.accounts.models import Role, User
from refuge.cases.models import Authority, Case, CaseMember, Document, Event, Proceeding
from refuge.lib.prepared import Prepared

if TYPE_CHECKING:
    from collections.abc import Sequence

    from django.contrib.auth.models import AnonymousUser

    from refuge.accounts.models import Membership


def _membership(user: User) -> Membership | None:
    if not user.is_authenticated or not user.is_active:
        return None
    return user.membership()


def reads_cases(member: Membership | None) -> bool:
    """Whether this member may see any case (analysts: statistics only, never a case)."""
    return member is not None and member.role != Role.ANALYST


def require_case_reader(user: User | AnonymousUser) -> Membership:
    """A member who may see cases at all; analysts (and strangers) get a 404.

    For pages that list or show cases, events, people, alerts or the directory without one
    case's code to hand to get_case_for_user (the dashboard, the case list, the search).
    """
    if not isinstance(user, User):
        raise Http404("No such page")
    member = require_membership(user)
    if not reads_cases(member):
        raise Http404("No such page")
    return member


def cases_for_user(user: User, *, write: bool = False) -> QuerySet[Case]:
    """The cases this user may see (or change, with write=True); none for an analyst."""
    member = _membership(user)
    if not reads_cases(member):
        return Case.objects.none()
    assert member is not None  # noqa: S101  # reads_cases() said so
    return _visible(member.organisation_id, None if member.role == Role.ADMIN else user.pk)


def _visible(organisation_id: int, team_user_id: int | None) -> QuerySet[Case]:
    """The organisation's cases; only those on the team of `team_user_id` unless None (an admin)."""
    in_org = Case.objects.filter(organisation_id=organisation_id)
    if team_user_id is None:
        return in_org
    # Driven from the user's team rows (index on user, case): a lawyer's hundred cases are found
    # without probing each of the organisation's cases for membership.
    on_team = CaseMember.objects.filter(user_id=team_user_id).values("case_id")
    return in_org.filter(pk__in=on_team)


def listed_cases(user: User) -> QuerySet[Case]:
    """cases_for_user(user), for pages that sort its cases and show a few (the case list, the dashboard).

    A team member's cases come as the list of their ids, read first from the team rows in no order:
    sorted by their update, the page's query would make SQLite walk the organisation's 70,000 cases
    newest first, probing each for membership (7–10 ms), where a hundred ids are looked up by key."""
    cases = cases_for_user(user)
    member = _membership(user)
    if member is None or member.role == Role.ADMIN or not reads_cases(member):
        return cases
    return Case.objects.filter(pk__in=list(cases.order_by().values_list("id", flat=True)))


# get_case_for_user's read of one case by its code, compiled once per connection (refuge.lib.prepared):
# for an admin (organisation, code) and for a team member (organisation, user, code), per `related`.
@functools.cache
def _case_read(admin: bool, related: tuple[str, ...]) -> Prepared[Case]:
    if admin:
        return Prepared(
            lambda org, code: _visible(org, None).select_related("organisation", *related).filter(code=code),
            keys=(int, UUID),
        )
    return Prepared(
        lambda org, user, code: _visible(org, user).select_related("organisation", *related).filter(code=code),
        keys=(int, int, UUID),
    )


def get_case_for_user(user: User, code: UUID | str, *, write: bool = False, related: tuple[str, ...] = ()) -> Case:
    """The case, with its organisation (and the one-to-one `related` rows: the client, the last check) read with it.

    A code from a URL (a UUID) is read by a statement compiled once per connection, the same query."""
    member = _membership(user)
    if isinstance(code, UUID) and reads_cases(member):
        assert member is not None  # noqa: S101  # reads_cases() said so
        admin = member.role == Role.ADMIN
        key = (member.organisation_id, code) if admin else (member.organisation_id, user.pk, code)
        found = _case_read(admin, related).read(key)
        if len(found) != 1:  # codes are unique: none, then
            raise Http404("No such case")
        return found[0]
    try:
        return cases_for_user(user, write=write).select_related("organisation", *related).get(code=code)
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
    """Team and admins see identity; analysts never (they see no case at all)."""
    member = _membership(user)
    if member is None or member.organisation_id != case.organisation_id:
        return False
    return reads_cases(member) and member.can_see_identity


def can_write(user: User, case: Case, team: Sequence[CaseMember] | None = None) -> bool:
    """cases_for_user(user, write=True)'s rule for one case: its organisation's admin, or its team.

    Asked of the case's own team row (index on user, case): the queryset's form would make SQLite
    walk the organisation's cases probing each for membership (4 ms at 70,000 cases, every case page).
    `team`: all the case's team rows, when the caller has read them (the case page): no query then.
    """
    member = _membership(user)
    if not reads_cases(member) or member is None or member.organisation_id != case.organisation_id:
        return False
    if member.role == Role.ADMIN:
        return True
    if team is not None:
        return any(row.user_id == user.pk and row.case_id == case.pk for row in team)
    return CaseMember.objects.filter(user_id=user.pk, case_id=case.pk).exists()


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
    """The directory of the user's organisation, to read or (``write``) to change: every member who
    reads cases does both. Never an analyst's: its notes are free text written about cases."""
    member = _membership(user)
    if not reads_cases(member):
        return Authority.objects.none()
    assert member is not None  # noqa: S101  # reads_cases() said so
    return Authority.objects.filter(organisation_id=member.organisation_id)


def get_authority_for_user(user: User, code: UUID | str, *, write: bool = False) -> Authority:
    try:
        return authorities_for_user(user, write=write).get(code=code)
    except (Authority.DoesNotExist, ValueError, TypeError):
        raise Http404("No such authority") from None

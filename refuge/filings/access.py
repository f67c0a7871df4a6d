"""Who may reach a case's filings: through the one door (refuge.cases.access), then identity.

Generated filings and proofs of sending carry the client's name, so only people who write the
case and see its identity — its team and the organisation's admins — generate, download or log
them. Analysts never do, even under a grant to see one case's identity. Missing and forbidden
both answer 404.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import Http404

from refuge.cases import access
from refuge.filings.models import GeneratedFiling, Sending

if TYPE_CHECKING:
    from uuid import UUID

    from refuge.accounts.models import User
    from refuge.cases.models import Case


def get_case_for_filings(user: User, code: UUID | str) -> Case:
    case = access.get_case_for_user(user, code, write=True)
    if not access.can_see_identity(user, case):
        raise Http404("No such case")
    return case


def get_filing_for_user(user: User, case_code: UUID | str, filing_code: UUID | str) -> GeneratedFiling:
    case = get_case_for_filings(user, case_code)
    try:
        filing = case.filings.select_related("authority").get(code=filing_code)
    except (GeneratedFiling.DoesNotExist, ValueError, TypeError):
        raise Http404("No such filing") from None
    filing.case = case
    return filing


def get_sending_for_user(user: User, case_code: UUID | str, sending_code: UUID | str) -> Sending:
    case = get_case_for_filings(user, case_code)
    try:
        sending = case.sendings.get(code=sending_code)
    except (Sending.DoesNotExist, ValueError, TypeError):
        raise Http404("No such sending") from None
    sending.case = case
    return sending

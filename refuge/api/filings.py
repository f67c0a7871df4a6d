"""Filings of a case: generate (the wizard's checklist and renderer), list, download (audited).

Filings carry the client's name: the identity scope, and the filings door (refuge.filings.access:
the case's writers who see identity, never an analyst).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from uuid import UUID

from ninja import Router, Status

from refuge.api.auth import caller
from refuge.api.cases import ID, R, W, problems
from refuge.api.problems import problem
from refuge.api.schemas import FilingIn, FilingOut
from refuge.filings import actions, wizard
from refuge.filings.access import get_case_for_filings, get_filing_for_user

if TYPE_CHECKING:
    from django.http import HttpRequest, StreamingHttpResponse

    from refuge.filings.models import GeneratedFiling

router = Router(tags=["filings"])
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _out(filing: GeneratedFiling) -> dict[str, Any]:
    return {k: getattr(filing, k) for k in FilingOut.model_fields}


@router.get(
    "/cases/{uuid:code}/filings",
    response=problems({200: list[FilingOut]}),
    operation_id="filing_list",
    url_name="filing_list",
)
def filing_list(request: HttpRequest, code: UUID) -> list[dict[str, Any]]:
    user = caller(request, R, ID)
    case = get_case_for_filings(user, code)
    return [_out(f) for f in case.filings.order_by("-created_at", "-version")]


@router.post(
    "/cases/{uuid:code}/filings",
    response=problems({201: FilingOut}),
    operation_id="filing_generate",
    url_name="filing_generate",
)
def filing_generate(request: HttpRequest, code: UUID, payload: FilingIn) -> Any:
    """Generate and keep the next version; refused (422, each missing item a problem) when the checklist is not met."""
    user = caller(request, W, ID)
    case = get_case_for_filings(user, code)
    data = payload.dict()
    data["authority"] = str(data["authority"]) if data["authority"] else ""
    data["annexes"] = [str(a) for a in data["annexes"]]
    form = wizard.ChooseForm(data, case=case, user=user)
    if not form.is_valid():
        errors = [
            {"location": "body", "path": "$" if field == "__all__" else f"$.{field}", "message": str(message)}
            for field, messages in form.errors.items()
            for message in messages
        ]
        return problem(422, "invalid", "The filing's choices are not valid", errors=errors)
    result = wizard.generate(case=case, form=form, user=user, via="api")
    if result.filing is None and result.review is not None and result.review.unacknowledged:
        errors = [
            {"location": "body", "path": "$.acknowledged", "message": f"{code}: {text}"}
            for code, text, acknowledged in result.review.warnings
            if not acknowledged
        ]
        return problem(422, "filing-warnings", "Acknowledge the review's warnings to generate", errors=errors)
    if result.filing is None:
        missing = result.review.missing if result.review is not None else []
        errors = [{"location": "case", "path": m.code, "message": m.label} for m in missing]
        return problem(422, "filing-refused", "The case lacks what this filing requires", errors=errors)
    return Status(201, _out(result.filing))


@router.get(
    "/cases/{uuid:code}/filings/{uuid:filing_code}",
    response=problems({200: FilingOut}),
    operation_id="filing_detail",
    url_name="filing_detail",
)
def filing_detail(request: HttpRequest, code: UUID, filing_code: UUID) -> dict[str, Any]:
    user = caller(request, R, ID)
    return _out(get_filing_for_user(user, code, filing_code))


@router.get(
    "/cases/{uuid:code}/filings/{uuid:filing_code}/download",
    response=problems({}),
    operation_id="filing_download",
    url_name="filing_download",
    openapi_extra={
        "responses": {
            "200": {
                "description": "The file, decrypted as it streams",
                "content": {
                    "application/pdf": {"schema": {"type": "string", "format": "binary"}},
                    DOCX: {"schema": {"type": "string", "format": "binary"}},
                },
            }
        }
    },
)
def filing_download(request: HttpRequest, code: UUID, filing_code: UUID) -> StreamingHttpResponse:
    """The generated file, on record first (a download and a reveal of identity, as on the page)."""
    user = caller(request, R, ID)
    filing = get_filing_for_user(user, code, filing_code)
    return actions.download_filing(filing=filing, user=user, request=request)

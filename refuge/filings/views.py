"""The filings wizard and the notification log (pages under a case; every object by its opaque code).

From the case page to a downloaded request in four screens:

1. `filing_new` (GET): what to generate — kind, language, the person to contact, annexes;
2. `filing_new` (POST): the review — the checklist's answer (a refusal lists exactly what is
   missing, each with a link to where it is fixed) and the facts that will go in;
3. `filing_generate` (POST, then the filing's page): the version is stored, encrypted and hashed,
   and offered for download (`filing_download`, an audited GET that streams the decrypted file);
4. on the same page, `filing_send` records the sending (channel, time, authority, proof).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from refuge.cases import access as case_access
from refuge.cases.views._common import INVALID, page
from refuge.cases.views.documents import max_upload_bytes
from refuge.filings import actions, wizard
from refuge.filings.access import get_case_for_filings, get_filing_for_user, get_sending_for_user
from refuge.filings.forms import SendingForm
from refuge.vault.storage import EncryptingUploadHandler

if TYPE_CHECKING:
    from refuge.accounts.requests import AuthenticatedRequest
    from refuge.cases.models import Case
    from refuge.filings.models import GeneratedFiling


@require_http_methods(["GET", "POST"])
@login_required
def filing_new(request: AuthenticatedRequest, code: str) -> HttpResponse:
    """Step 1 (GET, or POST with `edit`: the choices again) and step 2 (POST: the review)."""
    case = get_case_for_filings(request.user, code)
    if request.method == "GET":
        form = wizard.ChooseForm(case=case, user=request.user, initial=wizard.initial_choices(request, case))
        return page(request, "filings/choose.html", {"case": case, "form": form})
    form = wizard.ChooseForm(request.POST, case=case, user=request.user)
    if "edit" in request.POST or not form.is_valid():
        if "edit" in request.POST:
            form.errors.clear()  # back to the choices as typed, with no error yet
        status = INVALID if form.errors else 200
        return page(request, "filings/choose.html", {"case": case, "form": form}, status=status)
    review = wizard.review(case=case, form=form)
    context = {"case": case, "form": form, "review": review, "review_fields": wizard.REVIEW_FIELDS}
    return page(request, "filings/review.html", context)


@require_POST
@login_required
def filing_generate(request: AuthenticatedRequest, code: str) -> HttpResponse:
    """Step 3: generate and keep a version, then show it (the review again if the checklist refuses)."""
    case = get_case_for_filings(request.user, code)
    form = wizard.ChooseForm(request.POST, case=case, user=request.user)
    if not form.is_valid():
        return page(request, "filings/choose.html", {"case": case, "form": form}, status=INVALID)
    result = wizard.generate(case=case, form=form, user=request.user)
    if result.filing is None:
        context = {"case": case, "form": form, "review": result.review, "review_fields": wizard.REVIEW_FIELDS}
        return page(request, "filings/review.html", context, status=INVALID)
    messages.success(
        request, _("Version %(version)s generated and stored encrypted.") % {"version": result.filing.version}
    )
    return redirect(result.filing.get_absolute_url(), permanent=False)


def _detail(
    request: AuthenticatedRequest, filing: GeneratedFiling, form: SendingForm, *, status: int = 200
) -> HttpResponse:
    case = filing.case
    context = {
        "case": case,
        "filing": filing,
        "form": form,
        "kind_label": wizard.kind_label(filing.kind),
        "versions": list(case.filings.filter(kind=filing.kind, lang=filing.lang).order_by("-version")),
        "sendings": list(filing.sendings.select_related("authority").all()),
    }
    return page(request, "filings/filing_detail.html", context, status=status)


def _sending_form(
    request: AuthenticatedRequest, case: Case, filing: GeneratedFiling | None, **kwargs: Any
) -> SendingForm:
    return SendingForm(
        *kwargs.pop("args", ()),
        case=case,
        authorities=case_access.authorities_for_user(request.user),
        filing=filing,
        max_bytes=max_upload_bytes(),
        **kwargs,
    )


@require_GET
@login_required
def filing_detail(request: AuthenticatedRequest, code: str, filing_code: str) -> HttpResponse:
    """Step 3's page: the version, its SHA-256, the download, and step 4's form."""
    filing = get_filing_for_user(request.user, code, filing_code)
    return _detail(request, filing, _sending_form(request, filing.case, filing))


@require_GET
@login_required
def filing_download(request: AuthenticatedRequest, code: str, filing_code: str) -> StreamingHttpResponse:
    filing = get_filing_for_user(request.user, code, filing_code)
    return actions.download_filing(filing=filing, user=request.user, request=request)


@csrf_exempt  # the upload handler must be set before the CSRF check reads the body; csrf_protect below checks it
@require_http_methods(["GET", "POST"])
@login_required
def filing_send(request: AuthenticatedRequest, code: str, filing_code: str) -> HttpResponse:
    handler = EncryptingUploadHandler(request, max_bytes=max_upload_bytes())
    request.upload_handlers = [handler]
    return _send(request, code, filing_code, handler)


@csrf_exempt  # as filing_send
@require_http_methods(["GET", "POST"])
@login_required
def sending_add(request: AuthenticatedRequest, code: str) -> HttpResponse:
    handler = EncryptingUploadHandler(request, max_bytes=max_upload_bytes())
    request.upload_handlers = [handler]
    return _send(request, code, None, handler)


@csrf_protect
def _send(
    request: AuthenticatedRequest, code: str, filing_code: str | None, handler: EncryptingUploadHandler
) -> HttpResponse:
    """Step 4: one entry of the notification log (from a filing's page, or for any paper sent)."""
    if filing_code is not None:
        filing: GeneratedFiling | None = get_filing_for_user(request.user, code, filing_code)
        case = filing.case  # type: ignore[union-attr]  # just fetched
    else:
        filing, case = None, get_case_for_filings(request.user, code)
    if request.method == "GET":
        form = _sending_form(request, case, filing)
        return _send_page(request, case, filing, form)
    form = _sending_form(request, case, filing, args=(request.POST, request.FILES))
    if handler.form_is_valid(form, "proof"):
        d = form.cleaned_data
        upload = d.get("proof")
        try:
            sending = actions.record_sending(
                case=case,
                user=request.user,
                filing=filing,
                authority=d.get("authority"),
                forum=form.request_forum,
                channel=d["channel"],
                sent_at=d["sent_at"],
                reference=d.get("reference", ""),
                proof=upload,
                proof_filename=upload.name if upload is not None else "",
            )
        except actions.SendingError as exc:
            form.add_error(None, str(exc))
        else:
            text = _("Sending recorded in the notification log.")
            if sending.event is not None:
                added = _("Event %(key)s (%(label)s) added to the timeline.")
                text += " " + added % {"key": sending.event.key, "label": sending.event.label}
            messages.success(request, text)
            return redirect(case.get_absolute_url() + "#filings")
    return _send_page(request, case, filing, form, status=INVALID)


def _send_page(
    request: AuthenticatedRequest, case: Case, filing: GeneratedFiling | None, form: SendingForm, *, status: int = 200
) -> HttpResponse:
    if filing is not None:
        return _detail(request, filing, form, status=status)
    return page(request, "filings/sending_form.html", {"case": case, "form": form}, status=status)


@require_GET
@login_required
def sending_proof(request: AuthenticatedRequest, code: str, sending_code: str) -> StreamingHttpResponse:
    """The stored proof of a sending, decrypted as it streams, on record first."""
    sending = get_sending_for_user(request.user, code, sending_code)
    return actions.download_proof(sending=sending, user=request.user, request=request)

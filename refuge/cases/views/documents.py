"""Documents of a case: upload (sealed as it streams in: never a plaintext temporary file) and download."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, StreamingHttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_http_methods

from refuge.cases import access, actions
from refuge.cases.forms.records import DocumentForm
from refuge.cases.views._common import INVALID, page
from refuge.vault.storage import EncryptingUploadHandler

if TYPE_CHECKING:
    from django.http import HttpResponse

    from refuge.accounts.requests import AuthenticatedRequest


def max_upload_bytes() -> int:
    """The largest file accepted (read when asked: never settings at import time)."""
    return int(getattr(settings, "REFUGE_UPLOAD_MAX_BYTES", settings.FILE_UPLOAD_MAX_MEMORY_SIZE))


@csrf_exempt  # the handler must be set before the CSRF check reads the body; csrf_protect below checks it
@require_http_methods(["GET", "POST"])
@login_required
def document_upload(request: AuthenticatedRequest, code: str) -> HttpResponse:
    handler = EncryptingUploadHandler(request, max_bytes=max_upload_bytes())
    request.upload_handlers = [handler]
    return _document_upload(request, code, handler)


@csrf_protect
def _document_upload(request: AuthenticatedRequest, code: str, handler: EncryptingUploadHandler) -> HttpResponse:
    case = access.get_case_for_user(request.user, code, write=True)
    if not access.can_see_identity(request.user, case):
        raise Http404("No such case")
    limit = max_upload_bytes()
    if request.method == "POST":
        form = DocumentForm(request.POST, request.FILES, case=case, max_bytes=limit)
        if handler.form_is_valid(form, "file"):
            upload = form.cleaned_data["file"]
            actions.store_document(
                case=case,
                user=request.user,
                content=upload,
                filename=upload.name or "document",
                doc_type=form.cleaned_data["doc_type"],
                title=form.cleaned_data["title"],
                date=form.cleaned_data["date"],
                language=form.cleaned_data["language"],
                events=form.linked_events(),
            )
            messages.success(request, _("Document uploaded."))
            return redirect(case.get_absolute_url() + "#documents")
    else:
        form = DocumentForm(case=case, max_bytes=limit, initial={"events": request.GET.getlist("event")})
    context = {"case": case, "form": form}
    return page(request, "cases/document_form.html", context, status=INVALID if form.errors else 200)


@require_GET
@login_required
def document_download(request: AuthenticatedRequest, code: str, document_code: str) -> StreamingHttpResponse:
    document = access.get_document_for_user(request.user, code, document_code)
    return actions.download_document(document=document, user=request.user, request=request)

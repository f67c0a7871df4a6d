"""Documents of a case: upload (kept in memory, never in a temporary file) and download."""

from __future__ import annotations

import io
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.files.uploadedfile import InMemoryUploadedFile
from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.http import FileResponse, Http404
from django.shortcuts import redirect
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_http_methods

from refuge.cases import access, actions
from refuge.cases.forms import DocumentForm
from refuge.cases.views._common import INVALID, page

if TYPE_CHECKING:
    from django.http import HttpRequest, HttpResponse


def max_upload_bytes() -> int:
    """The largest file accepted (read when asked: never settings at import time)."""
    return int(getattr(settings, "REFUGE_UPLOAD_MAX_BYTES", settings.FILE_UPLOAD_MAX_MEMORY_SIZE))


class MemoryUploadHandler(FileUploadHandler):
    """Holds each file in memory up to the limit and drops a larger one (DESIGN.md: no plaintext temp file)."""

    def __init__(self, request: HttpRequest, limit: int) -> None:
        super().__init__(request)
        self.limit = limit
        self.too_large = False
        self.buffer = io.BytesIO()

    def new_file(self, *args: Any, **kwargs: Any) -> None:
        super().new_file(*args, **kwargs)
        self.buffer = io.BytesIO()

    def receive_data_chunk(self, raw_data: bytes, start: int) -> None:
        if start + len(raw_data) > self.limit:
            self.too_large = True
            self.buffer = io.BytesIO()
            raise SkipFile
        self.buffer.write(raw_data)

    def file_complete(self, file_size: int) -> InMemoryUploadedFile:
        self.buffer.seek(0)
        return InMemoryUploadedFile(
            file=self.buffer,
            field_name=self.field_name,
            name=self.file_name,
            content_type=self.content_type,
            size=file_size,
            charset=self.charset,
            content_type_extra=self.content_type_extra,
        )


@csrf_exempt  # the handler must be set before the CSRF check reads the body; csrf_protect below checks it
@require_http_methods(["GET", "POST"])
@login_required
def document_upload(request: HttpRequest, code: str) -> HttpResponse:
    handler = MemoryUploadHandler(request, max_upload_bytes())
    request.upload_handlers = [handler]
    return _document_upload(request, code, handler)


@csrf_protect
def _document_upload(request: HttpRequest, code: str, handler: MemoryUploadHandler) -> HttpResponse:
    case = access.get_case_for_user(request.user, code, write=True)
    if not access.can_see_identity(request.user, case):
        raise Http404("No such case")
    limit = max_upload_bytes()
    if request.method == "POST":
        form = DocumentForm(request.POST, request.FILES, case=case, max_bytes=limit)
        valid = form.is_valid()
        if handler.too_large:
            form.errors.pop("file", None)
            form.add_error("file", f"The file is larger than {limit // (1024 * 1024)} MB.")
            valid = False
        if valid:
            upload = form.cleaned_data["file"]
            actions.store_document(
                case=case,
                user=request.user,
                content=upload.read(),
                filename=upload.name or "document",
                doc_type=form.cleaned_data["doc_type"],
                title=form.cleaned_data["title"],
                date=form.cleaned_data["date"],
                language=form.cleaned_data["language"],
                events=form.linked_events(),
            )
            messages.success(request, "Document uploaded.")
            return redirect(case.get_absolute_url() + "#documents")
    else:
        form = DocumentForm(case=case, max_bytes=limit, initial={"events": request.GET.getlist("event")})
    context = {"case": case, "form": form}
    return page(request, "cases/document_form.html", context, status=INVALID if form.errors else 200)


@require_GET
@login_required
def document_download(request: HttpRequest, code: str, document_code: str) -> FileResponse:
    document = access.get_document_for_user(request.user, code, document_code)
    try:
        handle = document.file.open("rb")
    except FileNotFoundError:
        raise Http404("No such document") from None
    response = FileResponse(
        handle, as_attachment=True, filename=document.filename or "document", content_type=document.content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response

"""Test-only endpoints: an upload into a VaultProbe, and a page that shows who asks and a decrypted value."""

from __future__ import annotations

import os
from pathlib import Path

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from refuge.vault.models import VaultProbe
from refuge.vault.storage import EncryptedUpload, upload_too_large

MARKER = b"PLAINTEXT-MARKER-7f3a"


def _files_holding(root: str | Path, needle: bytes) -> tuple[int, list[str]]:
    """(files scanned, files that contain needle) under root."""
    scanned, found = 0, []
    for directory, _dirs, names in os.walk(root):
        for name in names:
            path = Path(directory) / name
            scanned += 1
            if needle in path.read_bytes():
                found.append(str(path))
    return scanned, found


@csrf_exempt
def upload(request: HttpRequest, code: str) -> HttpResponse:
    from refuge.cases.models import Case

    files = request.FILES  # parses the upload, through the configured handlers
    # While the upload's temporary file still exists: what is on disk?
    temp_scanned, temp_found = _files_holding(settings.FILE_UPLOAD_TEMP_DIR, MARKER)
    if upload_too_large(request):
        return JsonResponse({"error": "too large", "temp_scanned": temp_scanned}, status=413)
    uploaded = files["file"]
    if not isinstance(uploaded, EncryptedUpload):  # another handler ran: report what it left on disk
        return JsonResponse({"temp_scanned": temp_scanned, "temp_found": temp_found}, status=200)
    probe = VaultProbe(case=Case.objects.get(code=code))
    probe.file = uploaded
    probe.save()
    media_scanned, media_found = _files_holding(settings.MEDIA_ROOT, MARKER)
    return JsonResponse(
        {
            "code": str(probe.code),
            "sha256": uploaded.sha256,
            "size": uploaded.plain_size,
            "temp_scanned": temp_scanned,
            "temp_found": temp_found,
            "media_scanned": media_scanned,
            "media_found": media_found,
        }
    )


def whoami(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return HttpResponse("anonymous", status=401)
    probe = VaultProbe.objects.order_by("pk").first()
    return HttpResponse(f"{request.user.username}:{probe.text if probe else ''}")

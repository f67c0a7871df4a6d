"""Files at rest: encrypted as they stream in, stored encrypted, decrypted only as they stream out.

Upload: `EncryptingUploadHandler` (the only entry of FILE_UPLOAD_HANDLERS) seals each chunk of an
uploaded file under a fresh per-file key as it arrives and writes only sealed chunks to its
temporary file; the file key stays in memory. A file past the size limit is dropped (the rest
of the form is still read, so a page can show it again with the error); a request too large to
hold a valid upload is not read at all.

Storage: `EncryptedFileField` wraps the per-file key with the case's data key (bound to
`app_label.model.field:code:key_version`) into the file's header when the file is saved.
Content that is not yet encrypted (generated documents) is sealed on its way to the storage.
`EncryptedFileSystemStorage` refuses to write anything that does not start like a vault file,
so no code path can put a plaintext file there.

Stored file: header (magic, data key version, wrapped file key), then STREAM chunks (crypto.py).
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

from django.conf import settings
from django.core.exceptions import SuspiciousFileOperation
from django.core.files.base import File
from django.core.files.storage import Storage, storages
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.db import models
from django.db.models.fields.files import FieldFile
from django.forms import BaseForm
from django.http import Http404, HttpRequest, QueryDict, StreamingHttpResponse
from django.utils.datastructures import MultiValueDict
from django.utils.http import content_disposition_header
from django.utils.translation import gettext

from refuge.vault import crypto, state
from refuge.vault.objects import case_id_of, label_of, object_code_of

READ_SIZE = crypto.STREAM_CHUNK + crypto.TAG_BYTES


def upload_limit() -> int:
    """The largest upload accepted, in bytes (REFUGE_UPLOAD_MAX_BYTES through settings)."""
    return int(getattr(settings, "VAULT_UPLOAD_MAX_BYTES", settings.FILE_UPLOAD_MAX_MEMORY_SIZE))


def upload_too_large(request: HttpRequest) -> bool:
    """Whether the vault's handler stopped this request's upload for its size."""
    return bool(getattr(request, "vault_upload_too_large", False))


class EncryptedUpload(UploadedFile):
    """An uploaded file whose bytes on disk are sealed chunks; the file key lives only here.

    `read()` gives ciphertext: use `plaintext_chunks()` to inspect the content, `sha256` and
    `plain_size` for what the client sent. It has no `temporary_file_path`, so no storage can
    move the sealed body without its header.
    """

    def __init__(
        self,
        file: Any,
        *,
        name: str,
        content_type: str | None,
        size: int,
        charset: str | None,
        content_type_extra: dict[str, bytes] | None,
        file_key: bytes,
        sha256: str,
    ) -> None:
        super().__init__(file, name, content_type, size, charset, content_type_extra)
        self.file_key = file_key
        self.sha256 = sha256
        self.plain_size = size

    def sealed_chunks(self) -> Iterator[bytes]:
        sealed = self.file
        if sealed is None:
            raise ValueError("the upload's sealed file was discarded")
        sealed.seek(0)
        while piece := sealed.read(READ_SIZE):
            yield piece

    def plaintext_chunks(self) -> Iterator[bytes]:
        return crypto.decrypt_stream(self.file_key, self.sealed_chunks())

    def head(self, size: int = 2048) -> bytes:
        """The first bytes of the plaintext (to sniff a type), decrypted in memory."""
        return next(self.plaintext_chunks(), b"")[:size]


class EncryptingUploadHandler(FileUploadHandler):
    """Seals uploads chunk by chunk; never writes a plaintext byte to disk; enforces the size limit."""

    chunk_size = crypto.STREAM_CHUNK

    def __init__(self, request: HttpRequest | None = None, *, max_bytes: int | None = None) -> None:
        super().__init__(request)
        self.limit = upload_limit() if max_bytes is None else max_bytes
        self.too_large = False
        self._temp: Any = None
        self._encryptor: crypto.StreamEncryptor | None = None
        self._hash = hashlib.sha256()
        self._size = 0

    def form_is_valid(self, form: BaseForm, field: str) -> bool:
        """`form.is_valid()`, unless the file of `field` was dropped for its size: then that is its one error."""
        valid = form.is_valid()
        if self.too_large:
            form.errors.pop(field, None)
            form.add_error(
                field, gettext("The file is larger than %(megabytes)s MB.") % {"megabytes": self.limit // (1024 * 1024)}
            )
            return False
        return valid

    def _too_large(self) -> SkipFile:
        """Drop this file (and its sealed temporary file); the other form fields are still read."""
        self.too_large = True
        if self.request is not None:
            self.request.vault_upload_too_large = True  # type: ignore[attr-defined]  # our flag, read by upload_too_large()
        self._discard()
        return SkipFile()

    def handle_raw_input(
        self,
        input_data: Any,
        META: dict[str, Any],  # noqa: N803  # Django's argument name
        content_length: int,
        boundary: bytes,  # type: ignore[override]  # Django passes bytes (MultiPartParser._boundary); django-stubs says str
        encoding: str | None = None,
    ) -> tuple[QueryDict, MultiValueDict[str, Any]] | None:
        # Larger than a file at the limit plus all the non-file data Django accepts: not read at all.
        if content_length > self.limit + settings.DATA_UPLOAD_MAX_MEMORY_SIZE:
            self._too_large()
            return QueryDict(), MultiValueDict()
        return None

    def new_file(self, *args: Any, **kwargs: Any) -> None:
        super().new_file(*args, **kwargs)
        self._discard()
        if settings.FILE_UPLOAD_TEMP_DIR:
            Path(settings.FILE_UPLOAD_TEMP_DIR).mkdir(mode=0o700, parents=True, exist_ok=True)
        self._temp = tempfile.NamedTemporaryFile(  # noqa: SIM115  # lives as long as the upload
            prefix="refuge-sealed-", suffix=".upload", dir=settings.FILE_UPLOAD_TEMP_DIR
        )
        self._encryptor = crypto.StreamEncryptor()
        self._hash = hashlib.sha256()
        self._size = 0

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        assert self._encryptor is not None and self._temp is not None  # noqa: S101  # new_file came first
        self._size += len(raw_data)
        if self._size > self.limit:
            raise self._too_large()
        self._hash.update(raw_data)
        for sealed in self._encryptor.update(raw_data):
            self._temp.write(sealed)
        return None  # nothing reaches the handlers after this one

    def file_complete(self, file_size: int) -> EncryptedUpload | None:
        if self._encryptor is None or self._temp is None:
            return None
        self._temp.write(self._encryptor.finish())
        self._temp.flush()
        self._temp.seek(0)
        upload = EncryptedUpload(
            self._temp,
            name=self.file_name or "upload",
            content_type=self.content_type,
            size=self._size,
            charset=self.charset,
            content_type_extra=self.content_type_extra,
            file_key=self._encryptor.file_key,
            sha256=self._hash.hexdigest(),
        )
        self._temp = None
        self._encryptor = None
        return upload

    def upload_interrupted(self) -> None:
        self._discard()

    def _discard(self) -> None:
        if self._temp is not None:
            self._temp.close()
        self._temp = None
        self._encryptor = None


class _SealedContent(File):  # type: ignore[type-arg]  # File is generic only in django-stubs, not at run time
    """What the storage receives: header then sealed chunks, produced lazily."""

    def __init__(self, pieces: Iterator[bytes], name: str) -> None:
        super().__init__(None, name)
        self._pieces = pieces

    def chunks(self, chunk_size: int | None = None) -> Iterator[bytes]:
        return self._pieces

    def __bool__(self) -> bool:
        return True


class EncryptedFieldFile(FieldFile):
    """A stored file that can be read only as plaintext chunks, through the case's data key."""

    def save(self, name: str, content: Any, save: bool = True) -> None:
        instance: models.Model = self.instance
        field = cast("EncryptedFileField", self.field)
        version, data_key = state.current_data_key(case_id_of(instance))
        if isinstance(content, EncryptedUpload):
            file_key = content.file_key
            body: Iterator[bytes] = content.sealed_chunks()
        else:
            encryptor = crypto.StreamEncryptor()
            file_key = encryptor.file_key
            body = _seal_all(encryptor, content)
        wrapped = crypto.wrap_key(
            data_key, file_key, aad=crypto.file_key_aad(field.label, object_code_of(instance), version)
        )
        header = crypto.stream_header(key_version=version, wrapped_file_key=wrapped)
        super().save(name, _SealedContent(_chain(header, body), name), save=save)

    def plaintext_chunks(self) -> Iterator[bytes]:
        """The file's plaintext, chunk by chunk; each chunk authenticated before it is yielded."""
        instance: models.Model = self.instance
        field = cast("EncryptedFileField", self.field)
        if not self.name:
            raise FileNotFoundError("no file is stored here")
        handle = self.storage.open(self.name, "rb")
        try:
            head = handle.read(crypto.STREAM_HEADER_MAX)
            version, wrapped, header_len = crypto.read_stream_header(head)
            data_key = state.data_key(case_id_of(instance), version)
            file_key = crypto.unwrap_key(
                data_key, wrapped, aad=crypto.file_key_aad(field.label, object_code_of(instance), version)
            )
            yield from crypto.decrypt_stream(file_key, _chain(head[header_len:], _read_all(handle)))
        finally:
            handle.close()

    def read_plaintext(self) -> bytes:
        return b"".join(self.plaintext_chunks())


@dataclass(frozen=True)
class StoredFile:
    """A vault file as it leaves as a download: the field, and the name, type and length it goes with."""

    file: FieldFile
    filename: str
    content_type: str
    size: int
    missing: str = "No such file"  # the 404's words when it is gone


def decrypted_download(stored: StoredFile, *, on_record: Callable[[], object]) -> StreamingHttpResponse:
    """A stored file, decrypted as it streams: the one way a vault file leaves as a download.

    The first chunk is decrypted (and authenticated) before `on_record` runs, so a file missing
    from the storage answers 404 with nothing on record; `on_record` (the action writing the
    download's audit entries) runs before a byte leaves. Every later chunk is authenticated before
    it is sent. The answer is an attachment, never cached, never sniffed as another type.
    """
    file = stored.file
    if not isinstance(file, EncryptedFieldFile) or not file:
        raise Http404(stored.missing)
    chunks = file.plaintext_chunks()
    try:
        first = next(chunks, b"")
    except FileNotFoundError:
        raise Http404(stored.missing) from None
    on_record()
    response = StreamingHttpResponse(_chain(first, chunks), content_type=stored.content_type)
    response["Content-Disposition"] = content_disposition_header(True, stored.filename) or "attachment"
    response["Content-Length"] = str(stored.size)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store"
    return response


def _chain(first: bytes, rest: Iterator[bytes]) -> Iterator[bytes]:
    yield first
    yield from rest


def _read_all(handle: Any) -> Iterator[bytes]:
    while piece := handle.read(READ_SIZE):
        yield piece


def _seal_all(encryptor: crypto.StreamEncryptor, content: Any) -> Iterator[bytes]:
    if hasattr(content, "seek"):
        content.seek(0)
    for piece in content.chunks() if hasattr(content, "chunks") else [content.read()]:
        yield from encryptor.update(piece if isinstance(piece, bytes) else piece.encode())
    yield encryptor.finish()


class VaultStorage(Storage):
    """The vault's files, on the storage configured as `STORAGES["vault"]` (REFUGE_STORAGE_BACKEND:
    a directory under the data dir by default, or any Django storage all the machines share), and
    only vault files: whatever the backend, plaintext is refused before a byte reaches it."""

    @property
    def backend(self) -> Storage:
        return storages["vault"]

    def _open(self, name: str, mode: str = "rb") -> File:  # type: ignore[type-arg]  # generic only in django-stubs
        return self.backend.open(name, mode)

    def _save(self, name: str, content: Any) -> str:
        if hasattr(content, "temporary_file_path"):
            raise SuspiciousFileOperation("the vault storage takes sealed content, not a temporary file to move")
        pieces = iter(content.chunks())
        first = b""
        for piece in pieces:
            first += piece
            if len(first) >= len(crypto.STREAM_MAGIC):
                break
        if not crypto.is_vault_stream(first):
            raise SuspiciousFileOperation("refusing to store a file that is not vault-encrypted")
        return self.backend.save(name, _SealedContent(_chain(first, pieces), name))

    def get_available_name(self, name: str, max_length: int | None = None) -> str:
        return self.backend.get_available_name(name, max_length)

    def generate_filename(self, filename: str | os.PathLike[str]) -> str:
        return self.backend.generate_filename(filename)

    def delete(self, name: str) -> None:
        self.backend.delete(name)

    def exists(self, name: str) -> bool:
        return self.backend.exists(name)

    def listdir(self, path: str) -> tuple[list[str], list[str]]:
        return self.backend.listdir(path)

    def size(self, name: str) -> int:
        return self.backend.size(name)

    def url(self, name: str | None) -> str:
        return self.backend.url(name)

    def path(self, name: str) -> str:
        """The file's path on this machine's disk, where the backend has one (not an object store)."""
        return self.backend.path(name)

    def stored_names(self) -> Iterator[str]:
        """Every file's name on the backend (an absent root holds none)."""
        folders = [""]
        while folders:
            folder = folders.pop()
            try:
                dirs, files = self.backend.listdir(folder)
            except FileNotFoundError:
                continue
            prefix = f"{folder}/" if folder else ""
            yield from (prefix + f for f in files)
            folders.extend(prefix + d for d in dirs)


class EncryptedFileField(models.FileField):
    """A FileField whose files are vault-encrypted with the owning case's data key."""

    attr_class = EncryptedFieldFile

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("storage", vault_storage)
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> tuple[str, str, Sequence[Any], dict[str, Any]]:
        name, path, args, kwargs = super().deconstruct()
        if kwargs.get("storage") is vault_storage:
            kwargs.pop("storage")
        return name, path, args, kwargs

    @property
    def label(self) -> str:
        return label_of(self.model, self.name)


vault_storage = VaultStorage()

"""A new private key written to a file its owner alone can read, never over an existing one."""

from __future__ import annotations

import os
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.types import PrivateKeyTypes


def write_new_private_key(path: Path, key: PrivateKeyTypes, *, error: type[Exception], exists: str) -> None:
    """Write `key` (PEM, PKCS#8, mode 600) to `path`; `error`(exists % {"path": path}) if the file exists.

    The file is created exclusively: replacing a key file would orphan what was made with the old key.
    """
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise error(exists % {"path": path}) from None
    with os.fdopen(fd, "wb") as out:
        out.write(pem)

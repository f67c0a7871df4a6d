"""A software authenticator for HTTP tests: the outside world (a security key and its browser) at
its boundary, built from py_webauthn's own CBOR and base64url helpers and an ECDSA P-256 key.

It answers the options a page carries (json_script "passkey-options") as the browser's
passkeys.js would post them: a "none" attestation at registration, a signed assertion at login.
`origin` and `rp_id` can be set wrong on purpose, as a phishing page's browser would report them.
"""

from __future__ import annotations

import hashlib
import html
import json
import os
import re
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from webauthn.helpers import base64url_to_bytes, bytes_to_base64url
from webauthn.helpers.encode_cbor import encode_cbor

UP, UV, AT = 0x01, 0x04, 0x40
OPTIONS = re.compile(r'<script id="passkey-options" type="application/json">(.*?)</script>', re.DOTALL)


def options_from(page: str) -> dict[str, Any]:
    """The ceremony's options as the page hands them to passkeys.js."""
    match = OPTIONS.search(page)
    assert match, "no passkey options on the page"
    return json.loads(html.unescape(match.group(1)))  # type: ignore[no-any-return]  # a JSON object


class SoftKey:
    def __init__(self, *, rp_id: str, origin: str, verifies: bool = True) -> None:
        self.rp_id = rp_id
        self.origin = origin
        self.verifies = verifies  # unlocks with a PIN or a finger (the UV flag)
        self.private = ec.generate_private_key(ec.SECP256R1())
        self.credential_id = os.urandom(32)
        self.sign_count = 0
        self.user_handle = b""

    def clone(self) -> SoftKey:
        """The same private key and credential on another device, its counter where it was copied."""
        twin = SoftKey(rp_id=self.rp_id, origin=self.origin, verifies=self.verifies)
        twin.private, twin.credential_id = self.private, self.credential_id
        twin.sign_count, twin.user_handle = self.sign_count, self.user_handle
        return twin

    def _cose_key(self) -> bytes:
        numbers = self.private.public_key().public_numbers()
        return encode_cbor({1: 2, 3: -7, -1: 1, -2: numbers.x.to_bytes(32, "big"), -3: numbers.y.to_bytes(32, "big")})

    def _authenticator_data(self, rp_id: str, *, attested: bool) -> bytes:
        flags = UP | (UV if self.verifies else 0) | (AT if attested else 0)
        data = hashlib.sha256(rp_id.encode()).digest() + bytes([flags]) + self.sign_count.to_bytes(4, "big")
        if attested:
            data += bytes(16) + len(self.credential_id).to_bytes(2, "big") + self.credential_id + self._cose_key()
        return data

    def _client_data(self, kind: str, challenge: str, origin: str | None) -> bytes:
        return json.dumps(
            {"type": kind, "challenge": challenge, "origin": origin or self.origin, "crossOrigin": False}
        ).encode()

    def create(self, options: dict[str, Any], *, origin: str | None = None) -> str:
        """navigator.credentials.create(): the credential as JSON."""
        self.user_handle = base64url_to_bytes(options["user"]["id"])
        client_data = self._client_data("webauthn.create", options["challenge"], origin)
        auth_data = self._authenticator_data(options["rp"]["id"], attested=True)
        attestation = encode_cbor({"fmt": "none", "attStmt": {}, "authData": auth_data})
        return json.dumps(
            {
                "id": bytes_to_base64url(self.credential_id),
                "rawId": bytes_to_base64url(self.credential_id),
                "type": "public-key",
                "response": {
                    "clientDataJSON": bytes_to_base64url(client_data),
                    "attestationObject": bytes_to_base64url(attestation),
                    "transports": ["usb", "nfc"],
                },
                "clientExtensionResults": {},
            }
        )

    def get(self, options: dict[str, Any], *, origin: str | None = None, rp_id: str | None = None) -> str:
        """navigator.credentials.get(): a signed assertion as JSON (the counter goes up first)."""
        self.sign_count += 1
        client_data = self._client_data("webauthn.get", options["challenge"], origin)
        auth_data = self._authenticator_data(rp_id or options.get("rpId") or self.rp_id, attested=False)
        signature = self.private.sign(auth_data + hashlib.sha256(client_data).digest(), ec.ECDSA(hashes.SHA256()))
        return json.dumps(
            {
                "id": bytes_to_base64url(self.credential_id),
                "rawId": bytes_to_base64url(self.credential_id),
                "type": "public-key",
                "response": {
                    "clientDataJSON": bytes_to_base64url(client_data),
                    "authenticatorData": bytes_to_base64url(auth_data),
                    "signature": bytes_to_base64url(signature),
                    "userHandle": bytes_to_base64url(self.user_handle),
                },
                "clientExtensionResults": {},
            }
        )

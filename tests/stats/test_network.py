"""Two organisations' signed, encrypted exports merge into network totals; a tampered one is refused."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.core.management import CommandError, call_command

from refuge.audit.checkpoint import public_key_text
from tests.stats.conftest import TODAY


def _lay(org: Any, user: Any, granted: int, refused: int, prefix: str) -> None:
    from refuge.cases.actions import import_casefile

    for i in range(granted + refused):
        outcome = "asylum_granted" if i < granted else "asylum_refusal_received"
        import_casefile(
            data={
                "format": "refuge.case/1",
                "reference": f"{prefix}-{i}",
                "host_state": "RU",
                "timezone": "Europe/Moscow",
                "person": {"nationality": "KP", "stateless": False, "languages": []},
                "events": [
                    {"id": "e1", "type": "asylum_applied", "at": "2023-02-01", "kind": "temporary_asylum"},
                    {"id": "e2", "type": outcome, "at": "2023-05-01", "kind": "temporary_asylum"},
                ],
            },
            organisation=org,
            user=user,
        )


def _pem(key: Ed25519PrivateKey) -> str:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


@pytest.fixture
def network(tmp_path: Path, settings, org, other_org, alice, carol) -> dict[str, Any]:  # noqa: PLR0917  # pytest fixtures
    """Each organisation exports with its own key; the coordinator trusts both."""
    _lay(org, alice, granted=6, refused=3, prefix="N")
    _lay(other_org, carol, granted=5, refused=6, prefix="S")
    call_command("stats", "keygen", str(tmp_path / "coordinator.key"))
    keys = {"north": Ed25519PrivateKey.generate(), "south": Ed25519PrivateKey.generate()}
    files = {}
    for label, organisation in (("north", org), ("south", other_org)):
        settings.REFUGE_AUDIT_SIGNING_KEY = _pem(keys[label])
        files[label] = tmp_path / f"{label}.json"
        call_command(
            "stats",
            "export",
            "--period",
            f"2016-{TODAY.year}",
            "--to",
            str(tmp_path / "coordinator.key.pub"),
            "--organisation",
            organisation.name,
            "-o",
            str(files[label]),
        )
    signers = tmp_path / "signers.txt"
    signers.write_text("".join(f"{public_key_text(k.public_key())} {label}\n" for label, k in keys.items()))
    return {"files": files, "key": tmp_path / "coordinator.key", "signers": signers, "tmp": tmp_path}


def _merge(net: dict[str, Any], *files: Path) -> dict[str, Any]:
    out = net["tmp"] / "merged.json"
    call_command(
        "stats", "merge", *map(str, files), "--key", str(net["key"]), "--signers", str(net["signers"]), "-o", str(out)
    )
    return json.loads(out.read_text())


def _headline(merged: dict[str, Any], group: str) -> str:
    asylum = next(t for t in merged["tables"] if t["id"] == "asylum" and t["group"] == group)
    return asylum["headlines"][1]["text"]


def test_two_organisations_exports_merge_into_network_totals_under_control(network) -> None:
    merged = _merge(network, network["files"]["north"], network["files"]["south"])
    assert _headline(merged, "*") == "11 of 20"  # 6 + 5 granted of 9 + 11 applications
    assert _headline(merged, "organisation:north") == "6 of 9"
    assert _headline(merged, "organisation:south") == "5 of 11"
    # north's 3 refusals are below the threshold: hidden, and south's 6 with them (else 9 - 6 = 3)
    asylum = {t["group"]: t for t in merged["tables"] if t["id"] == "asylum"}
    refused = {
        g: next(r for r in asylum[g]["rows"] if r["row"] == "temporary_asylum.refused")["cells"][-1]["display"]
        for g in ("organisation:north", "organisation:south")
    }
    assert refused == {"organisation:north": "< 5", "organisation:south": "[c]"}


def test_export_holds_no_reference_and_nothing_readable(network) -> None:
    text = network["files"]["north"].read_text()
    assert "N-0" not in text
    assert "temporary_asylum" not in text  # encrypted: not even the table rows can be read


def test_tampered_export_is_refused(network) -> None:
    path = network["files"]["south"]
    outer = json.loads(path.read_text())
    raw = bytearray(base64.b64decode(outer["ciphertext"]))
    raw[40] ^= 1
    outer["ciphertext"] = base64.b64encode(bytes(raw)).decode()
    path.write_text(json.dumps(outer))
    with pytest.raises(CommandError, match="refused: the file was altered"):
        _merge(network, network["files"]["north"], path)


def test_export_signed_by_an_untrusted_key_is_refused(network) -> None:
    network["signers"].write_text(network["signers"].read_text().splitlines()[0] + "\n")  # north only
    with pytest.raises(CommandError, match="refused: signed by a key the coordinator does not trust"):
        _merge(network, network["files"]["north"], network["files"]["south"])

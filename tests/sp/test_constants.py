"""The signature-algorithm allow-list and the SAML names live in one module of the SP."""

from __future__ import annotations

from pathlib import Path

from sp.saml import constants, gate, logout, metadata

SP = Path(__file__).resolve().parents[2] / "sp"


def test_gate_metadata_and_logout_accept_the_same_algorithms() -> None:
    # The very objects each module imported (mypy: not re-exported, on purpose).
    assert gate.SIGNATURE_METHODS is constants.SIGNATURE_METHODS  # type: ignore[attr-defined]
    assert metadata.SIGNATURE_METHODS is constants.SIGNATURE_METHODS  # type: ignore[attr-defined]
    assert logout.SIGNATURE_METHODS is constants.SIGNATURE_METHODS  # type: ignore[attr-defined]
    assert gate.DIGEST_METHODS is metadata.DIGEST_METHODS is constants.DIGEST_METHODS  # type: ignore[attr-defined]
    assert set(constants.SIGNATURE_METHODS.values()) <= set(logout._HASHES)


def test_no_other_sp_module_spells_an_algorithm_or_namespace_uri() -> None:
    home = SP / "saml" / "constants.py"
    spelled = [
        str(path.relative_to(SP))
        for path in SP.rglob("*.py")
        if path != home
        and any(
            uri in path.read_text()
            for uri in (
                "xmldsig-more#rsa-",
                "xmlenc#sha",
                "xml-exc-c14n#",
                "urn:oasis:names:tc:SAML:",
                "http://www.w3.org/2000/09/xmldsig#",
            )
        )
    ]
    assert spelled == []

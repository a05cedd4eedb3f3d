"""An app's signed metadata and certificate downloads (docs/reference/entra.md §2, §6)."""

from __future__ import annotations

from mock_idp.protocol.metadata import MetadataSpec, build_metadata, to_document
from mock_idp.protocol.signing import Signer
from mock_idp.state import IdpState
from mock_idp.tenant import EnterpriseApp


def app_metadata(state: IdpState, app: EnterpriseApp, *, include_inactive: bool = False) -> bytes:
    """Signed with the app's active certificate, which is the one published (§2)."""
    published = [c for c in app.certificates if c.active or include_inactive]
    spec = MetadataSpec(
        entity_id=state.tenant.issuer,
        saml2_url=state.saml2_url(),
        wsfed_url=f"{state.config.base_url}/{state.tenant.tenant_id}/wsfed",
        certificates_b64=tuple(c.pair.cert_b64 for c in published),
    )
    unsigned = build_metadata(spec, new_id=state.new_id)
    signed = Signer(pair=app.active_certificate.pair).sign(unsigned, after=None)
    return to_document(signed)

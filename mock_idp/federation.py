"""Federation metadata documents: an app's (`?appid=`, signed with the app's SAML certificate)
and the tenant-wide one (no `appid`: the tenant's own token-signing key, not any app's).

The tenant-wide key is made once per tenant and kept as `tenant-{tenant id}.key`/`.crt` in the
mock's keys folder (`--keys`; else the certificates folder, where `make setup` puts the test
keys), so it survives restarts and every worker publishes the same one; when neither folder is
writable it is kept in the shared store for the life of the mock. The facts:
docs/reference/entra.md §2 (metadata) and §6 (certificates).
"""

from __future__ import annotations

from mock_idp import certificates
from mock_idp.certificates import SigningPair
from mock_idp.protocol.metadata import MetadataSpec, build_metadata, to_document
from mock_idp.protocol.signing import Signer
from mock_idp.state import IdpState
from mock_idp.tenant import EnterpriseApp

# The subject of Entra's tenant-wide token-signing certificates.
TENANT_KEY_CN = "accounts.accesscontrol.windows.net"


def _spec(state: IdpState, published: tuple[str, ...]) -> MetadataSpec:
    return MetadataSpec(
        entity_id=state.tenant.issuer,
        saml2_url=state.saml2_url(),
        wsfed_url=f"{state.config.base_url}/{state.tenant.tenant_id}/wsfed",
        certificates_b64=published,
    )


def app_metadata(state: IdpState, app: EnterpriseApp, *, include_inactive: bool = False) -> bytes:
    """Signed with the app's active certificate, which is the one published (§2)."""
    published = tuple(c.pair.cert_b64 for c in app.certificates if c.active or include_inactive)
    unsigned = build_metadata(_spec(state, published), new_id=state.new_id)
    signed = Signer(pair=app.active_certificate.pair).sign(unsigned, after=None)
    return to_document(signed)


def tenant_key(state: IdpState) -> SigningPair:
    folder = state.config.keys_dir or state.config.certs_dir
    key, cert = (folder / f"tenant-{state.tenant.tenant_id}.{ext}" for ext in ("key", "crt"))
    if key.exists() and cert.exists():
        return certificates.load(key, cert)
    kept = state.store.get("tenant_key", state.tenant.tenant_id)
    if isinstance(kept, dict):
        return certificates.from_pem(kept["key_pem"], kept["cert_pem"])
    pair = certificates.generate(state.clock(), common_name=TENANT_KEY_CN)
    try:
        certificates.save(pair, key, cert)
    except OSError:  # a read-only folder: this run keeps it in the store
        state.store.put(
            "tenant_key",
            state.tenant.tenant_id,
            {"key_pem": pair.key_pem().decode(), "cert_pem": pair.cert_pem()},
        )
    return pair


def tenant_metadata(state: IdpState) -> bytes:
    """The same document without `appid`: the tenant's key in every KeyDescriptor."""
    pair = tenant_key(state)
    unsigned = build_metadata(_spec(state, (pair.cert_b64,)), new_id=state.new_id)
    return to_document(Signer(pair=pair).sign(unsigned, after=None))

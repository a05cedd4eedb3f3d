"""The SAML names the SP uses, and the one allow-list of signature algorithms, in one home.

The input gate (responses), the metadata reader and the single-logout verifier all accept
exactly these algorithms: a weaker one allowed in one place would be the way in.
"""

from __future__ import annotations

from types import MappingProxyType

SAMLP = "urn:oasis:names:tc:SAML:2.0:protocol"
SAML = "urn:oasis:names:tc:SAML:2.0:assertion"
MD = "urn:oasis:names:tc:SAML:2.0:metadata"
DS = "http://www.w3.org/2000/09/xmldsig#"

SUCCESS = "urn:oasis:names:tc:SAML:2.0:status:Success"
BEARER = "urn:oasis:names:tc:SAML:2.0:cm:bearer"
BINDING_HTTP_POST = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST"
BINDING_HTTP_REDIRECT = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect"
NAMEID_FORMAT_EMAILADDRESS = "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress"

# Entra's signed claims that name the account itself: they never change for one account,
# unlike the UPN, mail or display name (Microsoft: key on tid + oid, never on email).
TENANT_CLAIM = "http://schemas.microsoft.com/identity/claims/tenantid"
OBJECT_ID_CLAIM = "http://schemas.microsoft.com/identity/claims/objectidentifier"

EXC_C14N = "http://www.w3.org/2001/10/xml-exc-c14n#"
ENVELOPED = "http://www.w3.org/2000/09/xmldsig#enveloped-signature"
TRANSFORMS = frozenset({ENVELOPED, EXC_C14N})

# Signature method → its hash, SHA-256 or stronger: no SHA-1, no MD5, no HMAC.
SIGNATURE_METHODS = MappingProxyType(
    {
        "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256": "sha256",
        "http://www.w3.org/2001/04/xmldsig-more#rsa-sha384": "sha384",
        "http://www.w3.org/2001/04/xmldsig-more#rsa-sha512": "sha512",
    }
)
DIGEST_METHODS = frozenset(
    {
        "http://www.w3.org/2001/04/xmlenc#sha256",
        "http://www.w3.org/2001/04/xmldsig-more#sha384",
        "http://www.w3.org/2001/04/xmlenc#sha512",
    }
)

MAX_FORM_BYTES = 512 * 1024  # the whole POST body (Flask MAX_CONTENT_LENGTH), set at the SP's start

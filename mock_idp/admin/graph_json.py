"""Tenant objects as Microsoft Graph v1.0 represents them (the properties the mock models).

The properties `mock_idp.schema` maps to Graph names come from there; the rest (constants,
certificates, tags) are written here.

An enterprise app is two Graph objects: the `application` (identifierUris, web.redirectUris,
web.logoutUrl) and its `servicePrincipal` (loginUrl, preferredSingleSignOnMode,
samlSingleSignOnSettings, keyCredentials, appRoleAssignmentRequired, tags).
"""

from __future__ import annotations

import base64
import hashlib
import uuid
from datetime import datetime
from typing import Any

from mock_idp import schema
from mock_idp.admin.assignments import DEFAULT_ACCESS, Assignment
from mock_idp.admin.gallery import NON_GALLERY_TEMPLATE_ID, GalleryTemplate, template_by_key
from mock_idp.tenant import EnterpriseApp, Group, SigningCertificate, Tenant, User

Json = dict[str, Any]
HIDE_APP = "HideApp"  # the servicePrincipal tag behind "Visible to users? No"
INTEGRATED_APP = "WindowsAzureActiveDirectoryIntegratedApp"


def graph_time(value: datetime) -> str:
    return value.strftime("%Y-%m-%dT%H:%M:%SZ")


def collection(context: str, items: list[Json]) -> Json:
    return {"@odata.context": context, "value": items}


def organization(tenant: Tenant) -> Json:
    return {
        **schema.graph(tenant, schema.TENANT),
        "verifiedDomains": [{"name": tenant.domain, "isDefault": True, "isInitial": True}],
    }


def user(u: User) -> Json:
    return schema.graph(u, schema.USER)


def group(g: Group) -> Json:
    return {
        **schema.graph(g, schema.GROUP),
        "groupTypes": [],
        "mailEnabled": False,
        "securityEnabled": True,
    }


def application_template(t: GalleryTemplate) -> Json:
    return {
        "id": t.template_id,
        "displayName": t.display_name,
        "homePageUrl": t.home_page_url,
        "supportedSingleSignOnModes": list(t.sso_modes),
        "supportedProvisioningTypes": [],
        "logoUrl": None,
        "categories": list(t.categories),
        "publisher": t.publisher,
        "description": t.description,
    }


def _template_id(app: EnterpriseApp) -> str:
    template = template_by_key(app.template)
    return template.template_id if template else NON_GALLERY_TEMPLATE_ID


def application(app: EnterpriseApp) -> Json:
    shown = schema.graph(app, schema.APP, "application")
    shown["web"]["homePageUrl"] = None
    return {**shown, "applicationTemplateId": _template_id(app), "signInAudience": "AzureADMyOrg"}


def service_principal(app: EnterpriseApp) -> Json:
    return {
        **schema.graph(app, schema.APP, "servicePrincipal"),
        "applicationTemplateId": _template_id(app),
        "preferredTokenSigningKeyThumbprint": app.active_certificate.pair.thumbprint,
        "servicePrincipalNames": [*app.identifiers, app.app_id],
        "servicePrincipalType": "Application",
        "tags": [INTEGRATED_APP] + ([] if app.visible else [HIDE_APP]),
        # Per certificate, as addTokenSigningCertificate documents it: the private key (Sign),
        # the public key (Verify) and the password that opens the PFX, one customKeyIdentifier.
        "keyCredentials": [
            k for c in app.certificates for k in (signing_key(c), key_credential(c))
        ],
        "passwordCredentials": [password_credential(c) for c in app.certificates],
    }


def _key_id(cert: SigningCertificate) -> str:
    """A stable GUID per certificate (Graph's keyId)."""
    return str(uuid.UUID(bytes=hashlib.sha256(cert.pair.cert_der).digest()[:16], version=4))


def _custom_key_identifier(cert: SigningCertificate) -> str:
    """Base64 of the SHA-1 thumbprint, as Graph's samples show."""
    digest = hashlib.sha1(cert.pair.cert_der, usedforsecurity=False).digest()
    return base64.b64encode(digest).decode("ascii")


def key_credential(cert: SigningCertificate) -> Json:
    x509 = cert.pair.cert
    return {
        "customKeyIdentifier": _custom_key_identifier(cert),
        "displayName": x509.subject.rfc4514_string(),
        "endDateTime": graph_time(x509.not_valid_after_utc),
        "keyId": _key_id(cert),
        "startDateTime": graph_time(x509.not_valid_before_utc),
        "type": "AsymmetricX509Cert",
        "usage": "Verify",
        "key": None,
    }


def _sign_key_id(cert: SigningCertificate) -> str:
    """The private key's keyId, shared with its passwordCredential (Graph's rule)."""
    digest = hashlib.sha256(b"sign|" + cert.pair.cert_der).digest()
    return str(uuid.UUID(bytes=digest[:16], version=4))


def signing_key(cert: SigningCertificate) -> Json:
    return {**key_credential(cert), "keyId": _sign_key_id(cert), "usage": "Sign"}


def password_credential(cert: SigningCertificate) -> Json:
    x509 = cert.pair.cert
    return {
        "customKeyIdentifier": _custom_key_identifier(cert),
        "displayName": x509.subject.rfc4514_string(),
        "endDateTime": graph_time(x509.not_valid_after_utc),
        "hint": None,
        "keyId": _sign_key_id(cert),
        "secretText": None,
        "startDateTime": graph_time(x509.not_valid_before_utc),
    }


def self_signed_certificate(cert: SigningCertificate) -> Json:
    """addTokenSigningCertificate's answer: the public part, `key` = base64 DER."""
    return {
        **key_credential(cert),
        "key": cert.pair.cert_b64,
        "thumbprint": cert.pair.thumbprint,
    }


def app_role_assignment(a: Assignment, app: EnterpriseApp) -> Json:
    return {
        "id": a.principal_id,  # the mock's assignment ID is the principal's object ID
        "appRoleId": DEFAULT_ACCESS,
        "principalDisplayName": a.display_name,
        "principalId": a.principal_id,
        "principalType": a.principal_type,
        "resourceDisplayName": app.name,
        "resourceId": app.object_id,
    }

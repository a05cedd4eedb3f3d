"""The running tenant as a tenant file: the format `load_tenant` reads, so a reset is faithful.

Certificates loaded from files are exported as those (absolute) paths; generated or uploaded
ones are exported inline as PEM (`key_pem`, `cert_pem`), private key included, so signing
continues with the same keys after a reload. Passwords are exported too: this is test data.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import tomli_w

from mock_idp.tenant import EnterpriseApp, SigningCertificate, Tenant


def export_toml(tenant: Tenant, *, now: datetime) -> str:
    header = (
        f"# Tenant '{tenant.name}' exported from the mock Entra ID at "
        f"{now.strftime('%Y-%m-%dT%H:%M:%SZ')}.\n"
        "# Load it with `python -m mock_idp --config FILE`, or reset a running mock to it.\n"
        "# It holds passwords and private keys: test data only.\n\n"
    )
    return header + tomli_w.dumps(tenant_document(tenant), multiline_strings=True)


def tenant_document(tenant: Tenant) -> dict[str, Any]:
    """Everything the tenant holds, as plain data (also how tests compare two tenants)."""
    doc: dict[str, Any] = {
        "tenant": {
            "id": tenant.tenant_id,
            "name": tenant.name,
            "domain": tenant.domain,
            "logout_issuer_host": tenant.logout_issuer_host,
        },
    }
    if tenant.admin_upn:
        doc["admin"] = {"upn": tenant.admin_upn, "password": tenant.admin_password}
    groups = [
        {
            "object_id": g.object_id,
            "display_name": g.display_name,
            "description": g.description,
            "members": [u.upn for u in tenant.users.values() if g.object_id in u.groups],
        }
        for g in tenant.groups.values()
    ]
    users = [
        {
            "object_id": u.object_id,
            "upn": u.upn,
            "display_name": u.display_name,
            "given_name": u.given_name,
            "surname": u.surname,
            "mail": u.mail,
            "password": u.password,
            "enabled": u.enabled,
            "mfa": u.mfa,
            # Group IDs with no [[groups]] entry (e.g. seeded for a groups claim) stay here.
            "groups": [g for g in u.groups if g not in tenant.groups],
        }
        for u in tenant.users.values()
    ]
    apps = [_app(app, tenant) for app in tenant.apps.values()]
    # Empty lists are left out: TOML would write them as `users = []` above the tables.
    for key, rows in (("groups", groups), ("users", users), ("apps", apps)):
        if rows:
            doc[key] = rows
    return doc


def _app(app: EnterpriseApp, tenant: Tenant) -> dict[str, Any]:
    row: dict[str, Any] = {
        "name": app.name,
        "app_id": app.app_id,
        "object_id": app.object_id,
        "application_object_id": app.application_object_id,
    }
    if app.template is not None:
        row["template"] = app.template
    row |= {
        "sso_mode": app.sso_mode,
        "identifiers": list(app.identifiers),
        "reply_urls": list(app.reply_urls),
        "sign_on_url": app.sign_on_url,
        "relay_state": app.relay_state,
        "logout_url": app.logout_url,
        "enabled": app.enabled,
        "assignment_required": app.assignment_required,
        "visible": app.visible,
        "assigned": sorted(u.upn for u in tenant.users.values() if u.object_id in app.assigned),
        "assigned_groups": sorted(g for g in app.assigned if g in tenant.groups),
        "signing": {"option": app.signing_option, "algorithm": app.signing_algorithm},
        "name_id": {"source": app.name_id_source, "format": app.name_id_format},
        "claims": [{"name": r.name, "source": r.source} for r in app.claim_rules],
        "require_signed_requests": app.require_signed_requests,
        "verification_certificates": list(app.verification_certificates),
        "scenario": list(app.scenario) if isinstance(app.scenario, tuple) else app.scenario,
        "certificates": [_certificate(c) for c in app.certificates],
    }
    return row


def _certificate(cert: SigningCertificate) -> dict[str, Any]:
    if cert.source is not None:
        key, crt = cert.source
        return {"key": str(key.resolve()), "cert": str(crt.resolve()), "active": cert.active}
    return {
        "key_pem": cert.pair.key_pem().decode("ascii"),
        "cert_pem": cert.pair.cert_pem().replace("\r\n", "\n"),
        "active": cert.active,
    }

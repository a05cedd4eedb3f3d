"""The running tenant as a tenant file: the format `load_tenant` reads, so a reset is faithful.

The keys are those of `mock_idp.schema`. Signing certificates are exported inline as PEM
(`key_pem`, `cert_pem`), private key included, so signing continues with the same keys after
a reload or an upload. Passwords are exported too: this is test data.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import tomli_w

from mock_idp import schema
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
    doc = schema.write(tenant, schema.TENANT)
    defaults = schema.write_defaults(schema.TENANT)
    for section in [k for k in doc if k != "tenant"]:
        if doc[section] == defaults[section]:  # e.g. no [admin] account: leave the table out
            del doc[section]
    groups = [
        schema.write(g, schema.GROUP)
        | {"members": [u.upn for u in tenant.users.values() if g.object_id in u.groups]}
        for g in tenant.groups.values()
    ]
    users = [
        # Group IDs with no [[groups]] entry (e.g. seeded for a groups claim) stay here.
        schema.write(u, schema.USER) | {"groups": [g for g in u.groups if g not in tenant.groups]}
        for u in tenant.users.values()
    ]
    apps = [_app(app, tenant) for app in tenant.apps.values()]
    # Empty lists are left out: TOML would write them as `users = []` above the tables.
    for key, rows in (("groups", groups), ("users", users), ("apps", apps)):
        if rows:
            doc[key] = rows
    return doc


def _app(app: EnterpriseApp, tenant: Tenant) -> dict[str, Any]:
    row = schema.write(app, schema.APP)
    row |= {
        "assigned": sorted(u.upn for u in tenant.users.values() if u.object_id in app.assigned),
        "assigned_groups": sorted(g for g in app.assigned if g in tenant.groups),
        "claims": [{"name": r.name, "source": r.source} for r in app.claim_rules],
        "verification_certificates": list(app.verification_certificates),
        "scenario": list(app.scenario) if isinstance(app.scenario, tuple) else app.scenario,
        "certificates": [_certificate(c) for c in app.certificates],
    }
    return row


def _certificate(cert: SigningCertificate) -> dict[str, Any]:
    """Inline PEM, whatever the certificate was loaded from: an export can be uploaded, and an
    upload names no files."""
    return {
        "key_pem": cert.pair.key_pem().decode("ascii"),
        "cert_pem": cert.pair.cert_pem().replace("\r\n", "\n"),
        "active": cert.active,
    }

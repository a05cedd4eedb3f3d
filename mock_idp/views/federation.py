"""Federation metadata (an app's, or the tenant-wide one) and the certificate downloads.

Entra matches these paths without regard to case (`/FederationMetadata/2007-06/
FederationMetadata.xml` is the spelling its docs use for the tenant-wide document, the lower
case one for an app's); `canonical_paths` gives the mock the same tolerance for them and for
`/saml2`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any

from flask import Blueprint, Flask, Response, abort, request

from mock_idp.federation import app_metadata, tenant_metadata
from mock_idp.state import get_state
from mock_idp.tenant import EnterpriseApp
from mock_idp.views.saml2 import tenant_state

bp = Blueprint("federation", __name__)


def _app(app_id: str | None) -> EnterpriseApp:
    app = get_state().tenant.apps.get(app_id or "")
    if app is None:
        abort(404, description=f"No application with ID '{app_id}' in this tenant.")
    return app


_CASELESS = re.compile(
    r"^(/[^/]+)(/federationmetadata/2007-06/federationmetadata\.xml|/saml2)$", re.IGNORECASE
)


def canonical_paths(app: Flask) -> None:
    """Route Entra's case-insensitive endpoint paths to their lower-case rules."""
    inner = app.wsgi_app

    def wsgi(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        match = _CASELESS.match(environ.get("PATH_INFO", ""))
        if match:
            environ["PATH_INFO"] = match.group(1) + match.group(2).lower()
        return inner(environ, start_response)

    app.wsgi_app = wsgi  # type: ignore[method-assign]


@bp.get("/<tenant>/federationmetadata/2007-06/federationmetadata.xml")
def metadata(tenant: str) -> Response:
    state = tenant_state(tenant)
    if "appid" not in request.args:  # the tenant-wide document (tenant-wide keys)
        return Response(tenant_metadata(state), mimetype="application/xml")
    app = _app(request.args.get("appid"))
    # includeInactive=true: the mock's option to publish inactive certificates too (§2 [Unc]).
    inactive = request.args.get("includeInactive", "").lower() == "true"
    body = app_metadata(state, app, include_inactive=inactive)
    headers = {}
    if request.args.get("download"):  # the admin center's "Federation Metadata XML" download
        headers["Content-Disposition"] = f'attachment; filename="{app.name.replace(" ", "")}.xml"'
    return Response(body, mimetype="application/xml", headers=headers)


@bp.get("/<tenant>/apps/<app_id>/certificate/<thumbprint>.<fmt>")
def certificate(tenant: str, app_id: str, thumbprint: str, fmt: str) -> Response:
    """Certificate (Base64) `.cer` PEM text, Certificate (Raw) `.der`-in-`.cer`, or `.pem`."""
    tenant_state(tenant)
    app = _app(app_id)
    cert = next((c for c in app.certificates if c.pair.thumbprint == thumbprint.upper()), None)
    if cert is None:
        abort(404, description="No such certificate for this application.")
    kind = request.args.get("kind", "base64")
    name = app.name.replace(" ", "")
    if fmt == "cer" and kind == "raw":
        body, mimetype = cert.pair.cert_der, "application/pkix-cert"
    elif fmt in ("cer", "pem"):
        body, mimetype = cert.pair.cert_pem().encode("ascii"), "application/x-x509-ca-cert"
    else:
        abort(404)
    disposition = f'attachment; filename="{name}.{fmt}"'
    return Response(body, mimetype=mimetype, headers={"Content-Disposition": disposition})

"""The automation API's one-call app set-up, for the Python client (`mock_idp.testing`).

`POST /mock/apps` takes an app as a JSON object with the keys of an `[[apps]]` table of a
tenant file (`mock_idp.schema`: `name`, `identifiers`, `reply_urls`, `sign_on_url`,
`signing = {option, algorithm}`, `name_id = {source, format}`, `claims`, `assigned`, …) and
checks it with the same rules, so a refusal names the field in the same words; nothing is
added then. It answers, as `GET /mock/apps/{id}` does, what an SP administrator copies from
"Set up <app>": Login URL, Microsoft Entra Identifier, Logout URL, certificate, metadata URL.
"""

from __future__ import annotations

from flask import Blueprint, Response, jsonify

from mock_idp import tenant_file
from mock_idp.admin import apps
from mock_idp.state import IdpState, get_state
from mock_idp.tenant import EnterpriseApp
from mock_idp.views.graph import Reply, body, changing, guard
from mock_idp.views.portal import new_guid

bp = Blueprint("graph_mock", __name__)
guard(bp)


def set_up(state: IdpState, app: EnterpriseApp) -> dict[str, object]:
    pair = app.active_certificate.pair
    base, tenant_id = state.config.base_url, state.tenant.tenant_id
    return {
        "appId": app.app_id,
        "objectId": app.object_id,
        "name": app.name,
        "identifiers": list(app.identifiers),
        "replyUrls": list(app.reply_urls),
        "loginUrl": state.saml2_url(),
        "logoutUrl": state.saml2_url(),
        "entraIdentifier": state.tenant.issuer,
        "certificatePem": pair.cert_pem().replace("\r\n", "\n"),
        "certificateBase64": pair.cert_b64,
        "certificateThumbprint": pair.thumbprint,
        "metadataUrl": f"{base}/{tenant_id}/federationmetadata/2007-06/federationmetadata.xml"
        f"?appid={app.app_id}",
    }


@bp.post("/mock/apps")
def add_app() -> Reply:
    state = get_state()
    with changing() as tenant:
        app = tenant_file.add_app(tenant, body(), now=state.clock(), new_guid=new_guid)
    return jsonify(set_up(state, app)), 201


@bp.get("/mock/apps/<ref>")
def get_app(ref: str) -> Response:
    state = get_state()
    return jsonify(set_up(state, apps.find(state.tenant, ref)))

"""The automation API's enterprise apps: gallery templates, `applications` and
`servicePrincipals` (Basic SAML Configuration, SSO mode, properties, token signing
certificates) and `appRoleAssignedTo` (Users and groups)."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, request

from mock_idp.admin import apps, assignments, gallery, graph_input, graph_json
from mock_idp.state import get_state
from mock_idp.tenant import EnterpriseApp
from mock_idp.views.graph import V1, Reply, body, changing, context, guard, no_content
from mock_idp.views.portal import new_guid

bp = Blueprint("graph_apps", __name__)
guard(bp)
SP = V1 + "/servicePrincipals/<ref>"


def _app(ref: str) -> EnterpriseApp:
    return apps.find(get_state().tenant, ref)


@bp.get(V1 + "/applicationTemplates")
def list_templates() -> Response:
    found = graph_input.filtered(
        list(gallery.GALLERY),
        request.args.get("$filter"),
        {"displayName": lambda t: t.display_name},
    )
    items = [graph_json.application_template(t) for t in found]
    return jsonify(graph_json.collection(context("applicationTemplates"), items))


@bp.get(V1 + "/applicationTemplates/<template_id>")
def get_template(template_id: str) -> Response:
    return jsonify(graph_json.application_template(gallery.template_by_id(template_id)))


@bp.post(V1 + "/applicationTemplates/<template_id>/instantiate")
def instantiate(template_id: str) -> Reply:
    with changing() as tenant:
        app = graph_input.instantiate(
            tenant, template_id, body(), now=get_state().clock(), new_guid=new_guid
        )
    return jsonify(
        {
            "@odata.context": context("microsoft.graph.applicationServicePrincipal"),
            "application": graph_json.application(app),
            "servicePrincipal": graph_json.service_principal(app),
        }
    ), 201


def _apps_filtered() -> list[EnterpriseApp]:
    return graph_input.filtered(
        list(get_state().tenant.apps.values()),
        request.args.get("$filter"),
        {"appId": lambda a: a.app_id, "displayName": lambda a: a.name},
    )


@bp.get(V1 + "/applications")
def list_applications() -> Response:
    items = [graph_json.application(a) for a in _apps_filtered()]
    return jsonify(graph_json.collection(context("applications"), items))


@bp.get(V1 + "/applications/<ref>")
def get_application(ref: str) -> Response:
    return jsonify(graph_json.application(_app(ref)))


@bp.patch(V1 + "/applications/<ref>")
def update_application(ref: str) -> Response:
    with changing() as tenant:
        graph_input.patch_application(tenant, apps.find(tenant, ref), body())
    return no_content()


@bp.delete(V1 + "/applications/<ref>")
@bp.delete(SP)
def delete_application(ref: str) -> Response:
    with changing() as tenant:
        apps.delete(tenant, apps.find(tenant, ref))
    return no_content()


@bp.get(V1 + "/servicePrincipals")
def list_service_principals() -> Response:
    items = [graph_json.service_principal(a) for a in _apps_filtered()]
    return jsonify(graph_json.collection(context("servicePrincipals"), items))


@bp.get(SP)
def get_service_principal(ref: str) -> Response:
    return jsonify(graph_json.service_principal(_app(ref)))


@bp.patch(SP)
def update_service_principal(ref: str) -> Response:
    with changing() as tenant:
        graph_input.patch_service_principal(tenant, apps.find(tenant, ref), body())
    return no_content()


@bp.post(SP + "/addTokenSigningCertificate")
def add_token_signing_certificate(ref: str) -> Response:
    with changing() as tenant:
        cert = graph_input.add_token_signing_certificate(
            apps.find(tenant, ref), body(), now=get_state().clock()
        )
    return jsonify(
        {
            "@odata.context": context("microsoft.graph.selfSignedCertificate"),
            **graph_json.self_signed_certificate(cert),
        }
    )


@bp.get(SP + "/appRoleAssignedTo")
def list_assignments(ref: str) -> Response:
    tenant, app = get_state().tenant, _app(ref)
    items = [graph_json.app_role_assignment(a, app) for a in assignments.assignments(tenant, app)]
    return jsonify(graph_json.collection(context("appRoleAssignments"), items))


@bp.post(SP + "/appRoleAssignedTo")
def assign(ref: str) -> Reply:
    with changing() as tenant:
        app = apps.find(tenant, ref)
        assignment = graph_input.assign(tenant, app, body())
    return jsonify(graph_json.app_role_assignment(assignment, app)), 201


@bp.delete(SP + "/appRoleAssignedTo/<assignment_id>")
def unassign(ref: str, assignment_id: str) -> Response:
    with changing() as tenant:
        assignments.unassign(tenant, apps.find(tenant, ref), assignment_id)
    return no_content()

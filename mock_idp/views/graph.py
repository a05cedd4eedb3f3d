"""The automation API: what the admin center does, shaped after the Microsoft Graph v1.0 calls
that automate SAML apps, plus the mock's own `/mock/tenant` export and reset.

Every call needs `Authorization: Bearer <token>` (printed by `python -m mock_idp` at start, or
MOCK_IDP_API_TOKEN). Errors are Graph's `{"error": {"code", "message"}}` with a 4xx status,
and a refused call changes nothing.
"""

from __future__ import annotations

import hmac
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from flask import Blueprint, Response, current_app, jsonify, request
from werkzeug.exceptions import HTTPException

from mock_idp.admin import directory, graph_input, graph_json
from mock_idp.admin.errors import AdminError
from mock_idp.admin.tenant_files import packaged
from mock_idp.config import TENANTS_DIR
from mock_idp.state import get_state
from mock_idp.tenant import Tenant
from mock_idp.views.portal import new_guid
from mock_idp.views.portal_tenant import export_response, reset_tenant

bp = Blueprint("graph", __name__)
V1 = "/v1.0"
Reply = Response | tuple[Response, int]
EMPTY_TOKEN = (
    "Access token is empty. Send 'Authorization: Bearer <token>': python -m mock_idp prints "
    "the token at start (set MOCK_IDP_API_TOKEN to choose it)."
)


def no_content() -> Response:
    return Response(status=204)


def graph_error(status: int, code: str, message: str) -> tuple[Response, int]:
    return jsonify({"error": {"code": code, "message": message}}), status


def authenticate() -> tuple[Response, int] | None:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    expected = get_state().config.api_token
    if scheme.lower() != "bearer" or not token.strip():
        reply = graph_error(401, "InvalidAuthenticationToken", EMPTY_TOKEN)
    elif not hmac.compare_digest(token.strip().encode(), expected.encode()):
        reply = graph_error(
            401,
            "InvalidAuthenticationToken",
            "Access token validation failure: this is not the mock's automation API token.",
        )
    else:
        return None
    reply[0].headers["WWW-Authenticate"] = 'Bearer realm="mock_idp"'
    return reply


def refused(error: AdminError) -> tuple[Response, int]:
    return graph_error(error.status, error.code, error.message)


def http_error(error: HTTPException) -> tuple[Response, int]:
    return graph_error(error.code or 500, error.name.replace(" ", ""), error.description or "")


def guard(blueprint: Blueprint) -> None:
    """Bearer token first; typed errors and HTTP errors as Graph's JSON."""
    blueprint.before_request(authenticate)
    blueprint.register_error_handler(AdminError, refused)
    blueprint.register_error_handler(HTTPException, http_error)


guard(bp)


def body() -> Any:
    """The JSON body; an unreadable one is refused with Graph's message."""
    try:
        data = request.get_json(force=True, silent=True)
    except RecursionError as exc:  # nested deeper than the JSON parser recurses: unreadable
        raise _bad_json() from exc
    if data is None and request.get_data().strip():
        raise _bad_json()
    return data


def _bad_json() -> AdminError:
    return AdminError(
        "Unable to read JSON request payload. Please ensure Content-Type header is set and "
        "payload is of valid JSON format."
    )


@contextmanager
def changing() -> Iterator[Tenant]:
    tenant = get_state().tenant
    with tenant.lock:
        yield tenant


def context(fragment: str) -> str:
    return f"{get_state().config.base_url}{V1}/$metadata#{fragment}"


@bp.get(V1 + "/organization")
def organization() -> Response:
    tenant = get_state().tenant
    return jsonify(
        graph_json.collection(context("organization"), [graph_json.organization(tenant)])
    )


@bp.get(V1 + "/users")
def list_users() -> Response:
    found = graph_input.filtered(
        list(get_state().tenant.users.values()),
        request.args.get("$filter"),
        {"userPrincipalName": lambda u: u.upn, "displayName": lambda u: u.display_name},
    )
    return jsonify(graph_json.collection(context("users"), [graph_json.user(u) for u in found]))


@bp.post(V1 + "/users")
def create_user() -> Reply:
    with changing() as tenant:
        user = graph_input.create_user(tenant, body(), new_guid=new_guid)
    return jsonify({"@odata.context": context("users/$entity"), **graph_json.user(user)}), 201


@bp.get(V1 + "/users/<ref>")
def get_user(ref: str) -> Response:
    return jsonify(graph_json.user(directory.user(get_state().tenant, ref)))


@bp.patch(V1 + "/users/<ref>")
def update_user(ref: str) -> Response:
    with changing() as tenant:
        graph_input.update_user(tenant, directory.user(tenant, ref), body())
    return no_content()


@bp.delete(V1 + "/users/<ref>")
def delete_user(ref: str) -> Response:
    with changing() as tenant:
        directory.delete_user(tenant, directory.user(tenant, ref))
    return no_content()


@bp.get(V1 + "/groups")
def list_groups() -> Response:
    found = graph_input.filtered(
        list(get_state().tenant.groups.values()),
        request.args.get("$filter"),
        {"displayName": lambda g: g.display_name},
    )
    return jsonify(graph_json.collection(context("groups"), [graph_json.group(g) for g in found]))


@bp.post(V1 + "/groups")
def create_group() -> Reply:
    with changing() as tenant:
        group = graph_input.create_group(tenant, body(), new_guid=new_guid)
    return jsonify(graph_json.group(group)), 201


@bp.get(V1 + "/groups/<ref>")
def get_group(ref: str) -> Response:
    return jsonify(graph_json.group(directory.group(get_state().tenant, ref)))


@bp.delete(V1 + "/groups/<ref>")
def delete_group(ref: str) -> Response:
    with changing() as tenant:
        directory.delete_group(tenant, directory.group(tenant, ref))
    return no_content()


@bp.get(V1 + "/groups/<ref>/members")
def list_members(ref: str) -> Response:
    tenant = get_state().tenant
    found = directory.members(tenant, directory.group(tenant, ref))
    return jsonify(
        graph_json.collection(context("directoryObjects"), [graph_json.user(u) for u in found])
    )


@bp.post(V1 + "/groups/<ref>/members/$ref")
def add_member(ref: str) -> Response:
    with changing() as tenant:
        group = directory.group(tenant, ref)
        directory.add_member(group, graph_input.member_ref(tenant, body()))
    return no_content()


@bp.delete(V1 + "/groups/<ref>/members/<member>/$ref")
def remove_member(ref: str, member: str) -> Response:
    with changing() as tenant:
        directory.remove_member(directory.group(tenant, ref), directory.user(tenant, member))
    return no_content()


@bp.get("/mock/tenant")
def export_tenant() -> Response:
    """The running tenant as a tenant file (TOML)."""
    return export_response(get_state())


@bp.get("/mock/tenant/files")
def tenant_files() -> Response:
    return jsonify(
        {"startup": str(get_state().config.tenant_file), "packaged": packaged(TENANTS_DIR)}
    )


@bp.post("/mock/tenant/reset")
def reset() -> Response:
    """Reset to the startup file; `?file=NAME` a packaged one; a TOML body an uploaded one."""
    content = request.get_data() or None
    tenant, source = reset_tenant(get_state(), content=content, name=request.args.get("file", ""))
    return jsonify(
        {
            "source": source,
            "tenant": {"id": tenant.tenant_id, "name": tenant.name, "domain": tenant.domain},
            "users": len(tenant.users),
            "groups": len(tenant.groups),
            "apps": len(tenant.apps),
        }
    )


METHODS = ("GET", "POST", "PATCH", "PUT", "DELETE")


@bp.route(V1 + "/<path:rest>", methods=METHODS)
@bp.route("/mock/<path:rest>", methods=METHODS)
def unknown(rest: str) -> tuple[Response, int]:
    """Graph's answers for a path it does not have, or a method the path does not take."""
    adapter = current_app.url_map.bind_to_environ(request.environ)
    for method in METHODS:
        try:
            endpoint, _ = adapter.match(method=method)
        except HTTPException:
            continue
        if endpoint != "graph.unknown":
            return graph_error(
                405,
                "Request_BadRequest",
                "Specified HTTP method is not allowed for the request uri.",
            )
    return graph_error(
        400, "BadRequest", f"Resource not found for the segment '{rest.split('/')[0]}'."
    )

"""Sign-in logs: a row per attempt with the IDs of Entra's error page, in the admin center's
Monitoring > Sign-in logs and in Graph's `/v1.0/auditLogs/signIns` with `$filter`."""

from __future__ import annotations

import html
import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from mock_idp.state import IdpState
from tests.flows import answer_kmsi
from tests.mock_idp.saml_requests import TENANT_ID, authn_request, get, redirect_query

SIGNINS = "/v1.0/auditLogs/signIns"
TRAKSTAR_APP_ID = "b6e1f3a8-0c2d-4d7e-a9f5-3c8b1e2d4f60"


def bearer(idp_state: IdpState) -> dict[str, str]:
    return {"Authorization": f"Bearer {idp_state.config.api_token}"}


def attempt(idp: FlaskClient, upn: str, typed: str = "Passw0rd!"):  # type: ignore[no-untyped-def]
    assert get(idp, redirect_query(authn_request())).status_code in (200, 302)
    response = idp.post(f"/{TENANT_ID}/login/password", data={"loginfmt": upn, "passwd": typed})
    return answer_kmsi(idp, response)


def page_ids(response) -> tuple[str, str]:  # type: ignore[no-untyped-def]
    text = html.unescape(response.text)
    request_id = re.search(r'id="requestId">([0-9a-f-]{36})<', text)
    correlation_id = re.search(r'id="correlationId">([0-9a-f-]{36})<', text)
    assert request_id and correlation_id, text[:600]
    return request_id.group(1), correlation_id.group(1)


def rows(idp: FlaskClient, idp_state: IdpState, query: str = "") -> list[dict[str, Any]]:
    response = idp.get(SIGNINS + query, headers=bearer(idp_state))
    assert response.status_code == 200, response.text
    value: list[dict[str, Any]] = response.json["value"]  # type: ignore[index]
    return value


@pytest.mark.parametrize(
    ("upn", "code"),
    [("Adele.Vance@contoso.com", 50105), ("Lynne.Robbins@contoso.com", 50057)],
)
def test_an_error_page_and_its_log_row_share_request_and_correlation_ids(
    idp: FlaskClient, idp_state: IdpState, upn: str, code: int
) -> None:
    request_id, correlation_id = page_ids(attempt(idp, upn))

    (row,) = rows(idp, idp_state, f"?$filter=id eq '{request_id}'")

    assert row["correlationId"] == correlation_id
    assert row["status"]["errorCode"] == code
    assert row["userPrincipalName"] == upn
    assert row["appDisplayName"] == "Trakstar" and row["appId"] == TRAKSTAR_APP_ID
    assert row["ipAddress"] == "127.0.0.1" and row["clientAppUsed"] == "Browser"


def test_inline_failures_and_a_success_are_rows_too(idp: FlaskClient, idp_state: IdpState) -> None:
    attempt(idp, "Nobody@contoso.com")
    attempt(idp, "B.Simon@contoso.com", "wrong")
    attempt(idp, "B.Simon@contoso.com")

    newest_first = [
        (r["userPrincipalName"], r["status"]["errorCode"]) for r in rows(idp, idp_state)
    ]

    assert newest_first == [
        ("B.Simon@contoso.com", 0),
        ("B.Simon@contoso.com", 50126),
        ("Nobody@contoso.com", 50034),
    ]
    success = rows(idp, idp_state, "?$filter=status/errorCode eq 0")[0]
    assert success["status"]["failureReason"] == "Other."
    assert [s["authenticationMethod"] for s in success["authenticationDetails"]] == ["Password"]


def test_one_sign_in_flow_keeps_one_correlation_id(idp: FlaskClient, idp_state: IdpState) -> None:
    attempt(idp, "B.Simon@contoso.com", "wrong")
    idp.post(
        f"/{TENANT_ID}/login/password",
        data={"loginfmt": "B.Simon@contoso.com", "passwd": "Passw0rd!"},
    )
    idp.post(f"/{TENANT_ID}/kmsi", data={"LoginOptions": "3"})
    success, failure = rows(idp, idp_state)
    assert success["correlationId"] == failure["correlationId"] != ""
    assert success["id"] != failure["id"]


def test_filters_graph_supports(idp: FlaskClient, idp_app: Flask, idp_state: IdpState) -> None:
    attempt(idp, "Adele.Vance@contoso.com")
    attempt(idp_app.test_client(), "B.Simon@contoso.com")  # another browser
    by_user = rows(idp, idp_state, "?$filter=startswith(userPrincipalName,'adele')")
    assert [r["userPrincipalName"] for r in by_user] == ["Adele.Vance@contoso.com"]
    both = rows(
        idp,
        idp_state,
        f"?$filter=appId eq '{TRAKSTAR_APP_ID}' and status/errorCode ne 0"
        " and createdDateTime ge 2020-01-01T00:00:00Z",
    )
    assert [r["status"]["errorCode"] for r in both] == [50105]
    assert len(rows(idp, idp_state, "?$top=1")) == 1


@pytest.mark.parametrize(
    ("query", "named"),
    [
        ("$filter=mail eq 'x'", "'mail' is not supported"),
        ("$filter=appId ne 'x'", "'ne' is not supported on 'appId'"),
        ("$filter=status/errorCode eq abc", "not a valid value for 'status/errorCode'"),
        ("$filter=userId eq x", "must be a quoted string"),
        ("$top=0", "$top"),
    ],
)
def test_an_unsupported_filter_is_refused_with_graphs_error(
    idp: FlaskClient, idp_state: IdpState, query: str, named: str
) -> None:
    response = idp.get(f"{SIGNINS}?{query}", headers=bearer(idp_state))
    assert response.status_code == 400
    assert named in response.json["error"]["message"]  # type: ignore[index]


def test_one_row_by_id_and_the_api_needs_the_token(idp: FlaskClient, idp_state: IdpState) -> None:
    request_id, _ = page_ids(attempt(idp, "Adele.Vance@contoso.com"))
    one = idp.get(f"{SIGNINS}/{request_id}", headers=bearer(idp_state))
    assert one.status_code == 200 and one.json["status"]["errorCode"] == 50105  # type: ignore[index]
    assert idp.get(f"{SIGNINS}/nope", headers=bearer(idp_state)).status_code == 404
    assert idp.get(SIGNINS).status_code == 401


def test_the_admin_center_lists_filters_and_details_a_row(
    idp: FlaskClient, idp_app: Flask, idp_state: IdpState
) -> None:
    request_id, correlation_id = page_ids(attempt(idp, "Adele.Vance@contoso.com"))
    attempt(idp_app.test_client(), "B.Simon@contoso.com")
    admin = idp_state.tenant
    idp.post("/admin/signin", data={"login": admin.admin_upn, "passwd": admin.admin_password})

    failures = idp.get("/admin/signins?status=failure").text
    assert "Adele Vance" in failures and "B.Simon</td>" not in failures
    by_user = idp.get("/admin/signins?user=b.simon").text
    assert "B.Simon</td>" in by_user and "Adele Vance" not in by_user

    detail = idp.get(f"/admin/signins?id={request_id}").text
    assert f'id="detail-request-id">{request_id}<' in detail
    assert f'id="detail-correlation-id">{correlation_id}<' in detail
    assert 'id="detail-error-code">50105<' in detail


def test_the_sign_in_logs_page_needs_the_admin(idp: FlaskClient) -> None:
    response = idp.get("/admin/signins")
    assert response.status_code == 302 and "/admin/signin" in response.headers["Location"]


@pytest.mark.parametrize("upn", ["Alex.Wilber@contoso.com", "Megan.Bowen@contoso.com"])
def test_users_refused_by_trakstar_are_successes_at_entra(
    idp: FlaskClient, idp_state: IdpState, upn: str
) -> None:
    """Alex (no Trakstar account) and Megan (deactivated there): Entra issued a token, so
    the row says success; the refusal is Trakstar's, in its own log."""
    posted = attempt(idp, upn)
    assert 'name="SAMLResponse"' in posted.text
    (row,) = rows(idp, idp_state, f"?$filter=userPrincipalName eq '{upn}'")
    assert row["status"]["errorCode"] == 0 and row["appDisplayName"] == "Trakstar"

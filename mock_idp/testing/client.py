"""`EntraClient`: the tenant of a running mock Entra ID, driven over HTTP.

Every change goes through the mock's automation API, which checks it with the admin center's
rules: a refusal raises `EntraError` with the mock's message (naming the field) and changes
nothing. Objects come back as frozen records (`App`, `User`, `Group`, `Case`).
"""

from __future__ import annotations

import json
import secrets
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property
from typing import Any

from mock_idp.audit.client import AuditMixin

NON_GALLERY = "8adf8e6e-67b2-4cf2-a259-e3dc5476c621"
GRAPH_OBJECT = "https://graph.microsoft.com/v1.0/directoryObjects/"


class EntraError(Exception):
    """The mock refused a call (status and its message), or did not answer (status 0)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(f"{status}: {message}" if status else message)
        self.status, self.message = status, message


@dataclass(frozen=True, kw_only=True, slots=True)
class App:
    """An enterprise app, with what an SP administrator copies from "Set up <app>"."""

    app_id: str
    object_id: str
    name: str
    identifier: str  # the default Identifier (Entity ID): the Audience
    reply_url: str  # the default Reply URL (ACS)
    login_url: str
    entra_identifier: str  # the Issuer
    logout_url: str
    certificate_pem: str  # "Certificate (Base64)": PEM text
    certificate_base64: str  # the same certificate as one line of base64 DER (as in metadata)
    thumbprint: str
    metadata_url: str
    metadata_xml: str


@dataclass(frozen=True, kw_only=True, slots=True)
class User:
    object_id: str
    upn: str
    password: str
    display_name: str


@dataclass(frozen=True, kw_only=True, slots=True)
class Group:
    object_id: str
    display_name: str


@dataclass(frozen=True, kw_only=True, slots=True)
class Case:
    """A fault-catalogue case: what the mock sends, and what a correct SP does with it."""

    name: str
    description: str
    section: str
    expected: str  # "accept" or "reject"
    refusal: str | None
    note: str


Principal = User | Group


class EntraClient(AuditMixin):  # entra.audit(...): mock_idp/audit/client.py
    def __init__(self, url: str, token: str, *, timeout: float = 30) -> None:
        self.url, self.token, self.timeout = url.rstrip("/"), token, timeout

    # -- HTTP ---------------------------------------------------------------------------
    def call(self, method: str, path: str, body: object = None, *, raw: bytes | None = None) -> Any:
        """One API call; the JSON answer (or text), or `EntraError` with the mock's message."""
        headers = {"Authorization": f"Bearer {self.token}"}
        data = raw
        if body is not None:
            data, headers["Content-Type"] = json.dumps(body).encode(), "application/json"
        request = urllib.request.Request(self.url + path, data=data, method=method, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                text = response.read().decode("utf-8")
                kind = response.headers.get_content_type()
        except urllib.error.HTTPError as exc:
            with exc:  # closes the connection
                raise EntraError(exc.code, _message(exc.read())) from None
        except (urllib.error.URLError, OSError) as exc:
            raise EntraError(0, f"the mock at {self.url} does not answer: {exc}") from None
        if kind == "application/json" and text:
            return json.loads(text)
        return text

    # -- the tenant ----------------------------------------------------------------------
    @cached_property
    def tenant_id(self) -> str:
        found: str = self.call("GET", "/v1.0/organization")["value"][0]["id"]
        return found

    def reset(self, file: str | None = None) -> None:
        """Back to the tenant the mock started with (or a packaged file by name), and clear
        the fault catalogue's queues and records when the mock is in test mode."""
        query = f"?file={urllib.parse.quote(file)}" if file else ""
        self.call("POST", "/mock/tenant/reset" + query)
        try:
            self.call("POST", "/_harness/reset", {})
        except EntraError as exc:
            if exc.status != 404:  # not in test mode: nothing to clear
                raise

    def advance(self, duration: str) -> datetime:
        """Moves the mock's clock forward by an ISO 8601 duration ("PT61M"); returns the new
        now. Test mode only. Assertions, sessions and certificates expire without sleeping."""
        moved = self.call("POST", "/_harness/clock", {"advance": duration})
        return datetime.fromisoformat(str(moved["now"]).replace("Z", "+00:00"))

    def now(self) -> datetime:
        """The mock's clock (fixed in deterministic mode, plus any time travel)."""
        reading = self.call("GET", "/_harness/clock")
        return datetime.fromisoformat(str(reading["now"]).replace("Z", "+00:00"))

    def export(self) -> str:
        """The running tenant as a tenant file (TOML)."""
        text: str = self.call("GET", "/mock/tenant")
        return text

    # -- apps ------------------------------------------------------------------------------
    def add_app(
        self,
        name: str,
        identifier: str | None = None,
        reply_url: str | None = None,
        *,
        sign_on_url: str | None = None,
        logout_url: str | None = None,
        relay_state: str | None = None,
        identifiers: Iterable[str] = (),
        reply_urls: Iterable[str] = (),
        name_id_source: str | None = None,
        name_id_format: str | None = None,
        claims: Mapping[str, str] | None = None,
        signing_option: str | None = None,
        signing_algorithm: str | None = None,
        assignment_required: bool = True,
        visible: bool = True,
        enabled: bool = True,
        **more: Any,
    ) -> App:
        """A non-gallery SAML app, configured in one call (nothing added if a value is refused).

        `identifier`/`reply_url` are the defaults (first); `identifiers`/`reply_urls` add more.
        `claims` maps claim names to source attributes (`user.mail`…) and replaces the default
        claims; `signing_option` is `assertion`, `response` or `both`; `signing_algorithm`
        `sha256` or `sha1`; `name_id_format` a NameID Format URI. `more` passes any other key
        of a tenant file's `[[apps]]` table (e.g. `scenario="xsw1"`).
        """
        row: dict[str, Any] = {
            "name": name,
            "identifiers": [*filter(None, [identifier]), *identifiers],
            "reply_urls": [*filter(None, [reply_url]), *reply_urls],
            "assignment_required": assignment_required,
            "visible": visible,
            "enabled": enabled,
            **more,
        }
        for key, value in (
            ("sign_on_url", sign_on_url), ("logout_url", logout_url), ("relay_state", relay_state),
        ):  # fmt: skip
            if value is not None:
                row[key] = value
        signing = {"option": signing_option, "algorithm": signing_algorithm}
        name_id = {"source": name_id_source, "format": name_id_format}
        for key, table in (("signing", signing), ("name_id", name_id)):
            if any(v is not None for v in table.values()):
                row[key] = {k: v for k, v in table.items() if v is not None}
        if claims is not None:
            row["claims"] = [{"name": n, "source": s} for n, s in claims.items()]
        return self._app(self.call("POST", "/mock/apps", row))

    def get_app(self, app_id: str) -> App:
        return self._app(self.call("GET", f"/mock/apps/{urllib.parse.quote(app_id)}"))

    def _app(self, found: Mapping[str, Any]) -> App:
        metadata: str = self.call("GET", found["metadataUrl"].removeprefix(self.url))
        return App(
            app_id=found["appId"],
            object_id=found["objectId"],
            name=found["name"],
            identifier=(found["identifiers"] or [""])[0],
            reply_url=(found["replyUrls"] or [""])[0],
            login_url=found["loginUrl"],
            entra_identifier=found["entraIdentifier"],
            logout_url=found["logoutUrl"],
            certificate_pem=found["certificatePem"],
            certificate_base64=found["certificateBase64"],
            thumbprint=found["certificateThumbprint"],
            metadata_url=found["metadataUrl"],
            metadata_xml=metadata,
        )

    # -- users and groups --------------------------------------------------------------------
    def add_user(
        self,
        upn: str,
        password: str | None = None,
        *,
        display_name: str | None = None,
        given_name: str = "",
        surname: str = "",
        mail: str = "",
        enabled: bool = True,
    ) -> User:
        """A user of the tenant's domain; a random compliant password when none is given."""
        password = password or f"Pw-{secrets.token_urlsafe(9)}a1"
        body = {
            "accountEnabled": enabled,
            "displayName": display_name or upn.split("@")[0],
            "mailNickname": upn.split("@")[0],
            "userPrincipalName": upn,
            "passwordProfile": {"password": password, "forceChangePasswordNextSignIn": False},
            **{
                k: v
                for k, v in (("givenName", given_name), ("surname", surname), ("mail", mail))
                if v
            },
        }
        found = self.call("POST", "/v1.0/users", body)
        return User(
            object_id=found["id"], upn=found["userPrincipalName"], password=password,
            display_name=found["displayName"],
        )  # fmt: skip

    def disable(self, user: User) -> None:
        self.call("PATCH", f"/v1.0/users/{user.object_id}", {"accountEnabled": False})

    def enable(self, user: User) -> None:
        self.call("PATCH", f"/v1.0/users/{user.object_id}", {"accountEnabled": True})

    def add_group(self, name: str, members: Iterable[User] = (), description: str = "") -> Group:
        body = {"displayName": name, "mailEnabled": False, "securityEnabled": True}
        if description:
            body["description"] = description
        found = self.call("POST", "/v1.0/groups", body)
        group = Group(object_id=found["id"], display_name=found["displayName"])
        for member in members:
            self.add_member(group, member)
        return group

    def add_member(self, group: Group, user: User) -> None:
        ref = {"@odata.id": GRAPH_OBJECT + user.object_id}
        self.call("POST", f"/v1.0/groups/{group.object_id}/members/$ref", ref)

    def assign(self, principal: Principal, app: App) -> None:
        """Users and groups > Add user/group (Default Access)."""
        body = {"principalId": principal.object_id, "resourceId": app.object_id}
        self.call("POST", f"/v1.0/servicePrincipals/{app.object_id}/appRoleAssignedTo", body)

    # -- sign-in ---------------------------------------------------------------------------
    def sign_in(self, page: Any, upn: str, password: str, **options: Any) -> None:
        """Complete the mock's sign-in pages in Playwright (see `mock_idp.testing.browser`)."""
        from mock_idp.testing.browser import sign_in

        if options.get("totp_secret"):  # the code of the mock's moment (it may have travelled)
            options.setdefault("now", self.now)
        sign_in(page, self.url, upn, password, **options)

    def response(
        self,
        app: App,
        user: User | str,
        in_response_to: str | None = None,
        case: str | None = None,
        relay_state: str | None = None,
    ) -> str:
        """A signed SAMLResponse (base64) for `user` to `app`, as the browser would post it to
        the app's default Reply URL; `case` is a fault-catalogue case name (`cases()`).
        Needs the mock in test mode."""
        upn = user if isinstance(user, str) else user.upn
        body = {"user": upn, "in_response_to": in_response_to, "case": case,
                "relay_state": relay_state}  # fmt: skip
        found: str = self.call("POST", f"/_harness/apps/{app.app_id}/response", body)[
            "saml_response"
        ]
        return found

    def cases(self) -> list[Case]:
        """The fault catalogue, with each case's expected outcome. Needs test mode."""
        return [
            Case(
                name=c["name"],
                description=c["description"],
                section=c["section"],
                expected=c["expected"]["verdict"],
                refusal=c["expected"]["refusal"],
                note=c["expected"]["note"],
            )  # fmt: skip
            for c in self.call("GET", "/_harness/faults")["faults"]
        ]


def _message(body: bytes) -> str:
    """Graph's `{"error": {"message"}}`, the harness's `{"error": "…"}`, or the text."""
    try:
        data = json.loads(body)
    except ValueError:
        return body.decode("utf-8", "replace").strip()[:500]
    error = data.get("error") if isinstance(data, dict) else None
    if isinstance(error, dict):
        return str(error.get("message", error))
    return str(error if error is not None else data)

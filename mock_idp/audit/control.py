"""The mock's side of the audit: its test-mode control API (`/_harness/…`), spoken over HTTP
so the audit drives a mock in another process, container or CI service alike."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any

from mock_idp.audit.browser import TIMEOUT
from mock_idp.audit.errors import AuditError
from mock_idp.faults.runtime import HARNESS_PREFIX


@dataclass(frozen=True, kw_only=True, slots=True)
class AuditedApp:
    app_id: str
    name: str


class Mock:
    """A running mock Entra ID in test mode, reached at `url` with the automation API token."""

    def __init__(self, url: str, token: str) -> None:
        self.url = url.rstrip("/")
        self.token = token

    def _call(self, method: str, path: str, body: object | None = None) -> tuple[int, Any]:
        data = None if body is None else json.dumps(body).encode()
        headers = {"Accept": "application/json", "Authorization": f"Bearer {self.token}"}
        if data is not None:
            headers["Content-Type"] = "application/json"
        request = urllib.request.Request(self.url + path, data=data, headers=headers, method=method)
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT) as reply:
                return reply.status, _json(reply.read())
        except urllib.error.HTTPError as reply:
            answer = (reply.code, _json(reply.read()))
            reply.close()
            return answer
        except (TimeoutError, urllib.error.URLError, ConnectionError) as exc:
            reason = getattr(exc, "reason", exc)
            raise AuditError(f"--entra: the mock at {self.url} does not answer ({reason})") from exc

    def check_token(self) -> None:
        status, _ = self._call("GET", "/v1.0/organization")
        if status == 401:
            raise AuditError(f"--token: the mock at {self.url} refused this automation API token")
        if status != 200:
            raise AuditError(f"--entra: {self.url} is not a mock Entra ID (HTTP {status})")

    def app_for(self, identifier: str) -> AuditedApp:
        status, body = self._call("GET", f"{HARNESS_PREFIX}/apps")
        if status == 404:
            raise AuditError(
                f"--entra: the mock at {self.url} is not in test mode; start it with "
                "--test-mode so the audit can choose each response"
            )
        if status != 200 or not isinstance(body, dict):
            raise AuditError(f"--entra: {self.url}{HARNESS_PREFIX}/apps answered HTTP {status}")
        for app in body.get("apps", []):
            if identifier in app.get("identifiers", []):
                return AuditedApp(app_id=str(app["app_id"]), name=str(app["name"]))
        known = ", ".join(i for a in body.get("apps", []) for i in a.get("identifiers", []))
        raise AuditError(
            f"--identifier: no app in the mock has the Identifier {identifier!r} "
            f"(known: {known or 'none'})"
        )

    def check_reply_url(self, app: AuditedApp, acs_url: str) -> None:
        """IdP-initiated, Entra posts to the app's default Reply URL: it must be this ACS."""
        status, body = self._call("GET", f"/mock/apps/{app.app_id}")
        replies = body.get("replyUrls", []) if status == 200 and isinstance(body, dict) else []
        if not replies or replies[0] != acs_url:
            raise AuditError(
                f"--acs-url: {acs_url!r} is not the default Reply URL of {app.name} in the "
                f"mock ({', '.join(map(repr, replies)) or 'none'}): IdP-initiated sign-ins "
                "are posted to the default one"
            )

    def queue(self, app: AuditedApp, case: str) -> None:
        path = f"{HARNESS_PREFIX}/apps/{app.app_id}/next-responses"
        self._call("DELETE", path)
        status, body = self._call("POST", path, {"cases": [case]})
        if status != 201:
            error = body.get("error") if isinstance(body, dict) else body
            raise AuditError(f"--case: the mock refused case {case!r}: {error}")

    def clear(self, app: AuditedApp) -> None:
        self._call("DELETE", f"{HARNESS_PREFIX}/apps/{app.app_id}/next-responses")


def _json(raw: bytes) -> Any:
    try:
        return json.loads(raw)
    except ValueError:
        return None

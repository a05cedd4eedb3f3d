"""Entra's sign-in logs: one row per sign-in attempt to an app, success or AADSTS failure,
shaped as Microsoft Graph's `signIn` resource (`/v1.0/auditLogs/signIns`).

The row's `id` is the Request ID and `correlationId` the Correlation ID that Entra's error
page shows for the same attempt, so an admin can go from a user's screenshot to the row.
`$filter` takes the properties and operators Graph documents for this resource (`eq`,
`startswith`, and `ge`/`le` on `createdDateTime`, joined by `and`); anything else is refused
with Graph's error, naming what is not supported. Pure: the caller passes `now` and the IDs.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from mock_idp.protocol import claims
from mock_idp.protocol.errors import AadstsError
from mock_idp.protocol.xml import parse_saml_time
from mock_idp.signin import Attempt
from mock_idp.tenant import Tenant

LOG = "signins"
KEEP = 5000
SUCCESS_REASON = "Other."  # what Graph reports as failureReason of a successful sign-in

METHOD_NAMES = {claims.PASSWORD_METHOD: "Password", claims.MFA_METHOD: "OATH verification code"}

# Graph's signIn $filter support (property → operators), from the signIn resource page.
FILTERABLE: dict[str, tuple[str, ...]] = {
    "appDisplayName": ("eq", "startswith"),
    "appId": ("eq",),
    "clientAppUsed": ("eq",),
    "conditionalAccessStatus": ("eq",),
    "correlationId": ("eq",),
    "createdDateTime": ("eq", "ge", "le", "gt", "lt"),
    "id": ("eq",),
    "ipAddress": ("eq", "startswith"),
    "isInteractive": ("eq",),
    "status/errorCode": ("eq", "ne"),
    "userDisplayName": ("eq", "startswith"),
    "userId": ("eq",),
    "userPrincipalName": ("eq", "startswith"),
}


class FilterError(ValueError):
    """A `$filter` the signIns API does not take; the message says which part."""


def row(
    tenant: Tenant,
    attempt: Attempt,
    error: AadstsError | None,
    *,
    request_id: str,
    correlation_id: str,
    now: datetime,
    ip_address: str,
    user_agent: str,
) -> dict[str, Any]:
    """One Graph `signIn` for this attempt."""
    app = tenant.apps.get(attempt.app_id)
    user = tenant.users.get(attempt.user_id)
    when = now.strftime("%Y-%m-%dT%H:%M:%SZ")
    return {
        "id": request_id,
        "createdDateTime": when,
        "userDisplayName": user.display_name if user else "",
        "userPrincipalName": user.upn if user else attempt.login,
        "userId": user.object_id if user else "",
        "appId": app.app_id if app else "",
        "appDisplayName": app.name if app else "",
        "ipAddress": ip_address,
        "clientAppUsed": "Browser",
        "correlationId": correlation_id,
        "conditionalAccessStatus": "notApplied",
        "isInteractive": True,
        "resourceDisplayName": app.name if app else "",
        "resourceId": app.app_id if app else "",
        "status": {
            "errorCode": error.code if error else 0,
            "failureReason": error.message if error else SUCCESS_REASON,
            "additionalDetails": None,
        },
        "deviceDetail": {"browser": user_agent[:200], "operatingSystem": "", "deviceId": ""},
        # Graph's beta carries the steps; the v1.0 resource has no such property.
        "authenticationDetails": [
            {
                "authenticationStepDateTime": when,
                "authenticationMethod": METHOD_NAMES.get(m, m),
                "succeeded": True,
            }
            for m in attempt.methods
        ],
    }


@dataclass(frozen=True, kw_only=True, slots=True)
class Clause:
    field: str
    op: str
    value: str | int | bool | datetime


_CLAUSE = re.compile(
    r"""^\s*(?:
        startswith\(\s*(?P<sfield>[A-Za-z/]+)\s*,\s*'(?P<svalue>(?:[^']|'')*)'\s*\)
      | (?P<field>[A-Za-z/]+)\s+(?P<op>eq|ne|ge|le|gt|lt)\s+
        (?:'(?P<str>(?:[^']|'')*)'|(?P<bare>[^\s']+))
    )\s*$""",
    re.VERBOSE | re.IGNORECASE,
)


def parse_filter(text: str) -> list[Clause]:
    """`a eq 'x' and startswith(b,'y') and createdDateTime ge 2026-11-30T00:00:00Z`."""
    if not text.strip():
        return []
    clauses = []
    for part in re.split(r"\s+and\s+", text.strip(), flags=re.IGNORECASE):
        clauses.append(_clause(part))
    return clauses


def _clause(part: str) -> Clause:
    match = _CLAUSE.match(part)
    if match is None:
        raise FilterError(f"Invalid filter clause: '{part.strip()}'.")
    if match["sfield"]:
        field, op, raw = _field(match["sfield"]), "startswith", match["svalue"].replace("''", "'")
        quoted = True
    else:
        field, op = _field(match["field"]), match["op"].lower()
        quoted = match["str"] is not None
        raw = match["str"].replace("''", "'") if quoted else match["bare"]
    if op not in FILTERABLE[field]:
        raise FilterError(f"The operator '{op}' is not supported on '{field}'.")
    return Clause(field=field, op=op, value=_value(field, raw, quoted=quoted))


def _field(name: str) -> str:
    for known in FILTERABLE:
        if known.lower() == name.lower():
            return known
    raise FilterError(f"Filtering on the property '{name}' is not supported.")


def _value(field: str, raw: str, *, quoted: bool) -> str | int | bool | datetime:
    try:
        if field == "status/errorCode":
            return int(raw)
        if field == "isInteractive":
            return {"true": True, "false": False}[raw.lower()]
        if field == "createdDateTime":
            return parse_saml_time(raw + "T00:00:00Z" if len(raw) == 10 else raw)
    except (ValueError, KeyError) as exc:
        raise FilterError(f"'{raw}' is not a valid value for '{field}'.") from exc
    if not quoted:
        raise FilterError(f"The value for '{field}' must be a quoted string.")
    return raw


def _get(record: dict[str, Any], field: str) -> Any:
    if field == "status/errorCode":
        return record["status"]["errorCode"]
    if field == "createdDateTime":
        return parse_saml_time(record["createdDateTime"])
    return record.get(field)


_OPS: dict[str, Callable[[Any, Any], bool]] = {
    "eq": lambda a, b: a.lower() == b.lower() if isinstance(a, str) else a == b,
    "ne": lambda a, b: a != b,
    "ge": lambda a, b: a >= b,
    "le": lambda a, b: a <= b,
    "gt": lambda a, b: a > b,
    "lt": lambda a, b: a < b,
    "startswith": lambda a, b: str(a).lower().startswith(str(b).lower()),
}


def matches(record: dict[str, Any], clauses: Sequence[Clause]) -> bool:
    return all(_OPS[c.op](_get(record, c.field), c.value) for c in clauses)


def select(
    records: Sequence[tuple[int, dict[str, Any]]], clauses: Sequence[Clause], top: int
) -> list[dict[str, Any]]:
    """The matching rows, most recent first (as Graph lists them), at most `top`."""
    newest_first = sorted(records, key=lambda r: r[0], reverse=True)
    return [r for _, r in newest_first if matches(r, clauses)][:top]


def parse_top(value: str | None) -> int:
    """`$top`: 1 to 1000 (Graph's maximum and default page size for sign-ins)."""
    if value is None or value == "":
        return 1000
    if not value.isdigit() or not 1 <= int(value) <= 1000:
        raise FilterError(f"Invalid value '{value}' for $top: a whole number from 1 to 1000.")
    return int(value)

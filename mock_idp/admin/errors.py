"""Why an admin change was refused, in words an administrator can act on.

The admin center shows the message on the page being edited (next to `field` when there is
one); the automation API returns it as Graph's `{"error": {"code", "message"}}` with `status`.
"""

from __future__ import annotations


class AdminError(Exception):
    """A refused change; nothing in the tenant was modified."""

    status: int = 400
    code: str = "Request_BadRequest"

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class InvalidValue(AdminError):
    """A value breaks one of Entra's rules (URL scheme, length, format, placeholder…)."""


class AlreadyExists(AdminError):
    """Another object already has this unique value (UPN, Identifier, assignment)."""

    # Graph answers 400 Request_BadRequest "Another object with the same value for property
    # … already exists." for these; the distinct code lets scripts tell them apart.
    code = "Request_MultipleObjectsWithSameKeyValue"


class NotFound(AdminError):
    """No such user, group, app, certificate or claim in this tenant."""

    status = 404
    code = "Request_ResourceNotFound"


class NotAllowed(AdminError):
    """The object exists but this change is not allowed (e.g. deleting the active certificate)."""

    status = 409
    code = "Request_Conflict"

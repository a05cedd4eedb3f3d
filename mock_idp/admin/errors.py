"""Why an admin change was refused, in words an administrator can act on.

The admin center shows the message on the page being edited (next to `field` when there is
one); the automation API returns it as Graph's `{"error": {"code", "message"}}` with `status`.
"""

from __future__ import annotations

from collections.abc import Sequence


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


class Invalid(InvalidValue):
    """Several values refused at once; each error keeps its field, so a form shows each one
    next to its field and an API answer lists them all."""

    def __init__(self, errors: Sequence[AdminError]) -> None:
        super().__init__(" ".join(e.message for e in errors), field=errors[0].field)
        self.errors = tuple(errors)


def raise_all(errors: Sequence[AdminError]) -> None:
    """Nothing when `errors` is empty; the error itself when there is one; else `Invalid`."""
    if len(errors) == 1:
        raise errors[0]
    if errors:
        raise Invalid(errors)


def by_field(error: AdminError | None) -> dict[str, list[str]]:
    """The messages of a refusal by field name (`""` for those without one), for templates."""
    found: dict[str, list[str]] = {}
    for one in (error.errors if isinstance(error, Invalid) else (error,)) if error else ():
        found.setdefault(one.field or "", []).append(one.message)
    return found

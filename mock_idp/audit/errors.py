"""The audit's one error: bad input or a target that does not answer. The CLI prints it on one
line and exits 2; it is never a finding about the SP."""

from __future__ import annotations


class AuditError(Exception):
    """The audit cannot run; the message names the option (or the URL) at fault."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message

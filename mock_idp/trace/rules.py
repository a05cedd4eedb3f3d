"""The rule behind each AADSTS code, read from the mock's own error types (one source)."""

from __future__ import annotations

from mock_idp.protocol import errors


def _subclasses(cls: type[errors.AadstsError]) -> list[type[errors.AadstsError]]:
    found: list[type[errors.AadstsError]] = []
    for sub in cls.__subclasses__():
        found += [sub, *_subclasses(sub)]
    return found


def rule_for(code: int) -> str:
    """One line: the check that fired, as the error type documents it."""
    for cls in _subclasses(errors.AadstsError):
        if cls.code == code and cls.__doc__:
            return cls.__doc__.strip().splitlines()[0]
    return "An error Entra reports with this code (no rule of the mock documents it)."

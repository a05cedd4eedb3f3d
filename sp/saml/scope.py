"""Where pysaml2 is the SP's own: the changes `schema.py` and `lean.py` make to pysaml2 apply
inside `ours()` only, which the SP's client enters for each response. Any other pysaml2 use in
the process (the tests' "pysaml2 alone" comparisons) keeps pysaml2's own code."""

from __future__ import annotations

import contextvars
from collections.abc import Iterator
from contextlib import contextmanager

_ours = contextvars.ContextVar("sp_saml_ours", default=False)


@contextmanager
def ours() -> Iterator[None]:
    """pysaml2 inside this block is the SP's (this thread or task only)."""
    token = _ours.set(True)
    try:
        yield
    finally:
        _ours.reset(token)


def active() -> bool:
    return _ours.get()

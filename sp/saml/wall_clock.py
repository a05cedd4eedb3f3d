"""pysaml2 reads the wall clock itself; in test mode the SP's time travel moves it too.

pysaml2 checks NotBefore/NotOnOrAfter, IssueInstant windows and stamps its own AuthnRequests
with `saml2.time_util`. `shift(offset)` makes those functions answer "wall clock + offset", so a
test that moves the SP's clock (sp/test_clock.py) moves every time check of the SP together,
ours and pysaml2's. Process-wide on purpose: one SP process has one notion of now. Only the SP's
test mode calls it.
"""

from __future__ import annotations

import calendar
import threading
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

_lock = threading.Lock()
_offset = timedelta(0)
_originals: dict[str, Callable[..., Any]] = {}


def offset() -> timedelta:
    return _offset


def shift(by: timedelta) -> None:
    """From now on pysaml2's "now" is the wall clock plus `by` (replaces any earlier shift)."""
    global _offset
    with _lock:
        if not _originals:
            _install()
        _offset = by


def _install() -> None:
    from saml2 import time_util  # here, not at import: the SP starts without pysaml2

    for name in ("utc_now", "time_in_a_while", "time_a_while_ago", "instant", "before"):
        _originals[name] = getattr(time_util, name)
    time_util.utc_now = _utc_now
    time_util.time_in_a_while = _time_in_a_while
    time_util.time_a_while_ago = _time_a_while_ago
    time_util.instant = _instant
    # `not_on_or_after` and `valid` are aliases of `before`; `after` calls it by name.
    time_util.before = time_util.not_on_or_after = time_util.valid = _before


def _utc_now() -> int:
    return int(_originals["utc_now"]()) + int(_offset.total_seconds())


def _time_in_a_while(*args: Any, **kwargs: Any) -> datetime:
    moment: datetime = _originals["time_in_a_while"](*args, **kwargs)
    return moment + _offset


def _time_a_while_ago(*args: Any, **kwargs: Any) -> datetime:
    moment: datetime = _originals["time_a_while_ago"](*args, **kwargs)
    return moment + _offset


def _instant(format: str | None = None, time_stamp: int = 0) -> str:  # noqa: A002
    from saml2 import time_util

    text: str = _originals["instant"](format or time_util.TIME_FORMAT, time_stamp or _utc_now())
    return text


def _before(point: Any) -> bool:
    """True if now is before `point` (pysaml2's `before`, on the shifted clock)."""
    if not point:
        return True
    if isinstance(point, str):
        from saml2 import time_util

        point = time_util.str_to_time(point)
    epoch = point if isinstance(point, int) else calendar.timegm(point)
    return _utc_now() <= epoch

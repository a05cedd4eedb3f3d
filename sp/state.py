"""What one running SP holds: config, pysaml2 client cache and the injected clock."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from flask import current_app

from sp.config import SpConfig
from sp.sso import ClientCache


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(kw_only=True, slots=True)
class SpState:
    config: SpConfig
    clients: ClientCache
    clock: Callable[[], datetime] = field(default=utc_now)


def get_state() -> SpState:
    state: SpState = current_app.extensions["sp"]
    return state

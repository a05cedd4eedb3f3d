"""What one running mock holds: its config, the tenant, its store, the injected clock and IDs."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from flask import current_app

from mock_idp.config import IdpConfig
from mock_idp.determinism import Tokens
from mock_idp.store import Store
from mock_idp.tenant import Tenant


def utc_now() -> datetime:
    return datetime.now(UTC)


def entra_id() -> str:
    """Entra's ID form: `_` and a lowercase hyphenated GUID (a valid xs:ID)."""
    return f"_{uuid.uuid4()}"


@dataclass(kw_only=True, slots=True)
class IdpState:
    config: IdpConfig
    tenant: Tenant
    clock: Callable[[], datetime] = field(default=utc_now)
    new_id: Callable[[], str] = field(default=entra_id)
    # Sessions, counters and logs every worker of this mock sees (mock_idp/store.py).
    store: Store = field(default_factory=Store)
    # Tokens, passwords and other secrets the mock generates: seeded in deterministic mode.
    tokens: Tokens = field(default_factory=lambda: Tokens(None, Store()))

    def saml2_url(self) -> str:
        return f"{self.config.base_url}/{self.tenant.tenant_id}/saml2"


def get_state() -> IdpState:
    state: IdpState = current_app.extensions["mock_idp"]
    return state

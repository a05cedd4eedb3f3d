"""One tenant for every worker: when the mock runs with several worker processes.

Each worker holds the tenant as objects (fast to read on every sign-in). A request that may
change it (the admin center, the Graph-shaped API, the test-mode API) runs under an exclusive
inter-process lock: the worker first catches up with the newest snapshot, then, if the request
changed the tenant, stores a new snapshot (the tenant file format, keys inline) with the next
version number. Every other request only compares one version number (one indexed read) and
reloads when another worker has moved it.

Why this is enough for a test IdP: changes to a tenant are rare and made by one admin or one
test at a time; sign-ins, which are many, never write the tenant.
"""

from __future__ import annotations

import fcntl
import json
import logging
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path

from flask import Flask, g, request

from mock_idp.admin.export import export_toml, tenant_document
from mock_idp.state import IdpState
from mock_idp.tenant import Tenant
from mock_idp.tenant_file import parse_tenant

KIND = "tenant"
VERSION = (KIND, "version")  # the record every request compares with its own version
WRITERS = ("portal", "graph", "harness", "mock")  # blueprints whose requests may change it
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
log = logging.getLogger("mock_idp")


def fingerprint(tenant: Tenant) -> str:
    return json.dumps(tenant_document(tenant), sort_keys=True, default=str)


class TenantSync:
    def __init__(self, state: IdpState, lock_path: Path) -> None:
        self._state = state
        self._lock_path = lock_path
        self._version = 0
        self._fingerprint = ""

    def install(self, app: Flask) -> None:
        with self._lock():
            self._catch_up()
            if self._version == 0:  # the first worker to start publishes its tenant
                self._publish()
        app.before_request(self._before)
        app.teardown_request(self._after)

    # -- per request -----------------------------------------------------------------------

    def _before(self) -> None:
        if self._may_write():
            held = self._lock()
            held.__enter__()
            g.tenant_lock = held
        self._catch_up()

    def _after(self, _error: BaseException | None) -> None:
        held: AbstractContextManager[None] | None = g.pop("tenant_lock", None)
        if held is None:
            return
        try:
            if fingerprint(self._state.tenant) != self._fingerprint:
                self._publish()
        finally:
            held.__exit__(None, None, None)

    def _may_write(self) -> bool:
        if request.method in SAFE_METHODS:  # most requests: no need to look further
            return False
        return (request.blueprint or "").split(".")[0].startswith(WRITERS)

    # -- snapshots -------------------------------------------------------------------------

    def _catch_up(self) -> None:
        version = self._state.store.get(*VERSION)
        if not isinstance(version, int) or version == self._version:
            return
        snapshot = self._state.store.get(KIND, "snapshot")
        if not isinstance(snapshot, str):
            return
        tenant = parse_tenant(
            snapshot,
            source="the shared tenant",
            base=None,  # an export names no files: keys are inline
            substitutions={},
            now=self._state.clock(),
        )
        self._state.tenant = tenant
        self._version = version
        self._fingerprint = fingerprint(tenant)

    def _publish(self) -> None:
        tenant = self._state.tenant
        self._version += 1
        self._fingerprint = fingerprint(tenant)
        self._state.store.put(KIND, "snapshot", export_toml(tenant, now=self._state.clock()))
        self._state.store.put(*VERSION, self._version)
        log.info("tenant version %d published to every worker", self._version)

    # -- the lock --------------------------------------------------------------------------

    @contextmanager
    def _lock(self) -> Iterator[None]:
        """Exclusive across the workers (and threads: each holder opens its own descriptor)."""
        with self._lock_path.open("a") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            yield  # closing the file releases the lock

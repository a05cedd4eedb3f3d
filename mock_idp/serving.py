"""The mock under gunicorn with N workers: what `mock-entra serve --workers N` runs.

Every worker builds the app from one `IdpConfig`, settled here before the fork. With more than
one worker they must share one store (mock_idp/store.py): when none is configured, a fresh
store file in a temporary folder is used, so the running mock starts empty and resettable, as a
mock should. The tenant is loaded once first, so a broken tenant file fails here with its
message instead of in every worker. The HTTP plumbing is the neutral `serving` package.
"""

from __future__ import annotations

import tempfile
from dataclasses import replace
from pathlib import Path

from mock_idp.config import IdpConfig

LOOPBACK = "127.0.0.1"


def worker_config(config: IdpConfig, *, workers: int) -> IdpConfig:
    """The config every worker gets: with several workers, one store file they all open."""
    if workers > 1 and config.store_path is None:
        folder = Path(tempfile.mkdtemp(prefix="mock-entra-"))
        return replace(config, store_path=folder / "store.sqlite3")
    return config


def serve(config: IdpConfig, *, workers: int, threads: int = 1) -> None:
    """Check the tenant once, then serve under gunicorn until stopped (loopback only)."""
    from mock_idp.app import create_app
    from serving import serve as serve_app

    shared = worker_config(config, workers=workers)
    create_app(shared)  # the tenant loads, and the store gets its secret and token, once
    serve_app(
        lambda: create_app(shared),
        host=LOOPBACK,
        port=shared.port,
        workers=workers,
        threads=threads,
    )

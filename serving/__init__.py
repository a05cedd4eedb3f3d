"""Run a Flask app factory under gunicorn with N worker processes, on loopback only.

Plumbing shared by both apps (it knows nothing about SAML): `python -m sp serve --workers N`
and the mock's `serve --workers N` call `serve()`. The factory is called once in every worker
after the fork, so no database connection or pool ever crosses a process boundary; whatever
must be the same in every worker (a secret key, a store path) goes into the factory's
configuration before `serve()` is called, in the parent process.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")


class ServingError(ValueError):
    """A bad serving option; the message names it."""


def gunicorn_options(
    *, host: str, port: int, workers: int, threads: int = 1, loopback_only: bool = True
) -> dict[str, Any]:
    """gunicorn's settings for one app: sync workers (one request at a time each) unless
    `threads` > 1, access log off (a load test would measure the log), errors to stderr.

    `loopback_only=False` is for a caller that has warned about another address itself
    (`mock-entra serve --host`, for a container next to the SP)."""
    if loopback_only and host not in LOOPBACK_HOSTS:
        raise ServingError(f"host {host!r}: the harness serves on loopback only")
    if not 1 <= workers <= 64:
        raise ServingError(f"--workers {workers}: choose 1 to 64")
    if not 1 <= threads <= 64:
        raise ServingError(f"--threads {threads}: choose 1 to 64")
    if not 1 <= port <= 65535:
        raise ServingError(f"port {port}: choose 1 to 65535")
    bind = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    return {
        "bind": [bind],
        "workers": workers,
        "threads": threads,
        "worker_class": "gthread" if threads > 1 else "sync",
        "accesslog": None,
        "errorlog": "-",
        "loglevel": "warning",
        "timeout": 30,
        "graceful_timeout": 5,
        "keepalive": 2,
        "preload_app": False,
    }


def serve(
    factory: Callable[[], Any],
    *,
    host: str,
    port: int,
    workers: int,
    threads: int = 1,
    loopback_only: bool = True,
) -> None:
    """Serve `factory()` until SIGINT/SIGTERM; gunicorn ends the process when it stops.

    The factory runs in each worker after the fork; one that returns an app built before
    `serve()` shares that app's loaded state with every worker (copy-on-write)."""
    from gunicorn.app.base import BaseApplication

    options = gunicorn_options(
        host=host, port=port, workers=workers, threads=threads, loopback_only=loopback_only
    )

    class _App(BaseApplication):  # type: ignore[misc]
        def load_config(self) -> None:
            for key, value in options.items():
                self.cfg.set(key, value)

        def load(self) -> Any:
            return factory()

    _App().run()

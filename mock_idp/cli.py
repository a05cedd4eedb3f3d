"""`mock-entra`: the mock Microsoft Entra ID's one console entry point.

    mock-entra serve [--config FILE] [--host H] [--port P] [--keys DIR] [--workers N] …
    mock-entra export [--config FILE | --entra URL --token T] [-o FILE]

Adding a command: a module with `add_parser(subparsers)` that registers its sub-parser and
sets `func=` (a callable taking the parsed arguments, returning the exit status), named in
`COMMANDS`. Modules that are not installed (an optional part) are skipped.
"""

from __future__ import annotations

import argparse
import importlib
import ipaddress
import logging
import os
import sys
import tempfile
import urllib.error
import urllib.request
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from mock_idp.config import DEFAULT_TENANT, IdpConfig
from mock_idp.determinism import DeterminismError, add_determinism_options, determinism_overrides
from mock_idp.keys import KeyFolder, default_folder
from mock_idp.tenant import TenantConfigError
from serving.startup import starting

LOOPBACK_NAMES = ("localhost",)
DEFAULT_PORT = 8001
# Command modules besides this one's own (serve, export); each has `add_parser(subparsers)`.
COMMANDS: tuple[str, ...] = ("mock_idp.audit.cli",)


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not hasattr(args, "func"):
        parser.print_help()
        return 2
    status: int = args.func(args)
    return status


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="mock-entra",
        description="A mock Microsoft Entra ID for testing SAML single sign-on of your own app.",
    )
    commands = parser.add_subparsers(title="commands", metavar="COMMAND")
    add_serve(commands)
    add_export(commands)
    for name in COMMANDS:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name and name.startswith(exc.name):
                continue  # that optional part is not installed
            raise
        module.add_parser(commands)
    return parser


def add_serve(commands: Any) -> None:
    serve = commands.add_parser(
        "serve",
        help="run the mock (127.0.0.1 unless --host says otherwise)",
        description="Run the mock Entra ID. Generated signing keys are kept in the keys "
        "folder and reused, so an SP configured once stays configured.",
    )
    serve.add_argument("--config", type=Path, help="tenant file (default: the packaged one)")
    serve.add_argument("--host", default="127.0.0.1", help="address to bind (127.0.0.1)")
    serve.add_argument(
        "--port",
        type=int,
        default=int(os.environ.get("MOCK_ENTRA_PORT", DEFAULT_PORT)),
        help="port (MOCK_ENTRA_PORT, else 8001)",
    )
    serve.add_argument(
        "--url", help="the mock's URL as browsers and SPs reach it (default http://HOST:PORT)"
    )
    serve.add_argument(
        "--keys", type=Path, help="keys folder (default: beside --config, or a cache folder)"
    )
    serve.add_argument("--workers", type=int, default=1, help="worker processes (gunicorn)")
    serve.add_argument("--sp-url", help="{SP_URL} in the tenant file (http://localhost:8000)")
    serve.add_argument("--token", help="automation API token (default: MOCK_IDP_API_TOKEN or new)")
    serve.add_argument(
        "--test-mode", action="store_true", help="the fault catalogue's control API (/_harness)"
    )
    add_determinism_options(serve)
    serve.add_argument(
        "--trace", action="store_true", help="the SAML tracer at /trace/ (or MOCK_IDP_TRACE=1)"
    )
    serve.add_argument(
        "--step",
        action="store_true",
        help="the tracer in step mode: stop before each Response is posted (implies --trace)",
    )
    serve.set_defaults(func=serve_command)


def add_export(commands: Any) -> None:
    export = commands.add_parser(
        "export",
        help="write a tenant as a tenant file (a running mock's, or a file's as loaded)",
    )
    export.add_argument("--config", type=Path, help="tenant file to load and export")
    export.add_argument("--keys", type=Path, help="keys folder, as for serve")
    export.add_argument("--entra", help="URL of a running mock to export instead")
    export.add_argument("--token", help="its automation API token (or MOCK_IDP_API_TOKEN)")
    export.add_argument("-o", "--output", type=Path, help="file to write (default: stdout)")
    export.set_defaults(func=export_command)


def is_loopback(host: str) -> bool:
    if host.strip("[]") in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def serve_config(args: argparse.Namespace, env: dict[str, str]) -> IdpConfig:
    host = args.host
    shown = "localhost" if host in ("0.0.0.0", "::", "[::]") else host
    if ":" in shown and not shown.startswith("["):
        shown = f"[{shown}]"
    overrides: dict[str, object] = {
        "base_url": (args.url or f"http://{shown}:{args.port}").rstrip("/"),
        "keys_dir": args.keys or default_folder(args.config, env),
        "test_mode": args.test_mode,
    }
    if args.config:
        overrides["tenant_file"] = args.config
    if args.sp_url:
        overrides["sp_url"] = args.sp_url.rstrip("/")
    if args.token:
        overrides["api_token"] = args.token
    if getattr(args, "trace", False) or getattr(args, "step", False):
        overrides["trace"] = True  # otherwise off unless MOCK_IDP_TRACE asks
    if getattr(args, "step", False):
        overrides["step"] = True
    config = IdpConfig.from_env(**overrides, **determinism_overrides(args))
    if "CERTS_DIR" not in env:  # `{CERTS_DIR}` names the stable pair in the keys folder
        config = replace(config, certs_dir=config.keys_dir or config.certs_dir)
        KeyFolder(config.certs_dir).idp_pair(datetime.now(UTC))
    return config


def banner(config: IdpConfig, host: str, port: int, workers: int, token: str) -> str:
    lines = [
        f"mock-entra: listening on {host}:{port}"
        + (f" with {workers} workers" if workers > 1 else ""),
        f"mock-entra: home          {config.base_url}/",
        f"mock-entra: admin center  {config.base_url}/admin/",
        f"mock-entra: API token     {token}   (Authorization: Bearer …)",
        f"mock-entra: tenant file   {config.tenant_file}",
        f"mock-entra: keys folder   {config.keys_dir}",
    ]
    if config.trace:
        step = "on" if config.step else "off"
        lines.append(f"mock-entra: SAML tracer   {config.base_url}/trace/  (step mode {step})")
    if not is_loopback(host):
        warning = (
            f"WARNING: bound to {host}, not loopback: anyone who can reach this address can "
            "sign in as any test user and read the tenant. Use it only on a private network "
            "(e.g. a container next to your SP)."
        )
        lines = ["!" * 78, warning, "!" * 78, *lines]
    return "\n".join(lines)


def serve_command(args: argparse.Namespace) -> int:
    if args.workers < 1:
        print("mock-entra: --workers must be at least 1", file=sys.stderr)
        return 2
    logging.basicConfig(level=logging.INFO, format="%(asctime)s mock-entra %(message)s")
    if args.workers > 1 and args.test_mode:
        print(
            "mock-entra: --test-mode needs one worker (its control queues live in one process)",
            file=sys.stderr,
        )
        return 2
    try:
        config = serve_config(args, dict(os.environ))
        if args.workers > 1 and config.store_path is None:
            # One store for every worker: sessions, sign-in logs, lockout, trace and the tenant.
            runtime = Path(tempfile.mkdtemp(prefix="mock-entra-"))
            config = replace(config, store_path=runtime / "store.sqlite3")
        with starting():
            from mock_idp.app import create_app

            app = create_app(config)
    except DeterminismError as exc:
        print(f"mock-entra: {exc}", file=sys.stderr)
        return 2
    except (TenantConfigError, OSError) as exc:
        print(f"mock-entra: cannot load the tenant: {exc}", file=sys.stderr)
        return 2
    token = app.extensions["mock_idp"].config.api_token
    print(banner(config, args.host, args.port, args.workers, token), flush=True)
    serve_app(app, args.host, args.port, args.workers)
    return 0


def serve_app(app: Any, host: str, port: int, workers: int) -> None:
    """The one place that runs the WSGI app: Werkzeug for one process, gunicorn for more."""
    if workers <= 1:
        from werkzeug.serving import run_simple

        run_simple(host, port, app, threaded=True, use_reloader=False)
        return
    run_gunicorn(app, host, port, workers)


def run_gunicorn(app: Any, host: str, port: int, workers: int) -> None:
    """Several worker processes forked from this one (the tenant loaded once, before the fork).
    They share one store (`mock_idp.store`): sessions, counters, logs, the trace, and the tenant
    itself, whose changes every worker picks up on its next request (`mock_idp.tenant_sync`).
    Sync workers: one request at a time each, the cheapest per request; no request of the mock
    waits on another (step mode shows a page, it holds nothing)."""
    from serving import serve

    state = app.extensions.get("mock_idp")
    if state is not None:
        state.store.close()  # each worker opens its own: no SQLite connection crosses a fork
    # Another address than loopback was announced by `banner` in capitals: allowed here.
    serve(lambda: app, host=host, port=port, workers=workers, loopback_only=False)


def export_command(args: argparse.Namespace) -> int:
    if args.entra:
        text = _export_running(args.entra, args.token or os.environ.get("MOCK_IDP_API_TOKEN", ""))
        if text is None:
            return 2
    else:
        text = _export_file(args)
        if text is None:
            return 2
    if args.output:
        args.output.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0


def _export_running(url: str, token: str) -> str | None:
    request = urllib.request.Request(
        url.rstrip("/") + "/mock/tenant", headers={"Authorization": f"Bearer {token}"}
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            text: str = response.read().decode("utf-8")
            return text
    except urllib.error.HTTPError as exc:
        print(f"mock-entra: {url} refused the export: {exc.code} {exc.reason}", file=sys.stderr)
    except (urllib.error.URLError, OSError) as exc:
        print(f"mock-entra: {url} does not answer: {exc}", file=sys.stderr)
    return None


def _export_file(args: argparse.Namespace) -> str | None:
    from mock_idp.admin.export import export_toml
    from mock_idp.tenant_file import load_tenant

    config = serve_config(
        argparse.Namespace(
            host="127.0.0.1", port=DEFAULT_PORT, url=None, keys=args.keys, config=args.config,
            sp_url=None, token=None, test_mode=False,
        ),
        dict(os.environ),
    )  # fmt: skip
    now = datetime.now(UTC)
    try:
        tenant = load_tenant(
            config.tenant_file or DEFAULT_TENANT,
            substitutions=config.substitutions(),
            now=now,
            keys=config.key_folder(),
        )
    except TenantConfigError as exc:
        print(f"mock-entra: cannot load the tenant: {exc}", file=sys.stderr)
        return None
    return export_toml(tenant, now=now)


if __name__ == "__main__":
    sys.exit(main())

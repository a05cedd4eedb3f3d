"""`python -m mock_idp [--config FILE] [--test-mode] [--clock INSTANT] [--seed N]`: serve the mock.

Loopback only. `--clock` and `--seed` are deterministic mode (mock_idp/determinism.py).
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from mock_idp.determinism import add_determinism_options
from serving.startup import starting

if TYPE_CHECKING:
    from flask import Flask

LOOPBACK = "127.0.0.1"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m mock_idp", description=__doc__)
    parser.add_argument("--config", type=Path, help="tenant file (default: tenants/default.toml)")
    parser.add_argument(
        "--test-mode",
        action="store_true",
        help="enable the harness control API and the Scenario menu",
    )
    add_determinism_options(parser)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s mock_idp %(message)s")
    with starting():
        app = _app(args)
    if app is None:
        return 2
    config = app.extensions["mock_idp"].config
    print(f"mock_idp: admin center {config.base_url}/admin/  My Apps {config.base_url}/myapps/")
    print(
        f"mock_idp: automation API token (Authorization: Bearer …): {config.api_token}", flush=True
    )
    # Loopback only, whatever the URL says: the mock must never be reachable from elsewhere.
    from werkzeug.serving import run_simple

    run_simple(LOOPBACK, config.port, app, threaded=True, use_reloader=False)
    return 0


def _app(args: argparse.Namespace) -> Flask | None:
    """The app, or None once the reason it cannot start is printed."""
    from mock_idp.app import create_app
    from mock_idp.config import IdpConfig
    from mock_idp.determinism import DeterminismError, determinism_overrides
    from mock_idp.tenant import TenantConfigError

    overrides: dict[str, object] = {}
    if args.config:
        overrides["tenant_file"] = args.config
    if args.test_mode:
        overrides["test_mode"] = True
    try:
        config = IdpConfig.from_env(**overrides, **determinism_overrides(args))
    except DeterminismError as exc:
        print(f"mock_idp: {exc}", file=sys.stderr)
        return None
    try:
        return create_app(config)
    except (TenantConfigError, OSError) as exc:
        print(f"mock_idp: cannot load the tenant: {exc}", file=sys.stderr)
        return None


if __name__ == "__main__":
    sys.exit(main())

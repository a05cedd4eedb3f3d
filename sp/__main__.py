"""`python -m sp [serve|seed]`: run the Trakstar clone (loopback only), or seed its database."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from datetime import UTC, datetime
from pathlib import Path

from werkzeug.serving import run_simple

from sp.app import create_app
from sp.config import SpConfig
from sp.db import get_db
from sp.seed import DEFAULT_SEED, SeedError, load_seed
from sp.seed_urls import follow_idp_url

LOOPBACK = "127.0.0.1"
CERTS_DIR = Path(__file__).resolve().parent.parent / "certs"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m sp", description=__doc__)
    parser.add_argument("command", nargs="?", default="serve", choices=("serve", "seed"))
    parser.add_argument("--seed-file", type=Path, default=DEFAULT_SEED)
    parser.add_argument(
        "--seed", action="store_true", help="serve: seed first (adds what is missing)"
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s sp %(message)s")
    config = SpConfig.from_env()
    app = create_app(config)
    if args.command == "seed" or args.seed:
        status = _seed(app, args.seed_file)
        if args.command == "seed" or status:
            return status
    run_simple(LOOPBACK, config.port, app, threaded=True, use_reloader=False)
    return 0


def _seed(app: object, seed_file: Path) -> int:
    substitutions = {
        "IDP_URL": os.environ.get("IDP_URL", "http://127.0.0.1:8001").rstrip("/"),
        "CERTS_DIR": os.environ.get("CERTS_DIR", str(CERTS_DIR)),
    }
    with app.app_context():  # type: ignore[attr-defined]
        try:
            added = load_seed(
                get_db(), seed_file, substitutions=substitutions, now=datetime.now(UTC)
            )
            for followed in follow_idp_url(
                get_db(), seed_file, substitutions=substitutions, now=datetime.now(UTC)
            ):
                print(followed.message(), flush=True)
        except SeedError as exc:
            print(f"sp: cannot seed: {exc}", file=sys.stderr)
            return 2
    print(f"sp: seed {seed_file.name}: {added} record(s) added")
    return 0


if __name__ == "__main__":
    sys.exit(main())

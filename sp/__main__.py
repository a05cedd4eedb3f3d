"""`python -m sp [serve|seed]`: run the Trakstar clone (loopback only), or seed its database.

`serve` runs Werkzeug's threaded server (what `make run` uses); `serve --workers N` runs
gunicorn with N worker processes. Everything workers must share is in the database (pending
requests, replay cache, sessions) or settled here, once, before they start: the tables, the
seed, and the secret key (SP_SECRET_KEY, or instance/secret_key, created once and kept).
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from serving.startup import starting

if TYPE_CHECKING:
    from sp.passwords import PasswordCost

LOOPBACK = "127.0.0.1"
CERTS_DIR = Path(__file__).resolve().parent.parent / "certs"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m sp", description=__doc__)
    parser.add_argument("command", nargs="?", default="serve", choices=("serve", "seed"))
    parser.add_argument("--seed-file", type=Path, help="default: sp/seeds/default.toml")
    parser.add_argument(
        "--seed", action="store_true", help="serve: seed first (adds what is missing)"
    )
    parser.add_argument(
        "--workers", type=int, help="serve: run gunicorn with this many worker processes"
    )
    parser.add_argument(
        "--threads", type=int, default=1, help="serve --workers: threads per worker (default 1)"
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s sp %(message)s")
    with starting():
        from sp.app import create_app
        from sp.config import SpConfig
        from sp.db import dispose_db

        config = SpConfig.from_env()  # the secret key is read (or created) here, once
        app = create_app(config)  # creates the tables once, before any worker starts
        if args.command == "seed" or args.seed:
            from sp.seed import DEFAULT_SEED

            status = _seed(app, args.seed_file or DEFAULT_SEED, config.password_cost)
            if args.command == "seed" or status:
                return status
    if args.workers is not None:
        from serving import ServingError, serve
        from sp.saml.client import preload

        preload()  # pysaml2 imported once here, shared by every forked worker
        dispose_db(app)  # no pooled connection may cross the fork into a worker
        try:
            serve(
                lambda: create_app(config),
                host=LOOPBACK,
                port=config.port,
                workers=args.workers,
                threads=args.threads,
            )
        except ServingError as exc:
            parser.error(str(exc))
        return 0
    from werkzeug.serving import run_simple

    run_simple(LOOPBACK, config.port, app, threaded=True, use_reloader=False)
    return 0


def _seed(app: object, seed_file: Path, password_cost: PasswordCost) -> int:
    from sp.db import get_db
    from sp.seed import SeedError, load_seed
    from sp.seed_urls import follow_idp_url

    substitutions = {
        "IDP_URL": os.environ.get("IDP_URL", "http://127.0.0.1:8001").rstrip("/"),
        "CERTS_DIR": os.environ.get("CERTS_DIR", str(CERTS_DIR)),
    }
    with app.app_context():  # type: ignore[attr-defined]
        try:
            added = load_seed(
                get_db(),
                seed_file,
                substitutions=substitutions,
                now=datetime.now(UTC),
                password_cost=password_cost,
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

"""`python -m devserver` (what `make run` runs): both apps with the default tenant, until Ctrl-C."""

from __future__ import annotations

import os
import signal
import sys
import time
from types import FrameType

from devserver.processes import ROOT, App, StartError, start_all, stop_all

TENANT_ID = "8f2c1d7e-4b3a-4e6f-9c21-5a7d0e3b9f14"


def main() -> int:
    sp_url = os.environ.get("SP_URL", "http://localhost:8000").rstrip("/")
    idp_url = os.environ.get("IDP_URL", "http://127.0.0.1:8001").rstrip("/")
    env = {"SP_URL": sp_url, "IDP_URL": idp_url}
    idp_args = ["-m", "mock_idp"]
    if os.environ.get("TEST_MODE") in ("1", "true", "yes"):
        idp_args.append("--test-mode")
    logs = ROOT / "instance" / "logs"
    apps = [
        App(
            name="mock Entra ID",
            argv=idp_args,
            url=idp_url,
            env=env,
            log_path=logs / "mock_idp.log",
        ),
        App(
            name="Trakstar clone",
            argv=["-m", "sp", "serve", "--seed"],
            url=sp_url,
            env=env,
            log_path=logs / "sp.log",
        ),
    ]
    started = time.monotonic()
    try:
        start_all(apps)
    except StartError as exc:
        print(f"make run: {exc}", file=sys.stderr)
        return 1
    print(
        BANNER.format(
            seconds=time.monotonic() - started,
            sp=sp_url,
            idp=idp_url,
            tenant=TENANT_ID,
            logs=logs.relative_to(ROOT),
        ),
        flush=True,
    )

    def stop(_signum: int, _frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    try:
        while all(app.process is not None and app.process.poll() is None for app in apps):
            time.sleep(0.5)
        print("make run: an app stopped; see the logs.", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("\nStopping both apps…", flush=True)
        return 0
    finally:
        stop_all(apps)


BANNER = """
Ready in {seconds:.1f}s.

  Open the Sign on URL:  {sp}/auth/saml/?namespace=contoso
  and sign in as         B.Simon@contoso.com / Passw0rd!

  Trakstar clone         {sp}            (admin: admin@contoso.com / Adm1n-Passw0rd!)
  Mock Entra ID          {idp}          (admin center: admin@contoso.com / Adm1n-Passw0rd!)
  Login URL              {idp}/{tenant}/saml2
  Logs                   {logs}/

Ctrl-C stops both.
"""

if __name__ == "__main__":
    sys.exit(main())

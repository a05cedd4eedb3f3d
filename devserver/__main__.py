"""`python -m devserver` (what `make run` runs): both apps with the default tenant, until Ctrl-C."""

from __future__ import annotations

import json
import os
import secrets
import signal
import sys
import time
from types import FrameType

from devserver.processes import ROOT, StartError, both_apps, start_all, stop_all

TENANT_ID = "8f2c1d7e-4b3a-4e6f-9c21-5a7d0e3b9f14"


def main() -> int:
    sp_url = os.environ.get("SP_URL", "http://localhost:8000").rstrip("/")
    idp_url = os.environ.get("IDP_URL", "http://127.0.0.1:8001").rstrip("/")
    token = os.environ.get("MOCK_IDP_API_TOKEN") or secrets.token_urlsafe(24)
    test_mode = os.environ.get("TEST_MODE") in ("1", "true", "yes")
    # The SAML tracer is on in `make run` (MOCK_IDP_TRACE=0 turns it off); STEP=1: step mode.
    trace = os.environ.get("MOCK_IDP_TRACE") or "1"
    traced = trace.strip().lower() in ("1", "true", "yes", "on")
    step = "1" if os.environ.get("STEP") in ("1", "true", "yes") else ""
    logs = ROOT / "instance" / "logs"
    # The Trakstar CLI (`flask --app sp …`) reads these, so it prints the URLs of this run.
    (ROOT / "instance").mkdir(exist_ok=True)
    (ROOT / "instance" / "run-urls.json").write_text(
        json.dumps({"sp_url": sp_url, "idp_url": idp_url}), encoding="utf-8"
    )
    apps = both_apps(
        sp_url=sp_url,
        idp_url=idp_url,
        log_dir=logs,
        env={"MOCK_IDP_API_TOKEN": token, "MOCK_IDP_TRACE": trace, "MOCK_IDP_STEP": step},
        test_mode=test_mode,
    )

    def stop(_signum: int, _frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    # Before anything starts: a terminal closed or a `kill` must not orphan either app. SIGINT
    # too, explicitly: a backgrounded process inherits it ignored.
    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, stop)
    started = time.monotonic()
    try:
        start_all(apps)
        print(
            BANNER.format(
                seconds=time.monotonic() - started,
                sp=sp_url,
                idp=idp_url,
                tenant=TENANT_ID,
                logs=logs.relative_to(ROOT),
                token=token,
                tracer=TRACER_LINE.format(idp=idp_url, step="on" if step else "off")
                if traced
                else "",
            )
            + (TEST_MODE_BANNER.format(idp=idp_url) if test_mode else ""),
            flush=True,
        )
        for notice in apps[1].notices():  # e.g. seeded settings that follow a new IDP_URL
            print(notice, flush=True)
        while all(app.process is not None and app.process.poll() is None for app in apps):
            time.sleep(0.5)
        print("make run: an app stopped; see the logs.", file=sys.stderr)
        return 1
    except StartError as exc:
        print(f"make run: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("\nStopping both apps…", flush=True)
        return 0
    finally:
        # A second Ctrl-C or TERM must not cut the cleanup short and orphan an app.
        for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(signum, signal.SIG_IGN)
        stop_all(apps)


BANNER = """
Ready in {seconds:.1f}s.

  Open the Sign on URL:  {sp}/auth/saml/?namespace=contoso
  and sign in as         B.Simon@contoso.com / Passw0rd!

  Trakstar clone         {sp}/login
                         administrator admin@contoso.com / Adm1n-Passw0rd!
                         tutorial organisation fabrikam (no SAML settings yet):
                         administrator admin@fabrikam.com / Adm1n-Passw0rd!
  Mock Entra ID          {idp}/admin/  (admin center)
                         administrator admin@contoso.com / Adm1n-Passw0rd!
  My Apps                {idp}/myapps/
  Login URL              {idp}/{tenant}/saml2
  Automation API token   {token}
{tracer}  Logs                   {logs}/

Ctrl-C stops both.
"""

TRACER_LINE = """  SAML tracer            {idp}/trace/  (step mode {step}: STEP=1 or its switch)
"""

TEST_MODE_BANNER = """Test mode: the mock's password page has a Scenario menu (an attack or fault
for the next response); the control API is at {idp}/_harness/faults (see docs/faults.md).
"""

if __name__ == "__main__":
    sys.exit(main())

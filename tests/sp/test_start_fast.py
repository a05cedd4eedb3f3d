"""The SP starts without what its first pages do not need: pysaml2 (whose import builds XSD
validators), libxmlsec1, lxml and the response gate load on the first SAML request,
`cryptography` when a certificate is first read, the admin commands when one runs; not when the
app, or `make run`'s SP, starts."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
# pysaml2's client and schema (its XSD validators are built at import), and what they pull in;
# a light pysaml2 helper such as saml2.time_util may load at start.
HEAVY = (
    "saml2.client",
    "saml2.xml.schema",
    "saml2.sigver",
    "xmlschema",
    "xmlsec",
    "sp.saml.client",  # the SAML adapter: on the first sign-in
    "cryptography",
    "sp.cli",  # `flask --app sp org|people|saml|audit`: imported when a command runs
    "sp.cli_saml",
    "sp.test_clock",  # test mode only
    "lxml.etree",  # the response gate and the metadata reader: the first response or metadata
    "sp.saml.gate",
)

PROBE = """
import sys, tempfile
from sp.app import create_app
from sp.config import SpConfig
folder = tempfile.mkdtemp()
app = create_app(SpConfig(database_url=f"sqlite:///{folder}/sp.sqlite3", secret_key="t"))
status = app.test_client().get("/login").status_code
loaded = sorted(set(sys.modules) & set(sys.argv[1:]))
print(status, ",".join(loaded) or "-")
"""

# `python -m sp serve --seed`, as `make run` starts it, up to the moment it would serve: the
# server is replaced by the app's first page, answered in-process.
SERVE_PROBE = """
import runpy, sys
import werkzeug.serving

def first_page(host, port, app, **kwargs):
    response = app.test_client().get("/login")
    loaded = sorted(set(sys.modules) & set(HEAVY))
    print(response.status_code, "Sign in" in response.text, ",".join(loaded) or "-")

HEAVY = sys.argv[1:]
werkzeug.serving.run_simple = first_page
sys.argv = ["python -m sp", "serve", "--seed"]
runpy.run_module("sp", run_name="__main__")
"""


def _run(code: str, env: dict[str, str] | None = None) -> list[str]:
    result = subprocess.run(
        [sys.executable, "-c", code, *HEAVY],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env=env,
    )
    assert result.returncode == 0 and result.stdout, result.stderr[-2000:]
    return result.stdout.splitlines()[-1].split()


def test_the_app_starts_and_answers_without_heavy_modules() -> None:
    assert _run(PROBE) == ["200", "-"]


def test_make_runs_sp_seeds_and_answers_without_heavy_modules(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'sp.sqlite3'}",
        "SP_SECRET_KEY": "t",
        "IDP_URL": "http://127.0.0.1:8001",
    }
    env.pop("SP_TEST_MODE", None)

    assert _run(SERVE_PROBE, env) == ["200", "True", "-"]

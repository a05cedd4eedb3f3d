"""The SP starts without its heavy SAML libraries: pysaml2 (whose import builds XSD validators)
and libxmlsec1 load on the first SAML request, not when the app or its CLI starts."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
HEAVY = ("saml2", "xmlschema", "xmlsec")

PROBE = """
import sys, tempfile
from sp.app import create_app
from sp.config import SpConfig
folder = tempfile.mkdtemp()
app = create_app(SpConfig(database_url=f"sqlite:///{folder}/sp.sqlite3", secret_key="t"))
status = app.test_client().get("/login").status_code
loaded = sorted({m.split(".")[0] for m in sys.modules} & set(sys.argv[1:]))
print(status, ",".join(loaded) or "-")
"""


def test_the_app_starts_and_answers_without_pysaml2_or_xmlsec() -> None:
    result = subprocess.run(
        [sys.executable, "-c", PROBE, *HEAVY],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert result.stdout.split() == ["200", "-"], result.stdout + result.stderr

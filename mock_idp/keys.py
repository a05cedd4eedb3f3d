"""Stable signing keys: a generated certificate is written once to a keys folder and reused.

An SP configured with the mock's certificate stays configured across restarts. The folder is
`--keys DIR`, else `mock-entra-keys/` beside a tenant file named on the command line, else a
per-user cache folder (`$XDG_CACHE_HOME/mock-entra`, `~/.cache/mock-entra`). It holds
`idp-signing.key`/`.crt` (the `{CERTS_DIR}` pair the packaged tenants name) and one pair per app
whose tenant file says `generate = true`, named after the app's Application ID (or its name).
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path

from mock_idp import certificates
from mock_idp.certificates import SigningPair

IDP_PAIR = ("idp-signing.key", "idp-signing.crt")


def default_folder(tenant_file: Path | None, env: Mapping[str, str] = os.environ) -> Path:
    if tenant_file is not None:
        return tenant_file.resolve().parent / "mock-entra-keys"
    cache = env.get("XDG_CACHE_HOME") or str(Path(env.get("HOME", "~")).expanduser() / ".cache")
    return Path(cache) / "mock-entra"


class KeyFolder:
    """Signing pairs by name in one folder: loaded when there, generated and saved when not."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def pair(self, name: str, now: datetime) -> SigningPair:
        slug = re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip(".-") or "app"
        return self._pair(
            self.path / "apps" / f"{slug}.key", self.path / "apps" / f"{slug}.crt", now
        )

    def idp_pair(self, now: datetime) -> SigningPair:
        """`idp-signing.key`/`.crt`, the pair `{CERTS_DIR}` names in the packaged tenants."""
        return self._pair(self.path / IDP_PAIR[0], self.path / IDP_PAIR[1], now)

    def _pair(self, key: Path, cert: Path, now: datetime) -> SigningPair:
        if key.exists() and cert.exists():
            return certificates.load(key, cert)
        pair = certificates.generate(now)
        self.path.mkdir(parents=True, exist_ok=True)
        self.path.chmod(0o700)
        certificates.save(pair, key, cert)
        return pair

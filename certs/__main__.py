"""`python -m certs`: generate the test-only key pairs that are missing; keep the ones present."""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path

from mock_idp import certificates

HERE = Path(__file__).resolve().parent

# name -> (common name); the IdP pair is shaped exactly like Entra's app signing certificate.
PAIRS = {
    "idp-signing": certificates.ENTRA_CERT_CN,
    "sp-signing": "perform.trakstar.com (test SP signing key)",
}


def main(folder: Path = HERE) -> int:
    for name, cn in PAIRS.items():
        key_path, cert_path = folder / f"{name}.key", folder / f"{name}.crt"
        if key_path.exists() and cert_path.exists():
            continue
        pair = certificates.generate(datetime.now(UTC), common_name=cn)
        certificates.save(pair, key_path, cert_path)
        print(f"certs: generated {cert_path.name} (thumbprint {pair.thumbprint})")
    return 0


if __name__ == "__main__":
    sys.exit(main())

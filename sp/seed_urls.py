"""Seeded SAML settings follow the mock's current URL (`make run IDP_URL=…` after an earlier run).

Seeding only adds what is missing, so an organisation seeded by an earlier `make run` keeps the
Login URL of that run. When its settings are still exactly the seed's, except for the IdP's
origin (scheme, host and port), they are moved to the current origin. Settings an administrator
changed are left alone, and the caller is told why and how to start over.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from sp.models import Organisation, SamlSettings

PLACEHOLDER = "{IDP_URL}"
NOTICE = "sp: note: "  # `make run` shows these lines of the SP's log in its terminal


@dataclass(frozen=True)
class Followed:
    namespace: str
    old_origin: str
    new_origin: str
    moved: bool  # False: the settings were edited after seeding, so they were kept

    def message(self) -> str:
        if self.moved:
            return (
                f"{NOTICE}{self.namespace}: Login and Logout URLs moved from {self.old_origin} "
                f"to {self.new_origin} (IDP_URL changed since the last seed)"
            )
        return (
            f"{NOTICE}{self.namespace}: its SAML settings were changed after seeding, so they "
            f"still send browsers to {self.old_origin}, not IDP_URL {self.new_origin}. To start it "
            f"over from the seed: `.venv/bin/flask --app sp org reset {self.namespace} --yes`, "
            "then `make run` again (or fix the Login URL in Settings > Authentication & SSO)."
        )


def follow_idp_url(
    db: Session, seed_file: Path, *, substitutions: Mapping[str, str], now: datetime
) -> list[Followed]:
    """Moves seeded settings to the current IDP_URL; one entry per organisation it concerned."""
    template = tomllib.loads(seed_file.read_text(encoding="utf-8"))
    current = substitutions[PLACEHOLDER.strip("{}")].rstrip("/")
    found = []
    for row in template.get("organisations", []):
        saml = row.get("saml")
        if not saml or PLACEHOLDER not in saml.get("idp_sso_url", ""):
            continue
        stored = db.scalar(
            select(SamlSettings)
            .join(Organisation)
            .where(Organisation.namespace == row["namespace"])
        )
        if stored is None:
            continue
        origin = _seeded_origin(stored, saml)
        old = origin or _origin(stored.idp_sso_url)
        if old == current:
            continue
        moved = origin is not None and _same_certificate(stored, saml, substitutions)
        if moved:
            stored.idp_sso_url = saml["idp_sso_url"].replace(PLACEHOLDER, current)
            stored.idp_logout_url = saml.get("idp_logout_url", "").replace(PLACEHOLDER, current)
            stored.updated_at = now
        found.append(Followed(row["namespace"], old, current, moved))
    db.commit()
    return found


def _seeded_origin(stored: SamlSettings, saml: Mapping[str, Any]) -> str | None:
    """The origin the seed was loaded with, if the settings are otherwise the seed's."""
    if stored.idp_entity_id != saml["idp_entity_id"]:
        return None
    origins: set[str] = set()
    for field, value in (
        ("idp_sso_url", stored.idp_sso_url),
        ("idp_logout_url", stored.idp_logout_url),
    ):
        pattern = re.escape(saml.get(field, "")).replace(re.escape(PLACEHOLDER), "(https?://[^/]+)")
        match = re.fullmatch(pattern, value)
        if match is None:
            return None
        origins.update(match.groups())
    return origins.pop() if len(origins) == 1 else None


def _same_certificate(
    stored: SamlSettings, saml: Mapping[str, Any], substitutions: Mapping[str, str]
) -> bool:
    path = saml["certificate_file"]
    for name, value in substitutions.items():
        path = path.replace("{" + name + "}", value)
    try:
        return stored.certificate_pem == Path(path).read_text(encoding="ascii")
    except OSError:
        return False


def _origin(url: str) -> str:
    match = re.match(r"https?://[^/]+", url)
    return match.group(0) if match else url

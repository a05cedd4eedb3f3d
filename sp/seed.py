"""Load a seed file into the database, adding only what is missing (safe to run every start)."""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from sp.models import Organisation, Person, SamlSettings
from sp.passwords import PasswordCost, hash_password, needs_rehash

DEFAULT_SEED = Path(__file__).resolve().parent / "seeds" / "default.toml"


class SeedError(ValueError):
    pass


def load_seed(
    db: Session,
    path: Path,
    *,
    substitutions: Mapping[str, str],
    now: datetime,
    password_cost: PasswordCost = PasswordCost.STANDARD,
) -> int:
    """Returns how many records were added; new password hashes are made at `password_cost`."""
    try:
        text = path.read_text(encoding="utf-8")
        for name, value in substitutions.items():
            text = text.replace("{" + name + "}", value)
        data = tomllib.loads(text)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise SeedError(f"{path}: {exc}") from exc
    added = 0
    for row in data.get("organisations", []):
        added += _organisation(db, row, now=now, cost=password_cost)
    db.commit()
    return added


def _organisation(db: Session, row: dict[str, Any], *, now: datetime, cost: PasswordCost) -> int:
    added = 0
    org = db.scalar(select(Organisation).where(Organisation.namespace == row["namespace"]))
    if org is None:
        org = Organisation(
            namespace=row["namespace"],
            name=row.get("name", row["namespace"]),
            sso_entitled=row.get("sso_entitled", False),
            require_sso=row.get("require_sso", False),
        )
        db.add(org)
        db.flush()
        added += 1
    saml = row.get("saml")
    if saml and db.get(SamlSettings, org.id) is None:
        db.add(
            SamlSettings(
                organisation_id=org.id,
                idp_sso_url=saml["idp_sso_url"],
                idp_entity_id=saml["idp_entity_id"],
                idp_logout_url=saml.get("idp_logout_url", ""),
                certificate_pem=Path(saml["certificate_file"]).read_text(encoding="ascii"),
                updated_at=now,
            )
        )
        added += 1
    for person in row.get("people", []):
        email = person["email"]
        exists = db.scalar(
            select(Person).where(
                Person.organisation_id == org.id, func.lower(Person.email) == email.lower()
            )
        )
        if exists is None:
            db.add(
                Person(
                    organisation_id=org.id,
                    email=email,
                    name=person["name"],
                    active=person.get("active", False),
                    is_admin=person.get("is_admin", False),
                    password_hash=_password_hash(person, cost),
                )
            )
            added += 1
    return added


def _password_hash(person: dict[str, Any], cost: PasswordCost) -> str | None:
    """A ready hash keeps seeding fast (argon2 costs ~0.1 s per password at the standard cost);
    the password is hashed instead when the ready hash was made at another cost."""
    ready, password = person.get("password_hash"), person.get("password")
    if ready and not (password and needs_rehash(ready, cost)):
        return str(ready)
    return hash_password(password, cost) if password else None

"""The app settings a message is explained against, as they were when it travelled.

Kept with each hop (as JSON) so a later change in the admin center does not rewrite history:
the annotation says what the setting was at the moment of the sign-in.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from mock_idp.tenant import EnterpriseApp, Tenant


@dataclass(frozen=True, kw_only=True, slots=True)
class AppFacts:
    tenant_id: str
    issuer: str  # the Microsoft Entra Identifier
    app_id: str
    name: str
    identifiers: tuple[str, ...]
    reply_urls: tuple[str, ...]
    sign_on_url: str
    name_id_source: str
    name_id_format: str
    claim_rules: tuple[tuple[str, str], ...]  # (claim name, source attribute)
    active_thumbprint: str
    thumbprints: tuple[str, ...]
    signing_option: str
    signing_algorithm: str

    def to_dict(self) -> dict[str, Any]:
        # Shallow: every field is a string or a tuple of strings (pairs), which JSON writes as
        # lists; `asdict`'s deep copy cost ~0.1 ms on every traced hop.
        return {name: getattr(self, name) for name in self.__dataclass_fields__}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> AppFacts:
        values = dict(data)
        for key in ("identifiers", "reply_urls", "thumbprints"):
            values[key] = tuple(values.get(key) or ())
        values["claim_rules"] = tuple(tuple(rule) for rule in values.get("claim_rules") or ())
        return cls(**values)

    def rule_for(self, claim: str) -> str | None:
        return next((source for name, source in self.claim_rules if name == claim), None)


def facts_of(tenant: Tenant, app: EnterpriseApp) -> AppFacts:
    active = next((c for c in app.certificates if c.active), None)
    return AppFacts(
        tenant_id=tenant.tenant_id,
        issuer=tenant.issuer,
        app_id=app.app_id,
        name=app.name,
        identifiers=tuple(app.identifiers),
        reply_urls=tuple(app.reply_urls),
        sign_on_url=app.sign_on_url,
        name_id_source=app.name_id_source,
        name_id_format=app.name_id_format,
        claim_rules=tuple((rule.name, rule.source) for rule in app.claim_rules),
        active_thumbprint=active.pair.thumbprint if active else "",
        thumbprints=tuple(c.pair.thumbprint for c in app.certificates),
        signing_option=app.signing_option,
        signing_algorithm=app.signing_algorithm,
    )


def app_for(
    tenant: Tenant, *, issuer: str = "", audience: str = "", reply_url: str = ""
) -> EnterpriseApp | None:
    """The app a message is about: by Identifier (request Issuer, Audience), else Reply URL."""
    for identifier in (issuer, audience):
        if identifier:
            app = tenant.app_by_identifier(identifier)
            if app is not None:
                return app
    if reply_url:
        return next((a for a in tenant.apps.values() if reply_url in a.reply_urls), None)
    return None

"""Attributes & Claims: the Name ID and the additional claims an app releases.

Entra's defaults and rules: docs/reference/entra.md §5.

The restricted claims Entra always adds (tenantid, objectidentifier, displayname,
identityprovider, authnmethodsreferences) are not editable and cannot be reused as names.
"""

from __future__ import annotations

from dataclasses import dataclass

from mock_idp.admin.errors import AlreadyExists, InvalidValue, NotFound
from mock_idp.protocol import claims
from mock_idp.protocol.claims import ClaimRule
from mock_idp.tenant import EnterpriseApp

# Source attributes offered for the Name ID and for claims, in Entra's names.
SOURCES: tuple[str, ...] = (
    "user.userprincipalname",
    "user.mail",
    "user.givenname",
    "user.surname",
    "user.displayname",
    "user.objectid",
)
GROUPS_SOURCE = "user.groups"
NAME_ID_FORMATS: dict[str, str] = {
    claims.EMAIL_FORMAT: "Email address",
    claims.PERSISTENT_FORMAT: "Persistent",
    claims.UNSPECIFIED_FORMAT: "Unspecified",
    claims.TRANSIENT_FORMAT: "Transient",
}
RESTRICTED = (
    claims.TENANT_ID,
    claims.OBJECT_ID,
    claims.DISPLAY_NAME,
    claims.IDENTITY_PROVIDER,
    claims.AUTHN_METHODS,
)
NAME_MAX = 256


@dataclass(frozen=True, kw_only=True, slots=True)
class ClaimDraft:
    """The "Manage claim" form: Name, Namespace, Source attribute."""

    name: str
    namespace: str = ""
    source: str

    @property
    def claim_name(self) -> str:
        name, namespace = self.name.strip(), self.namespace.strip().rstrip("/")
        return f"{namespace}/{name}" if namespace else name

    @classmethod
    def of(cls, rule: ClaimRule) -> ClaimDraft:
        namespace, _, name = rule.name.rpartition("/")
        return cls(name=name, namespace=namespace, source=rule.source)


def set_name_id(app: EnterpriseApp, *, source: str, name_id_format: str) -> None:
    if source not in SOURCES:
        raise InvalidValue(f"'{source}' is not a source attribute for the Name ID.", field="source")
    if name_id_format not in NAME_ID_FORMATS:
        raise InvalidValue(
            f"'{name_id_format}' is not a name identifier format Entra offers.", field="format"
        )
    app.name_id_source, app.name_id_format = source, name_id_format


def add_claim(app: EnterpriseApp, draft: ClaimDraft) -> ClaimRule:
    rule = _checked(app, draft, replacing=None)
    app.claim_rules.append(rule)
    return rule


def add_group_claim(app: EnterpriseApp) -> ClaimRule:
    """ "Add a group claim": the groups the user belongs to, as object IDs."""
    draft = ClaimDraft(name="groups", namespace=claims.GROUPS.rpartition("/")[0], source="")
    rule = _checked(app, draft, replacing=None, source=GROUPS_SOURCE)
    app.claim_rules.append(rule)
    return rule


def update_claim(app: EnterpriseApp, index: int, draft: ClaimDraft) -> ClaimRule:
    current = claim_at(app, index)
    source = GROUPS_SOURCE if current.source == GROUPS_SOURCE else None
    rule = _checked(app, draft, replacing=index, source=source)
    app.claim_rules[index] = rule
    return rule


def remove_claim(app: EnterpriseApp, index: int) -> ClaimRule:
    rule = claim_at(app, index)
    del app.claim_rules[index]
    return rule


def claim_at(app: EnterpriseApp, index: int) -> ClaimRule:
    if not 0 <= index < len(app.claim_rules):
        raise NotFound(f"The app {app.name} has no claim number {index}.")
    return app.claim_rules[index]


def _checked(
    app: EnterpriseApp, draft: ClaimDraft, *, replacing: int | None, source: str | None = None
) -> ClaimRule:
    name = draft.claim_name
    if not draft.name.strip():
        raise InvalidValue("Enter a name for the claim.", field="name")
    if any(c.isspace() for c in name) or len(name) > NAME_MAX:
        raise InvalidValue(
            f"The claim name '{name}' must have no spaces and at most {NAME_MAX} characters.",
            field="name",
        )
    if name in RESTRICTED:
        raise InvalidValue(
            f"'{name}' is a restricted claim that Entra always sends; it cannot be configured.",
            field="name",
        )
    for i, rule in enumerate(app.claim_rules):
        if rule.name == name and i != replacing:
            raise AlreadyExists(f"The claim '{name}' already exists for {app.name}.", field="name")
    source = source or draft.source
    if source not in SOURCES and source != GROUPS_SOURCE:
        raise InvalidValue(f"'{source}' is not a user attribute Entra offers.", field="source")
    return ClaimRule(name=name, source=source)

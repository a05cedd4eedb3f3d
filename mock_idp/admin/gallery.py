"""The application gallery: Trakstar's template, non-gallery apps, and adding an app to a tenant.

Adding an app, as Entra's portal does, gives it its own IDs and a fresh, active SAML signing
certificate. A template with a fixed Identifier can be added once per tenant
(docs/reference/entra.md §10).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from mock_idp import certificates
from mock_idp.admin.errors import AlreadyExists, InvalidValue, NotFound
from mock_idp.admin.token_signing import PairFactory
from mock_idp.tenant import EnterpriseApp, SigningCertificate, Tenant

NewGuid = Callable[[], str]

# Graph's well-known template ID for "Create your own application" (non-gallery).
NON_GALLERY_TEMPLATE_ID = "8adf8e6e-67b2-4cf2-a259-e3dc5476c621"
NAME_MAX = 256


@dataclass(frozen=True, kw_only=True, slots=True)
class GalleryTemplate:
    """What Entra's gallery knows about an app before it is added to a tenant."""

    template_id: str
    key: str  # the value of `template` in a tenant file
    display_name: str
    publisher: str
    description: str
    home_page_url: str
    categories: tuple[str, ...]
    sso_modes: tuple[str, ...]
    sp_initiated_only: bool
    fixed_identifier: str  # "" when the Identifier is the customer's to choose
    reply_url_pattern: str
    sign_on_url_pattern: str


TRAKSTAR = GalleryTemplate(
    # The mock's own ID: find it with GET /v1.0/applicationTemplates?$filter=displayName eq …
    template_id="4b1d7c8e-2f3a-4e5b-9c6d-7a8b9c0d1e2f",
    key="trakstar",
    display_name="Trakstar",
    publisher="Trakstar",
    description=(
        "Trakstar Perform is performance management software: goals, reviews and feedback. "
        "Supports SP-initiated SAML single sign-on."
    ),
    home_page_url="https://perform.trakstar.com",
    categories=("humanResources",),
    sso_modes=("saml",),
    sp_initiated_only=True,
    fixed_identifier="https://perform.trakstar.com",
    reply_url_pattern="https://perform.trakstar.com/auth/saml/callback?namespace=<YOUR_NAMESPACE>",
    sign_on_url_pattern="https://perform.trakstar.com/auth/saml/?namespace=<YOUR_NAMESPACE>",
)
GALLERY: tuple[GalleryTemplate, ...] = (TRAKSTAR,)


def search(query: str) -> tuple[GalleryTemplate, ...]:
    """Gallery apps whose name, publisher or description contains the query (any case)."""
    wanted = query.strip().casefold()
    return tuple(
        t
        for t in GALLERY
        if wanted in f"{t.display_name}\n{t.publisher}\n{t.description}".casefold()
    )


def template_by_id(template_id: str) -> GalleryTemplate:
    for template in GALLERY:
        if template.template_id == template_id.strip().lower():
            return template
    raise NotFound(f"Application template '{template_id}' was not found in the gallery.")


def template_by_key(key: str | None) -> GalleryTemplate | None:
    return next((t for t in GALLERY if t.key == key), None)


def check_display_name(name: str) -> str:
    name = name.strip()
    if not name:
        raise InvalidValue("Enter a name for the application.", field="name")
    if len(name) > NAME_MAX:
        raise InvalidValue(
            f"The application name can be at most {NAME_MAX} characters.", field="name"
        )
    return name


def add_from_gallery(
    tenant: Tenant,
    template: GalleryTemplate,
    name: str,
    *,
    now: datetime,
    new_guid: NewGuid,
    new_pair: PairFactory = certificates.generate,
) -> EnterpriseApp:
    """Add a gallery app; refused when its fixed Identifier is already used in the tenant."""
    name = check_display_name(name)
    if template.fixed_identifier:
        owner = tenant.app_by_identifier(template.fixed_identifier)
        if owner is not None:
            raise AlreadyExists(
                "Another object with the same value for property identifierUris already "
                f"exists. The Identifier of {template.display_name} is the fixed value "
                f"'{template.fixed_identifier}', which the application '{owner.name}' "
                f"({owner.app_id}) already uses: only one instance of "
                f"{template.display_name} can be configured in one tenant.",
                field="name",
            )
    identifiers = [template.fixed_identifier] if template.fixed_identifier else []
    return _add(tenant, name, template.key, identifiers, now, new_guid, new_pair)


def add_non_gallery(
    tenant: Tenant,
    name: str,
    *,
    now: datetime,
    new_guid: NewGuid,
    new_pair: PairFactory = certificates.generate,
) -> EnterpriseApp:
    """ "Create your own application": no template, every SAML field is the admin's."""
    return _add(tenant, check_display_name(name), None, [], now, new_guid, new_pair)


def _add(
    tenant: Tenant,
    name: str,
    template: str | None,
    identifiers: list[str],
    now: datetime,
    new_guid: NewGuid,
    new_pair: PairFactory,
) -> EnterpriseApp:
    app = EnterpriseApp(
        app_id=new_guid(),
        object_id=new_guid(),
        application_object_id=new_guid(),
        name=name,
        template=template,
        identifiers=identifiers,
        sso_mode="",  # Entra asks "Select a single sign-on method" first
        certificates=[SigningCertificate(pair=new_pair(now), active=True)],
    )
    tenant.apps[app.app_id] = app
    return app

"""An enterprise app's Properties and single sign-on mode; finding and deleting apps."""

from __future__ import annotations

from dataclasses import dataclass

from mock_idp.admin.errors import InvalidValue, NotFound
from mock_idp.admin.gallery import check_display_name
from mock_idp.tenant import EnterpriseApp, Tenant

SSO_MODES = ("saml", "")  # SAML, or Disabled ("Select a single sign-on method")


@dataclass(frozen=True, kw_only=True, slots=True)
class AppProperties:
    """The Properties page: Name and the three Yes/No switches."""

    name: str
    enabled: bool  # "Enabled for users to sign in?"
    assignment_required: bool  # "Assignment required?"
    visible: bool  # "Visible to users?" (the My Apps tile)

    @classmethod
    def of(cls, app: EnterpriseApp) -> AppProperties:
        return cls(
            name=app.name,
            enabled=app.enabled,
            assignment_required=app.assignment_required,
            visible=app.visible,
        )


def find(tenant: Tenant, ref: str) -> EnterpriseApp:
    """By Application ID or either object ID, as Graph and the portal address apps."""
    key = ref.strip().lower()
    for app in tenant.apps.values():
        if key in (app.app_id, app.object_id, app.application_object_id):
            return app
    raise NotFound(f"No application with the ID '{ref}' in this tenant.")


def set_properties(app: EnterpriseApp, properties: AppProperties) -> None:
    app.name = check_display_name(properties.name)
    app.enabled = properties.enabled
    app.assignment_required = properties.assignment_required
    app.visible = properties.visible


def set_sso_mode(app: EnterpriseApp, mode: str) -> None:
    if mode not in SSO_MODES:
        raise InvalidValue(
            f"Single sign-on mode '{mode}' is not offered by the mock: choose SAML or Disabled.",
            field="mode",
        )
    app.sso_mode = mode


def delete(tenant: Tenant, app: EnterpriseApp) -> None:
    del tenant.apps[app.app_id]

"""Flask glue: install the catalogue in an app, and pick the Deliver for each response.

A case is chosen, in order of precedence, by this browser's Scenario menu (test mode), the
control API's queue for the app (test mode), or the app's `scenario` in the tenant file.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from flask import Flask, current_app, session
from werkzeug.exceptions import BadRequest, Conflict

from mock_idp.faults.book import FaultBook
from mock_idp.faults.delivery import fault_delivery
from mock_idp.sso import Deliver
from mock_idp.state import IdpState, get_state
from mock_idp.tenant import Tenant, TenantConfigError

if TYPE_CHECKING:
    from mock_idp.faults.model import FaultCase

# The catalogue (`mock_idp.faults.catalogue`, its cases and their builders) is imported where a
# case is first named, not at start: a mock that never injects a fault never loads it.

EXTENSION = "mock_idp_faults"
SESSION_KEY = "fault_scenario"
HARNESS_PREFIX = "/_harness"
DISCARD_URL = "http://127.0.0.1:9/"  # outside test mode DTD payloads point at nothing
log = logging.getLogger("mock_idp")


def install(app: Flask, state: IdpState) -> None:
    """Check the tenant's scenarios; in test mode, add the control API and the menu."""
    check_tenant(state.tenant, test_mode=state.config.test_mode)
    app.extensions[EXTENSION] = FaultBook(state.tokens.token_urlsafe)
    if not state.config.test_mode:
        return
    from mock_idp.views.harness import bp  # only test mode has these routes at all

    app.register_blueprint(bp)
    csrf = app.extensions.get("csrf")
    if csrf is not None:
        # JSON endpoints (they insist on a JSON body, which no cross-site form can send) and the
        # auto-post landing page of the login-csrf case.
        csrf.exempt(bp)
    app.context_processor(_scenario_menu)
    log.warning("test mode: fault catalogue control API at %s/", HARNESS_PREFIX)


def check_tenant(tenant: Tenant, *, test_mode: bool) -> None:
    for app in tenant.apps.values():
        names = (app.scenario,) if isinstance(app.scenario, str) else app.scenario
        for name in filter(None, names):
            from mock_idp.faults.catalogue import UnknownCase, get

            try:
                case = get(name)
            except UnknownCase as exc:
                raise TenantConfigError(f"app {app.name!r}: {exc}") from exc
            if case.needs_test_mode and not test_mode:
                raise TenantConfigError(
                    f"app {app.name!r}: scenario {name!r} needs the mock in test mode "
                    "(python -m mock_idp --test-mode)"
                )


def book() -> FaultBook:
    faults: FaultBook = current_app.extensions[EXTENSION]
    return faults


def choose(value: str | None) -> None:
    """The Scenario menu's choice, kept for this browser's next response (test mode only)."""
    if not value or not get_state().config.test_mode:
        return
    from mock_idp.faults.catalogue import UnknownCase, get

    try:
        get(value)
    except UnknownCase as exc:
        raise BadRequest(str(exc)) from exc
    session[SESSION_KEY] = value


def delivery_for(app_id: str) -> Deliver:
    """The Deliver for this browser's next response from `app_id`."""
    state = get_state()
    app = state.tenant.apps[app_id]
    chosen = session.pop(SESSION_KEY, None)
    name = book().next_case(app, chosen)
    if not name:
        return delivery_with(None)
    from mock_idp.faults.catalogue import UnknownCase, get

    try:
        case = get(name)
    except UnknownCase as exc:  # a tenant loaded at run time, never checked by `install`
        raise Conflict(f"app {app.name!r}: {exc}") from exc
    if case is not None:
        log.warning("fault case %s for app %s", case.name, app.name)
    return delivery_with(case)


def delivery_with(case: FaultCase | None) -> Deliver:
    """The Deliver of one case (None: Entra's own), recorded in the book like any other."""
    state = get_state()
    base = state.config.base_url
    return fault_delivery(
        case,
        book=book(),
        evil=state.tenant.admin_upn or f"admin@{state.tenant.domain}",
        harness_url=base + HARNESS_PREFIX,
        probe_url=f"{base}{HARNESS_PREFIX}/probe/" if state.config.test_mode else DISCARD_URL,
    )


def _scenario_menu() -> dict[str, Any]:
    from mock_idp.faults.catalogue import CATALOGUE, SECTIONS

    groups = [
        {"label": label, "cases": [c for c in CATALOGUE if c.section == key]}
        for key, label in SECTIONS.items()
    ]
    return {"fault_menu": [g for g in groups if g["cases"]]}

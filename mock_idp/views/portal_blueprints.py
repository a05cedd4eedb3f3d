"""Registers the admin center, My Apps and the automation API on the app."""

from __future__ import annotations

from flask import Flask
from flask_wtf.csrf import CSRFProtect

from mock_idp.views import (
    graph,
    graph_apps,
    graph_mock,
    graph_signins,
    myapps,
    portal,
    portal_apps,
    portal_certs,
    portal_claims,
    portal_signin_settings,
    portal_signins,
    portal_sso,
    portal_tenant,
    portal_users,
)

ADMIN_CENTER = (
    portal.bp,
    portal_apps.bp,
    portal_sso.bp,
    portal_claims.bp,
    portal_certs.bp,
    portal_users.bp,
    portal_tenant.bp,
    portal_signins.bp,
    portal_signin_settings.bp,
)


def register(app: Flask, csrf: CSRFProtect) -> None:
    """The admin center's and My Apps' forms are CSRF-protected (Flask-WTF, app-wide); the
    automation API takes a bearer token and JSON, never a browser's form, so it is exempt."""
    blueprints = (
        *ADMIN_CENTER,
        myapps.bp,
        graph_apps.bp,
        graph_mock.bp,
        graph_signins.bp,
        graph.bp,
    )
    for blueprint in blueprints:
        app.register_blueprint(blueprint)
    csrf.exempt(graph.bp)
    csrf.exempt(graph_apps.bp)
    csrf.exempt(graph_mock.bp)
    csrf.exempt(graph_signins.bp)

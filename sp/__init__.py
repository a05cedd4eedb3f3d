"""A reference SAML SP that clones Trakstar Perform's single sign-on with Microsoft Entra ID."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flask import Flask

    from sp.config import SpConfig

__all__ = ["create_app"]


def create_app(config: SpConfig | None = None) -> Flask:
    """`flask --app sp …` finds the factory here. It imports the app when called, not when
    `sp` is imported, so that `python -m sp` starts up the way `serving.startup` says."""
    from sp.app import create_app as factory

    return factory(config)

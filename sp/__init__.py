"""A reference SAML SP that clones Trakstar Perform's single sign-on with Microsoft Entra ID."""

from sp.app import create_app  # `flask --app sp …` finds the factory here

__all__ = ["create_app"]

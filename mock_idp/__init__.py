"""A mock Microsoft Entra ID (SAML IdP) that behaves like the real one."""

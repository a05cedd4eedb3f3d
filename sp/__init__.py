"""A reference SAML SP that clones Trakstar Perform's single sign-on with Microsoft Entra ID."""

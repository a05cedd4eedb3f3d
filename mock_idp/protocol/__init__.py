"""The mock Entra ID's SAML core: pure functions; no Flask, environment, clock or randomness."""

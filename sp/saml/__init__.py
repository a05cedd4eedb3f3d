"""The SP's SAML side: pysaml2 behind one adapter, plus every check pysaml2 leaves to its caller."""

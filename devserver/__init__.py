"""Plumbing shared by `make run` and the e2e suite: start, watch and stop the two apps.

No SAML here: both apps are started exactly as a user would start them.
"""

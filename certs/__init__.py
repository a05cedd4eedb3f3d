"""Test-only key pairs for the harness, generated at set-up (see certs/README.md)."""

"""The interop tests use the attack tests' fixtures (the mock in test mode)."""

from __future__ import annotations

from tests.attacks.conftest import apps, idp_test_app, shared_apps  # noqa: F401  (fixtures)

"""`entra.audit(...)`: the audit from Python, on the client the `entra` fixture yields.

    results = entra.audit(identifier="http://localhost:5000/metadata",
                          sign_on_url="http://localhost:5000/login",
                          user=user.upn, password=user.password,
                          probe_url="http://localhost:5000/", probe_text="Sign out")
    assert [r.case for r in results if not r.passed] == []

One `CaseResult` per case (`case`, `expected`, `observed`, `passed`, `verdict`), the control
(`valid`) first. Bad input or a target that does not answer raises `AuditError`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the catalogue loads on the first audit, not with the client
    from mock_idp.audit.model import CaseResult


class AuditMixin:
    """Gives a client of a running mock (its `url` and `token`) the `audit` method."""

    url: str
    token: str

    def audit(
        self,
        *,
        identifier: str,
        user: str,
        password: str,
        probe_url: str,
        probe_text: str | None = None,
        sign_on_url: str | None = None,
        acs_url: str | None = None,
        cases: Sequence[str] | None = None,
    ) -> list[CaseResult]:
        """Run the fault catalogue (or `cases`) against the SP; the mock must be in test mode."""
        from mock_idp.audit.model import Target
        from mock_idp.audit.runner import audit

        target = Target(
            identifier=identifier,
            user=user,
            password=password,
            probe_url=probe_url,
            probe_text=probe_text,
            sign_on_url=sign_on_url,
            acs_url=acs_url,
        )
        return audit(entra=self.url, token=self.token, target=target, cases=cases)

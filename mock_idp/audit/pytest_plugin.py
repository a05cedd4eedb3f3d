"""`pytest --entra-audit …`: the audit as a test session, one test per case.

    pytest --entra-audit --audit-entra http://127.0.0.1:8001 --audit-token T \\
        --audit-identifier https://sp.example.test \\
        --audit-sign-on-url http://localhost:5000/login \\
        --audit-user B.Simon@contoso.com --audit-password 'Passw0rd!' \\
        --audit-probe-url http://localhost:5000/ --audit-probe-text 'Sign out'

The options are `mock-entra audit`'s with an `--audit-` prefix. With `--entra-audit` the session
runs the audit's tests only (the project's own tests are deselected); the audit runs once, when
the first case's test runs, and each test reports its case. Bad input fails the first test with
the same one-line message the command prints.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

import pytest

from mock_idp.audit.errors import AuditError

if TYPE_CHECKING:  # the catalogue loads only when --entra-audit is given
    from mock_idp.audit.model import CaseResult, Planned, Target

OPTIONS = (
    ("entra", "URL", "a running mock Entra ID in test mode"),
    ("token", "T", "its automation API token (default: $MOCK_IDP_API_TOKEN)"),
    ("identifier", "ID", "the Identifier of the SP's app"),
    ("sign-on-url", "URL", "SP-initiated: the SP's Sign on URL"),
    ("acs-url", "URL", "IdP-initiated: the SP's Reply URL (ACS)"),
    ("user", "UPN", "a user assigned to the app"),
    ("password", "P", "that user's password"),
    ("probe-url", "URL", "a page only a signed-in user sees"),
    ("probe-text", "TEXT", "text that page shows every signed-in user"),
)
RESULTS = pytest.StashKey["dict[str, CaseResult] | AuditError"]()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("entra-audit", "mock-entra audit: the fault catalogue against an SP")
    group.addoption(
        "--entra-audit",
        action="store_true",
        help="run the audit, one test per case, instead of the project's tests",
    )
    for name, metavar, text in OPTIONS:
        group.addoption(f"--audit-{name}", metavar=metavar, help=text)
    group.addoption("--audit-case", action="append", metavar="NAME", help="only this case")


def _option(config: pytest.Config, name: str) -> Any:
    return config.getoption(f"audit_{name.replace('-', '_')}")


def _target(config: pytest.Config) -> Target:
    from mock_idp.audit.model import Target, check_target

    missing = [
        f"--audit-{name}"
        for name in ("entra", "identifier", "user", "password", "probe-url")
        if not _option(config, name)
    ]
    if missing:
        raise AuditError(f"{', '.join(missing)}: required with --entra-audit")
    target = Target(
        identifier=_option(config, "identifier"),
        user=_option(config, "user"),
        password=_option(config, "password"),
        probe_url=_option(config, "probe-url"),
        probe_text=_option(config, "probe-text"),
        sign_on_url=_option(config, "sign-on-url"),
        acs_url=_option(config, "acs-url"),
    )
    check_target(target)
    return target


class AuditSuite(pytest.Collector):
    """The parent of the case tests, so they read `entra-audit::xsw1` in reports."""

    def collect(self) -> list[pytest.Item | pytest.Collector]:
        return []  # the items are made from the plan in pytest_collection_modifyitems


class AuditCase(pytest.Item):
    """One catalogue case against the SP; its outcome comes from the session's one audit run."""

    def __init__(self, *, planned: Planned | None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.planned = planned

    def runtest(self) -> None:
        results = self.config.stash.get(RESULTS, None)
        if results is None:
            results = _run(self.config)
            self.config.stash[RESULTS] = results
        if isinstance(results, AuditError):
            raise results
        assert self.planned is not None  # only the input error's item has none
        result = results.get(self.planned.name)
        if result is None:
            pytest.skip("not run: Entra's own response (the control case) was refused")
        if not result.passed:
            raise AuditFailed(result)

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> str:
        if isinstance(excinfo.value, AuditFailed | AuditError):
            return str(excinfo.value)
        return str(super().repr_failure(excinfo))

    def reportinfo(self) -> tuple[str, int | None, str]:
        said = f": {self.planned.expected}" if self.planned else ""
        return "mock-entra audit", None, f"{self.name}{said}"


class AuditFailed(AssertionError):
    def __init__(self, result: CaseResult) -> None:
        super().__init__(f"{result.verdict}: expected {result.expected}; the SP: {result.observed}")


def _run(config: pytest.Config) -> dict[str, CaseResult] | AuditError:
    from mock_idp.audit.runner import audit

    token = _option(config, "token") or os.environ.get("MOCK_IDP_API_TOKEN", "")
    try:
        if not token:
            raise AuditError("--audit-token: give the mock's automation API token")
        results = audit(
            entra=_option(config, "entra"),
            token=token,
            target=_target(config),
            cases=_option(config, "case"),
        )
    except AuditError as exc:
        return exc
    return {r.case: r for r in results}


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(
    session: pytest.Session, config: pytest.Config, items: list[pytest.Item]
) -> None:
    if not config.getoption("entra_audit"):
        return
    from mock_idp.audit.model import plan

    if items:
        config.hook.pytest_deselected(items=list(items))
    suite = AuditSuite.from_parent(session, name="entra-audit", nodeid="entra-audit")
    try:
        planned = plan(_target(config), _option(config, "case"))
    except AuditError as exc:  # one failing test that says what is wrong with the input
        config.stash[RESULTS] = exc
        items[:] = [AuditCase.from_parent(suite, name="input", planned=None)]
        return
    items[:] = [AuditCase.from_parent(suite, name=p.name, planned=p) for p in planned]

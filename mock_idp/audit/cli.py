"""`mock-entra audit`: run the fault catalogue against a live SP and print one row per case.

Exit status: 0 when every case behaved as it must, 1 when the SP accepted a case it must refuse
(a finding) or refused one it must accept (Entra's own response first of all), 2 when the audit
could not run (bad input, a target that does not answer), with one line saying why.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

from mock_idp.audit.errors import AuditError
from mock_idp.audit.model import Target, exit_status
from mock_idp.audit.own_mock import OwnMock, serving
from mock_idp.audit.report import junit, summary, table
from mock_idp.audit.runner import audit

TOKEN_ENV = "MOCK_IDP_API_TOKEN"
EPILOG = """\
example (SP-initiated):
  mock-entra audit --entra http://127.0.0.1:8001 --token T \\
    --identifier https://sp.example.test --sign-on-url http://localhost:5000/login \\
    --user B.Simon@contoso.com --password 'Passw0rd!' \\
    --probe-url http://localhost:5000/me --probe-text 'Sign out' --junit audit.xml

A running mock (--entra) must be in test mode; with --config the audit serves that tenant
file itself on 127.0.0.1:PORT. Either way the SP's app is configured there (Identifier, Reply
URL), the user assigned, and the SP trusts the app's signing certificate."""


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Register `audit` on the `mock-entra` command's subparsers."""
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "audit",
        help="run the fault catalogue against your SP and report what it lets through",
        description=__doc__,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    configure(parser)
    parser.set_defaults(func=run)
    return parser


def configure(parser: argparse.ArgumentParser) -> None:
    mock = parser.add_argument_group(
        "the mock Entra ID", "a running one (--entra), or one the audit serves (--config)"
    )
    which = mock.add_mutually_exclusive_group(required=True)
    which.add_argument("--entra", metavar="URL", help="a running mock, in test mode")
    which.add_argument(
        "--config", metavar="FILE", type=Path, help="serve this tenant file for the audit"
    )
    mock.add_argument(
        "--token",
        metavar="T",
        default=os.environ.get(TOKEN_ENV),
        help=f"with --entra: its automation API token (default: ${TOKEN_ENV})",
    )
    mock.add_argument(
        "--port", type=int, default=8001, help="with --config: the port the SP trusts (8001)"
    )
    mock.add_argument("--keys", type=Path, metavar="DIR", help="with --config: keys folder")
    mock.add_argument("--sp-url", metavar="URL", help="with --config: {SP_URL} in the file")
    sp = parser.add_argument_group("the SP under audit")
    sp.add_argument("--identifier", metavar="ID", required=True, help="its app's Identifier")
    start = sp.add_mutually_exclusive_group(required=True)
    start.add_argument("--sign-on-url", metavar="URL", help="SP-initiated: its Sign on URL")
    start.add_argument("--acs-url", metavar="URL", help="IdP-initiated: its Reply URL (ACS)")
    sp.add_argument("--user", metavar="UPN", required=True, help="a user assigned to the app")
    sp.add_argument("--password", metavar="P", required=True, help="that user's password")
    sp.add_argument("--probe-url", metavar="URL", required=True, help="a signed-in-only page")
    sp.add_argument(
        "--probe-text",
        metavar="TEXT",
        help="text that page shows to every signed-in user (default: it answers 200 in place)",
    )
    out = parser.add_argument_group("what to run and write")
    out.add_argument("--case", action="append", metavar="NAME", help="only this case (repeatable)")
    out.add_argument("--junit", metavar="FILE", type=Path, help="also write JUnit XML here")


def run(args: argparse.Namespace) -> int:
    if args.entra and not args.token:
        return _fail(f"--token: give the mock's automation API token (or set ${TOKEN_ENV})")
    target = Target(
        identifier=args.identifier,
        user=args.user,
        password=args.password,
        probe_url=args.probe_url,
        probe_text=args.probe_text,
        sign_on_url=args.sign_on_url,
        acs_url=args.acs_url,
    )
    try:
        if args.entra:
            results = audit(entra=args.entra, token=args.token, target=target, cases=args.case)
        else:
            own = OwnMock(config=args.config, port=args.port, keys=args.keys, sp_url=args.sp_url)
            with serving(own) as (url, token):
                results = audit(entra=url, token=token, target=target, cases=args.case)
    except AuditError as exc:
        return _fail(str(exc))
    sys.stdout.write(table(results))
    print(summary(results))
    if args.junit:
        try:
            args.junit.write_bytes(junit(results, suite=f"mock-entra audit {args.identifier}"))
        except OSError as exc:
            return _fail(f"--junit: cannot write {args.junit}: {exc.strerror}")
    return exit_status(results)


def _fail(message: str) -> int:
    print(f"mock-entra audit: {message}", file=sys.stderr)
    return 2


def main(argv: list[str] | None = None) -> int:
    """`python -m mock_idp.audit`: the same command without the `mock-entra` front."""
    parser = argparse.ArgumentParser(
        prog="mock-entra audit",
        description=__doc__,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    configure(parser)
    return run(parser.parse_args(argv))

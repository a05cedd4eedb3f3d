"""`flask --app sp …`: what the admin pages do, for scripts, CI and Trakstar support.

Every command runs the same use cases as the pages, writes the same audit entries (the actor
is `cli:<os user>`), and on bad input prints one clear message, exits 1 and saves nothing.
"""

from __future__ import annotations

import getpass
import sys
from collections.abc import Iterator
from contextlib import contextmanager

import click
from flask.cli import AppGroup, with_appcontext

from sp import account_links, audit, organisations, people, sso_settings
from sp.db import get_db
from sp.models import Organisation
from sp.organisations import AdminError
from sp.state import get_state

FIELD_LABELS = {
    "login_url": "Login URL (--login-url)",
    "identifier": "Microsoft Entra Identifier (--identifier)",
    "logout_url": "Logout URL (--logout-url)",
    "certificate": "Certificate (--certificate)",
    "metadata": "Federation Metadata XML",
}


def actor() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):  # no login name in some containers
        return "cli"


@contextmanager
def refusals() -> Iterator[None]:
    """An AdminError becomes `Error: …` on stderr and exit status 1."""
    try:
        yield
    except sso_settings.InvalidSettings as exc:
        lines = [f"  {FIELD_LABELS.get(k, k)}: {v}" for k, v in exc.problems.items()]
        raise click.ClickException("Nothing was saved.\n" + "\n".join(lines)) from exc
    except AdminError as exc:
        raise click.ClickException(exc.message) from exc


def org_of(namespace: str) -> Organisation:
    with refusals():
        return organisations.find(get_db(), namespace)


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        line: str = sys.stdin.readline()  # CliRunner's input in tests
        return line.rstrip("\r\n")
    value: str = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    return value


# --- organisations -----------------------------------------------------------------------


# AppGroup runs each command inside the app context (database, config).
org_cli = AppGroup("org", help="Organisations: create, list, SSO entitlement, Require SSO.")


@org_cli.command("create")
@click.argument("namespace")
@click.option("--name", required=True, help="Display name, e.g. 'Fabrikam'.")
@click.option("--sso/--no-sso", default=False, help="With the paid SSO entitlement.")
def org_create(namespace: str, name: str, sso: bool) -> None:
    """Create an organisation with NAMESPACE."""
    with refusals():
        org = organisations.create(
            get_db(),
            namespace=namespace,
            name=name,
            sso_entitled=sso,
            actor=actor(),
            now=get_state().clock(),
        )
    click.echo(f"Created {org.name} ({org.namespace}), SSO entitlement {'on' if sso else 'off'}.")


@org_cli.command("list")
def org_list() -> None:
    """List organisations."""
    found = organisations.list_all(get_db())
    if not found:
        click.echo("No organisations. Create one with `flask --app sp org create`.")
    for o in found:
        sso = "SSO" if o.sso_entitled else "no SSO"
        saml = "SAML configured" if o.saml_configured else "SAML not configured"
        required = ", Require SSO" if o.require_sso else ""
        click.echo(f"{o.namespace:<20} {o.name:<30} {sso}, {saml}{required}")


@org_cli.command("entitle")
@click.argument("namespace")
@click.option("--off", is_flag=True, help="Take the SSO entitlement away.")
def org_entitle(namespace: str, off: bool) -> None:
    """Turn the paid SSO feature on (or --off) for NAMESPACE."""
    org = org_of(namespace)
    organisations.set_entitlement(
        get_db(), org, entitled=not off, actor=actor(), now=get_state().clock()
    )
    click.echo(f"SSO entitlement for {namespace}: {'off' if off else 'on'}.")


@org_cli.command("require-sso")
@click.argument("namespace")
@click.option("--off", is_flag=True, help="Allow password sign-in again.")
def org_require_sso(namespace: str, off: bool) -> None:
    """Turn password sign-in off for non-administrators of NAMESPACE (or --off)."""
    org = org_of(namespace)
    with refusals():
        organisations.set_require_sso(
            get_db(), org, required=not off, actor=actor(), now=get_state().clock()
        )
    click.echo(f"Require SSO for {namespace}: {'off' if off else 'on'}.")


@org_cli.command("reset")
@click.argument("namespace")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def org_reset(namespace: str, yes: bool) -> None:
    """Start NAMESPACE over: no SAML settings, administrators only, Require SSO off."""
    org = org_of(namespace)
    if not yes:
        click.confirm(
            f"Remove {namespace}'s SAML settings and every person who is not an administrator?",
            abort=True,
        )
    detail = organisations.start_over(get_db(), org, actor=actor(), now=get_state().clock())
    click.echo(f"{namespace}: {detail}.")


# --- people ------------------------------------------------------------------------------


people_cli = AppGroup(
    "people", help="People: add, activate, deactivate, remove, set-password, relink, list."
)


@people_cli.command("add")
@click.argument("namespace")
@click.argument("email")
@click.option("--name", required=True, help="Full name, e.g. 'Britta Simon'.")
@click.option("--active", is_flag=True, help="Activate at once (otherwise inactive).")
@click.option("--admin", is_flag=True, help="An administrator (Settings and People).")
@click.option("--password", "ask_password", is_flag=True, help="Prompt for a password.")
@click.option("--password-stdin", is_flag=True, help="Read the password from stdin.")
def people_add(
    namespace: str,
    email: str,
    name: str,
    active: bool,
    admin: bool,
    ask_password: bool,
    password_stdin: bool,
) -> None:
    """Add EMAIL to NAMESPACE as a person."""
    org = org_of(namespace)
    password = _read_password(password_stdin) if ask_password or password_stdin else None
    with refusals():
        person = people.add(
            get_db(),
            org,
            name=name,
            email=email,
            active=active,
            is_admin=admin,
            password=password,
            actor=actor(),
            now=get_state().clock(),
            password_cost=get_state().config.password_cost,
        )
    state = "active" if person.active else "inactive: activate them before they sign in"
    click.echo(f"Added {person.name} <{person.email}> to {namespace} ({state}).")


def _change(namespace: str, email: str, action: str) -> None:
    org, db = org_of(namespace), get_db()
    with refusals():
        person = people.find(db, org, email=email)
        if action == "remove":
            people.remove(db, org, person, actor=actor(), now=get_state().clock())
        else:
            people.set_active(
                db,
                org,
                person,
                active=action == "activate",
                actor=actor(),
                now=get_state().clock(),
            )
    click.echo(f"{email} in {namespace}: {action}d.")


@people_cli.command("activate")
@click.argument("namespace")
@click.argument("email")
def people_activate(namespace: str, email: str) -> None:
    """Activate EMAIL in NAMESPACE: single sign-on works for them."""
    _change(namespace, email, "activate")


@people_cli.command("deactivate")
@click.argument("namespace")
@click.argument("email")
def people_deactivate(namespace: str, email: str) -> None:
    """Deactivate EMAIL in NAMESPACE: their sessions end, sign-in is refused."""
    _change(namespace, email, "deactivate")


@people_cli.command("remove")
@click.argument("namespace")
@click.argument("email")
def people_remove(namespace: str, email: str) -> None:
    """Remove EMAIL from NAMESPACE."""
    _change(namespace, email, "remove")


@people_cli.command("set-password")
@click.argument("namespace")
@click.argument("email")
@click.option("--password-stdin", is_flag=True, help="Read the password from stdin.")
def people_set_password(namespace: str, email: str, password_stdin: bool) -> None:
    """Set the sign-in password of EMAIL in NAMESPACE (prompted unless --password-stdin)."""
    org, db = org_of(namespace), get_db()
    with refusals():
        person = people.find(db, org, email=email)
        password = _read_password(password_stdin)
        people.set_password(
            db,
            org,
            person,
            password=password,
            actor=actor(),
            now=get_state().clock(),
            password_cost=get_state().config.password_cost,
        )
    click.echo(f"Password set for {person.email}.")


@people_cli.command("relink")
@click.argument("namespace")
@click.argument("email")
def people_relink(namespace: str, email: str) -> None:
    """Forget the Microsoft account linked to EMAIL: the next single sign-on links again."""
    org, db = org_of(namespace), get_db()
    with refusals():
        person = people.find(db, org, email=email)
    if account_links.relink(db, org, person, actor=actor(), now=get_state().clock()):
        click.echo(
            f"{person.email} in {namespace}: Microsoft account link removed; "
            "the next single sign-on links again."
        )
    else:
        click.echo(f"{person.email} in {namespace}: no Microsoft account was linked.")


@people_cli.command("list")
@click.argument("namespace")
def people_list(namespace: str) -> None:
    """List the people of NAMESPACE."""
    for p in people.list_people(get_db(), org_of(namespace)):
        flags = ["active" if p.active else "inactive"]
        flags += ["administrator"] * p.is_admin + ["password"] * p.has_password
        flags += [f"Microsoft account {p.linked_object_id}"] if p.linked_object_id else []
        click.echo(f"{p.email:<36} {p.name:<28} {', '.join(flags)}")


# --- audit -------------------------------------------------------------------------------


@click.command("audit")
@with_appcontext
@click.argument("namespace")
@click.option("--limit", default=50, show_default=True, type=click.IntRange(1, 10_000))
def audit_cli(namespace: str, limit: int) -> None:
    """Show the audit log of NAMESPACE, newest first."""
    for e in audit.entries(get_db(), org_of(namespace).id, limit=limit):
        click.echo(f"{e.at:%Y-%m-%d %H:%M:%S}Z  {e.actor:<28} {e.label}: {e.detail}")

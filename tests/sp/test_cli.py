"""`flask --app sp …`: every command, and bad input (clear message, exit 1, nothing saved)."""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import Result
from flask import Flask
from sqlalchemy import func, select

from mock_idp.federation import app_metadata
from mock_idp.state import IdpState
from sp.app import create_app
from sp.config import SpConfig
from sp.db import get_db
from sp.models import AuditEntry, Organisation, Person, SamlSettings
from sp.passwords import verify_password
from tests.conftest import CERTS, IDP_URL, ROOT, TENANT_ID
from tests.flows import is_signed_in
from tests.sp.admin_client import sign_in

LOGIN_URL = f"{IDP_URL}/{TENANT_ID}/saml2"
IDENTIFIER = f"https://sts.windows.net/{TENANT_ID}/"
CERT_FILE = str(CERTS / "idp-signing.crt")


def run(app: Flask, *args: str, input: str | None = None) -> Result:
    """`run(app, "org", "list")`, or one command line: `run(app, "org create x --name X")`."""
    argv = shlex.split(args[0]) if len(args) == 1 else list(args)
    return app.test_cli_runner().invoke(args=argv, input=input)


def _org(app: Flask, namespace: str) -> Organisation | None:
    with app.app_context():
        return get_db().scalar(select(Organisation).where(Organisation.namespace == namespace))


def _person(app: Flask, email: str) -> Person | None:
    with app.app_context():
        return get_db().scalar(select(Person).where(func.lower(Person.email) == email.lower()))


def _saml(app: Flask, namespace: str) -> SamlSettings | None:
    org = _org(app, namespace)
    assert org is not None
    with app.app_context():
        return get_db().get(SamlSettings, org.id)


def _audit_count(app: Flask) -> int:
    with app.app_context():
        return get_db().scalar(select(func.count(AuditEntry.id))) or 0


def _refused(result: Result, message: str) -> None:
    assert result.exit_code == 1, result.output
    assert message in result.output


# --- organisations -----------------------------------------------------------------------


def test_an_organisation_starts_over_for_another_tutorial_run(sp_app: Flask) -> None:
    assert run(sp_app, "org reset contoso").exit_code == 1  # asks first; no answer: aborted
    assert _saml(sp_app, "contoso") is not None

    result = run(sp_app, "org reset contoso --yes")

    assert result.exit_code == 0, result.output
    assert "SAML settings removed" in result.output
    assert _saml(sp_app, "contoso") is None
    assert _person(sp_app, "B.Simon@contoso.com") is None
    admin = _person(sp_app, "admin@contoso.com")
    assert admin is not None and admin.active
    assert "Organisation started over" in run(sp_app, "audit contoso").output


def test_org_list_says_when_there_is_nothing(tmp_path: Path) -> None:
    app = create_app(
        SpConfig(database_url=f"sqlite:///{tmp_path / 'empty.sqlite3'}", secret_key="tests")
    )

    assert "No organisations." in run(app, "org list").output


def test_create_an_organisation_with_and_without_the_entitlement(sp_app: Flask) -> None:
    with_sso = run(sp_app, "org", "create", "adatum", "--name", "Adatum Corp", "--sso")
    without = run(sp_app, "org", "create", "litware", "--name", "Litware")

    assert with_sso.exit_code == without.exit_code == 0
    assert "Created Adatum Corp (adatum), SSO entitlement on." in with_sso.output
    adatum, litware = _org(sp_app, "adatum"), _org(sp_app, "litware")
    assert adatum is not None and adatum.sso_entitled
    assert litware is not None and not litware.sso_entitled
    listing = run(sp_app, "org", "list").output
    assert "adatum" in listing and "litware" in listing and "contoso" in listing


@pytest.mark.parametrize(
    ("namespace", "message"),
    [
        ("contoso", "The namespace 'contoso' is already taken."),
        ("Bad Namespace", "is not a valid namespace"),
        ("x-", "is not a valid namespace"),
    ],
)
def test_a_bad_organisation_is_refused(sp_app: Flask, namespace: str, message: str) -> None:
    before = _audit_count(sp_app)

    _refused(run(sp_app, "org", "create", namespace, "--name", "X"), message)

    assert _audit_count(sp_app) == before


def test_the_entitlement_switch(sp_app: Flask) -> None:
    assert run(sp_app, "org", "entitle", "northwind").exit_code == 0
    org = _org(sp_app, "northwind")
    assert org is not None and org.sso_entitled

    assert run(sp_app, "org", "require-sso", "contoso").exit_code == 0
    assert run(sp_app, "org", "entitle", "contoso", "--off").exit_code == 0
    contoso = _org(sp_app, "contoso")
    assert contoso is not None and not contoso.sso_entitled and not contoso.require_sso


def test_require_sso_is_refused_before_saml_is_configured(sp_app: Flask) -> None:
    _refused(run(sp_app, "org", "require-sso", "fabrikam"), "Configure SAML 2.0 before")
    _refused(run(sp_app, "org", "require-sso", "northwind"), "not part of this organisation")
    _refused(run(sp_app, "org", "require-sso", "nowhere"), "No organisation with namespace")


# --- people ------------------------------------------------------------------------------


def test_the_lifecycle_of_a_person(sp_app: Flask) -> None:
    email = "Alex.Wilber@contoso.com"

    added = run(sp_app, "people", "add", "contoso", email, "--name", "Alex Wilber")
    person = _person(sp_app, email)
    assert added.exit_code == 0 and "inactive: activate them before they sign in" in added.output
    assert person is not None and not person.active

    assert run(sp_app, "people", "activate", "contoso", email.lower()).exit_code == 0
    person = _person(sp_app, email)
    assert person is not None and person.active
    assert "active" in run(sp_app, "people", "list", "contoso").output

    assert run(sp_app, "people", "deactivate", "contoso", email).exit_code == 0
    person = _person(sp_app, email)
    assert person is not None and not person.active

    assert run(sp_app, "people", "remove", "contoso", email).exit_code == 0
    assert _person(sp_app, email) is None
    assert "Alex Wilber" not in run(sp_app, "people", "list", "contoso").output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["add", "contoso", "not-an-email", "--name", "X"], "is not an email address"),
        (["add", "contoso", "B.Simon@contoso.com", "--name", "X"], "already a person"),
        (["add", "nowhere", "x@y.com", "--name", "X"], "No organisation with namespace"),
        (["activate", "contoso", "ghost@contoso.com"], "No person ghost@contoso.com"),
        (["deactivate", "contoso", "admin@contoso.com"], "last active administrator"),
        (["remove", "fabrikam", "B.Simon@contoso.com"], "No person B.Simon@contoso.com"),
    ],
)
def test_bad_people_commands_are_refused(sp_app: Flask, args: list[str], message: str) -> None:
    before = _audit_count(sp_app)

    _refused(run(sp_app, "people", *args), message)

    assert _audit_count(sp_app) == before


def test_an_administrator_with_a_password_from_stdin_can_sign_in(sp_app: Flask) -> None:
    result = run(
        sp_app,
        "people add fabrikam it@fabrikam.com --name 'Fabrikam IT' --admin --active "
        "--password-stdin",
        input="Long-Enough-Passw0rd\n",
    )

    assert result.exit_code == 0, result.output
    client = sp_app.test_client()
    assert sign_in(client, "it@fabrikam.com", "Long-Enough-Passw0rd").status_code == 303
    assert "Settings</a>" in client.get("/dashboard").text


def test_set_password_prompts_twice(sp_app: Flask) -> None:
    result = run(
        sp_app,
        "people set-password contoso B.Simon@contoso.com",
        input="Britta-Passw0rd!\nBritta-Passw0rd!\n",
    )

    assert result.exit_code == 0, result.output
    person = _person(sp_app, "B.Simon@contoso.com")
    assert person is not None and verify_password(person.password_hash, "Britta-Passw0rd!")
    assert "Britta-Passw0rd!" not in result.output


def test_a_short_password_is_refused_and_nothing_is_saved(sp_app: Flask) -> None:
    before = _person(sp_app, "admin@contoso.com")
    added = run(
        sp_app, "people add contoso new@contoso.com --name New --password-stdin", input="x\n"
    )
    changed = run(
        sp_app, "people set-password contoso admin@contoso.com --password-stdin", input="short\n"
    )

    _refused(added, "The password is too short: use at least 12 characters.")
    _refused(changed, "The password is too short")
    assert _person(sp_app, "new@contoso.com") is None
    after = _person(sp_app, "admin@contoso.com")
    assert before is not None and after is not None
    assert after.password_hash == before.password_hash


# --- SAML --------------------------------------------------------------------------------


def test_show_the_values_to_copy_into_entra(sp_app: Flask) -> None:
    result = run(sp_app, "saml", "show", "contoso")

    assert result.exit_code == 0
    assert "Identifier (Entity ID)       https://perform.trakstar.com" in result.output
    assert "http://localhost:8000/auth/saml/callback?namespace=contoso" in result.output
    assert "http://localhost:8000/auth/saml/?namespace=contoso" in result.output
    assert f"Login URL                    {LOGIN_URL}" in result.output


def test_show_as_json(sp_app: Flask, idp_state: IdpState) -> None:
    data = json.loads(run(sp_app, "saml", "show", "contoso", "--json").output)

    assert data["acs_url"] == "http://localhost:8000/auth/saml/callback?namespace=contoso"
    thumbprint = next(iter(idp_state.tenant.apps.values())).active_certificate.pair.thumbprint
    assert data["saml"]["certificates"][0]["thumbprint"] == thumbprint
    assert json.loads(run(sp_app, "saml", "show", "fabrikam", "--json").output)["saml"] is None


def test_configure_from_values(sp_app: Flask) -> None:
    result = run(
        sp_app,
        f"saml configure fabrikam --login-url {LOGIN_URL} --identifier {IDENTIFIER} "
        f"--logout-url {LOGIN_URL} --certificate {CERT_FILE}",
    )

    assert result.exit_code == 0, result.output
    assert "SAML settings for fabrikam saved" in result.output
    row = _saml(sp_app, "fabrikam")
    assert row is not None and row.idp_sso_url == LOGIN_URL
    audit = run(sp_app, "audit", "fabrikam").output
    assert "SAML settings changed" in audit and "cli:" in audit


def test_configure_keeps_what_is_not_given(sp_app: Flask) -> None:
    other = f"http://localhost:8001/{TENANT_ID}/saml2"

    result = run(sp_app, "saml", "configure", "contoso", "--logout-url", other)

    assert result.exit_code == 0, result.output
    row = _saml(sp_app, "contoso")
    assert row is not None and row.idp_logout_url == other and row.idp_sso_url == LOGIN_URL


def test_a_bad_configuration_lists_each_problem_and_saves_nothing(sp_app: Flask) -> None:
    result = run(
        sp_app,
        "saml configure fabrikam --login-url http://idp.example/saml2 --identifier contoso "
        f"--certificate {CERTS / 'README.md'}",
    )

    _refused(result, "Nothing was saved.")
    assert "Login URL (--login-url): The Login URL must start with https://" in result.output
    assert "Microsoft Entra Identifier (--identifier):" in result.output
    assert "Certificate (--certificate): This is not a certificate." in result.output
    assert _saml(sp_app, "fabrikam") is None


def test_configuring_an_organisation_without_the_entitlement_is_refused(sp_app: Flask) -> None:
    result = run(
        sp_app,
        f"saml configure northwind --login-url {LOGIN_URL} --identifier {IDENTIFIER} "
        f"--certificate {CERT_FILE}",
    )

    _refused(result, "Single sign-on is not part of this organisation's subscription.")
    assert _saml(sp_app, "northwind") is None


def test_import_metadata_from_a_file(sp_app: Flask, idp_state: IdpState, tmp_path: Path) -> None:
    app = next(iter(idp_state.tenant.apps.values()))
    thumbprint = app.active_certificate.pair.thumbprint
    path = tmp_path / "Trakstar.xml"
    path.write_bytes(app_metadata(idp_state, app))

    result = run(sp_app, "saml", "import-metadata", "fabrikam", str(path))

    assert result.exit_code == 0, result.output
    assert f"Metadata signature verified; signing certificate {thumbprint}." in result.output
    assert "Compare this thumbprint with the one Entra shows" in result.output
    row = _saml(sp_app, "fabrikam")
    assert row is not None and row.idp_entity_id == IDENTIFIER


def test_import_metadata_pinned_to_a_thumbprint(
    sp_app: Flask, idp_state: IdpState, tmp_path: Path
) -> None:
    app = next(iter(idp_state.tenant.apps.values()))
    path = tmp_path / "Trakstar.xml"
    path.write_bytes(app_metadata(idp_state, app))
    colons = ":".join(app.active_certificate.pair.thumbprint[i : i + 2] for i in range(0, 40, 2))

    wrong = run(sp_app, "saml", "import-metadata", "fabrikam", str(path), "--thumbprint", "AB" * 20)
    assert _saml(sp_app, "fabrikam") is None
    right = run(sp_app, "saml", "import-metadata", "fabrikam", str(path), "--thumbprint", colons)

    _refused(wrong, f"not {'AB' * 20}. Nothing was saved.")
    assert right.exit_code == 0, right.output
    assert _saml(sp_app, "fabrikam") is not None


def test_import_metadata_refuses_what_it_cannot_trust(sp_app: Flask, tmp_path: Path) -> None:
    missing = run(sp_app, "saml", "import-metadata", "fabrikam", str(tmp_path / "none.xml"))
    junk = tmp_path / "junk.xml"
    junk.write_text("<x/>")
    not_metadata = run(sp_app, "saml", "import-metadata", "fabrikam", str(junk))
    plain_http = run(sp_app, "saml", "import-metadata", "fabrikam", "http://idp.example/m.xml")

    _refused(missing, "Cannot read")
    _refused(not_metadata, "no EntityDescriptor")
    _refused(plain_http, "must start with https://")
    assert _saml(sp_app, "fabrikam") is None


def test_remove_old_certificate_when_there_is_none(sp_app: Flask) -> None:
    _refused(
        run(sp_app, "saml", "remove-old-certificate", "contoso"),
        "There is no old certificate to remove.",
    )


def test_the_audit_log_shows_who_did_what(sp_app: Flask) -> None:
    run(sp_app, "people", "add", "contoso", "x@contoso.com", "--name", "X Person")

    output = run(sp_app, "audit", "contoso").output

    assert "Person added: X Person <x@contoso.com>" in output
    assert "cli:" in output


def test_deactivating_from_the_cli_ends_a_session(sp_app: Flask) -> None:
    run(
        sp_app,
        "people add contoso second@contoso.com --name 'Second Admin' --admin --active "
        "--password-stdin",
        input="Second-Passw0rd!\n",
    )
    client = sp_app.test_client()
    sign_in(client, "second@contoso.com", "Second-Passw0rd!")
    assert is_signed_in(client)

    run(sp_app, "people", "deactivate", "contoso", "second@contoso.com")

    assert not is_signed_in(client)


def test_flask_finds_the_app_by_its_package_name(tmp_path: Path) -> None:
    """`flask --app sp` from a shell, as docs/trakstar.md shows it (one real process)."""
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'cli.sqlite3'}"}

    def flask(*args: str) -> subprocess.CompletedProcess[str]:
        command = [sys.executable, "-m", "flask", "--app", "sp", *args]
        return subprocess.run(
            command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=60, check=False
        )

    created = flask("org", "create", "adatum", "--name", "Adatum", "--sso")
    refused = flask("org", "create", "adatum", "--name", "Adatum")

    assert created.returncode == 0, created.stderr
    assert refused.returncode == 1
    assert "Error: The namespace 'adatum' is already taken." in refused.stderr

"""`flask --app sp saml …`: show the values for Entra, configure, import metadata, rollover."""

from __future__ import annotations

import json
from pathlib import Path
from typing import IO

import click
from flask.cli import AppGroup

from sp import sso_settings
from sp.cli import actor, org_of, refusals
from sp.db import get_db
from sp.models import Organisation
from sp.state import get_state

saml_cli = AppGroup("saml", help="SAML 2.0 settings: show, configure, import metadata, rollover.")


@saml_cli.command("show")
@click.argument("namespace")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
def saml_show(namespace: str, as_json: bool) -> None:
    """The values to copy into Entra, and the Entra values saved for NAMESPACE."""
    org = org_of(namespace)
    values = sso_settings.values_for(get_state().config, org.namespace)
    saved = sso_settings.current(get_db(), org)
    if as_json:
        click.echo(json.dumps(_as_json(org, values, saved), indent=2))
    else:
        click.echo(_as_text(org, values, saved))


def _as_json(
    org: Organisation, values: sso_settings.SpValues, saved: sso_settings.SettingsView | None
) -> dict[str, object]:
    certificates = (
        () if saved is None else (("active", saved.certificate), ("previous", saved.previous))
    )
    return {
        "entity_id": values.entity_id,
        "acs_url": values.acs_url,
        "sign_on_url": values.sign_on_url,
        "sso_entitled": org.sso_entitled,
        "require_sso": org.require_sso,
        "saml": None
        if saved is None
        else {
            "login_url": saved.login_url,
            "identifier": saved.identifier,
            "logout_url": saved.logout_url,
            "certificates": [
                {"role": role, "thumbprint": c.thumbprint, "not_after": c.not_after.isoformat()}
                for role, c in certificates
                if c is not None
            ],
        },
    }


def _as_text(
    org: Organisation, values: sso_settings.SpValues, saved: sso_settings.SettingsView | None
) -> str:
    lines = [f"Copy into Microsoft Entra ID (Basic SAML Configuration) for {org.namespace}:"]
    rows = [
        ("Identifier (Entity ID)", values.entity_id),
        ("Reply URL (ACS URL)", values.acs_url),
        ("Sign on URL", values.sign_on_url),
    ]
    lines += [f"  {label:<28} {value}" for label, value in rows]
    if not org.sso_entitled:
        lines.append("\nSSO entitlement: off (single sign-on is not available).")
    if saved is None:
        return "\n".join([*lines, "\nSAML settings: not configured."])
    rows = [
        ("Login URL", saved.login_url),
        ("Microsoft Entra Identifier", saved.identifier),
        ("Logout URL", saved.logout_url or "(none)"),
        ("Certificate thumbprint", saved.certificate.thumbprint),
        ("Certificate expires", f"{saved.certificate.not_after:%Y-%m-%d %H:%M} UTC"),
    ]
    if saved.previous:
        rows.append(("Old certificate (rollover)", saved.previous.thumbprint))
    rows.append(("Require SSO", "on" if org.require_sso else "off"))
    lines.append("\nSaved from Microsoft Entra ID:")
    lines += [f"  {label:<28} {value}" for label, value in rows]
    return "\n".join(lines)


@saml_cli.command("configure")
@click.argument("namespace")
@click.option("--login-url", help="Entra's Login URL.")
@click.option("--identifier", help="Microsoft Entra Identifier, https://sts.windows.net/{tenant}/.")
@click.option("--logout-url", help="Entra's Logout URL ('' to clear).")
@click.option(
    "--certificate", type=click.File("rb"), help="Certificate (Base64 or Raw) file; - for stdin."
)
@click.option("--replace-certificate", is_flag=True, help="Do not keep trusting the old one.")
def saml_configure(
    namespace: str,
    login_url: str | None,
    identifier: str | None,
    logout_url: str | None,
    certificate: IO[bytes] | None,
    replace_certificate: bool,
) -> None:
    """Save SAML settings for NAMESPACE; options left out keep their saved value."""
    org, db = org_of(namespace), get_db()
    saved = sso_settings.current(db, org)
    data = sso_settings.SettingsInput(
        login_url=login_url if login_url is not None else (saved.login_url if saved else ""),
        identifier=identifier if identifier is not None else (saved.identifier if saved else ""),
        logout_url=logout_url if logout_url is not None else (saved.logout_url if saved else ""),
        certificate=certificate.read() if certificate is not None else None,
        keep_previous=not replace_certificate,
    )
    _save(org, data)


@saml_cli.command("import-metadata")
@click.argument("namespace")
@click.argument("source")
@click.option("--thumbprint", help="Refuse unless the signing certificate has this thumbprint.")
@click.option("--replace-certificate", is_flag=True, help="Do not keep trusting the old one.")
def saml_import_metadata(
    namespace: str, source: str, thumbprint: str | None, replace_certificate: bool
) -> None:
    """Configure NAMESPACE from Entra's Federation Metadata XML: a file or its URL."""
    org = org_of(namespace)
    is_url = source.startswith(("http://", "https://"))
    try:
        upload = b"" if is_url else Path(source).read_bytes()
    except OSError as exc:
        raise click.ClickException(f"Cannot read {source}: {exc.strerror}.") from exc
    with refusals():
        meta = sso_settings.read_metadata(
            upload=upload,
            url=source if is_url else "",
            xmlsec_binary=get_state().config.xmlsec_binary,
        )
    expected = "".join(c for c in (thumbprint or "") if c.isalnum()).upper()
    if expected and expected != meta.signer_thumbprint:
        raise click.ClickException(
            f"The metadata is signed by certificate {meta.signer_thumbprint}, not {expected}. "
            "Nothing was saved."
        )
    click.echo(f"Metadata signature verified; signing certificate {meta.signer_thumbprint}.")
    if not expected:
        click.echo(
            "Compare this thumbprint with the one Entra shows under SAML Signing Certificate."
        )
    data = sso_settings.input_from_metadata(meta)
    _save(
        org,
        sso_settings.SettingsInput(
            login_url=data.login_url,
            identifier=data.identifier,
            logout_url=data.logout_url,
            certificate=data.certificate,
            keep_previous=not replace_certificate,
        ),
    )


def _save(org: Organisation, data: sso_settings.SettingsInput) -> None:
    with refusals():
        saved = sso_settings.save(get_db(), org, data, actor=actor(), now=get_state().clock())
    for warning in saved.warnings:
        click.echo(f"Warning: {warning}", err=True)
    view = sso_settings.current(get_db(), org)
    assert view is not None  # just saved
    state = "saved" if saved.changed else "unchanged"
    click.echo(
        f"SAML settings for {org.namespace} {state}; certificate {view.certificate.thumbprint}."
    )


@saml_cli.command("remove-old-certificate")
@click.argument("namespace")
def saml_remove_old_certificate(namespace: str) -> None:
    """End a rollover: stop trusting the old certificate of NAMESPACE."""
    org = org_of(namespace)
    with refusals():
        sso_settings.remove_previous_certificate(
            get_db(), org, actor=actor(), now=get_state().clock()
        )
    click.echo(f"Old certificate removed for {namespace}.")

"""An `[[apps]]` table of a tenant file, through the admin center's rules for enterprise apps.

Properties (name), single sign-on mode, Basic SAML Configuration, SAML Certificates (signing
option, algorithm, certificates), Attributes & Claims, verification certificates and the
assignments: each checked by the same function the admin center and the Graph-shaped API call.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cryptography import x509
from cryptography.hazmat.primitives import serialization

from mock_idp import certificates, schema
from mock_idp.admin import apps, basic_saml, claims_config, gallery, token_signing
from mock_idp.admin.basic_saml import BasicSamlConfig
from mock_idp.admin.claims_config import ClaimDraft
from mock_idp.certificates import SigningPair
from mock_idp.protocol.claims import ClaimRule
from mock_idp.tenant import EnterpriseApp, SigningCertificate, Tenant

if TYPE_CHECKING:
    from mock_idp.tenant_file import _Builder

PEM_CERTIFICATE = re.compile(
    r"-----BEGIN CERTIFICATE-----[A-Za-z0-9+/=\s]+-----END CERTIFICATE-----"
)
NO_FILES = "an uploaded tenant file cannot name files on the mock's host: give the PEM text inline"
FLAGS = ("generate", "active")
# The admin rules' field names, as tenant-file keys.
KEYS = {"mode": "sso_mode", "option": "signing.option", "algorithm": "signing.algorithm",
        "source": "name_id.source", "format": "name_id.format"}  # fmt: skip


def read_app(builder: _Builder, tenant: Tenant, row: object, where: str) -> None:
    problems = builder.problems
    before = len(problems.messages)
    table = schema.check_keys(row, schema.APP, where, problems)
    values = schema.read(table, schema.APP, where, problems)
    if "name" not in values:
        return
    ids = {k: builder.guid(values[k], f"{where}.{k}") for k in ("app_id", "object_id")}
    ids["application_object_id"] = builder.guid(
        values["application_object_id"], f"{where}.application_object_id"
    )
    template = values["template"]
    if template is not None and gallery.template_by_key(template) is None:
        keys = ", ".join(t.key for t in gallery.GALLERY)
        problems.add(f"{where}.template", f"no gallery template {template!r} (one of: {keys})")
        template = None
    app = EnterpriseApp(
        app_id=ids["app_id"] or "",
        name=values["name"],
        object_id=ids["object_id"] or "",
        application_object_id=ids["application_object_id"] or "",
        template=template,
        enabled=values["enabled"],
        assignment_required=values["assignment_required"],
        visible=values["visible"],
        require_signed_requests=values["require_signed_requests"],
    )

    def rule(step: Any) -> bool:
        return builder.rule(where, step, keys=KEYS)

    rule(lambda: setattr(app, "name", gallery.check_display_name(values["name"])))
    rule(lambda: apps.set_sso_mode(app, values["sso_mode"]))
    for identifier in values["identifiers"]:
        owner = tenant.app_by_identifier(identifier)
        if owner is not None:
            problems.add(
                f"{where}.identifiers",
                f"two apps have the Identifier {identifier!r} ({owner.name!r} and {app.name!r})",
            )
    config = BasicSamlConfig(
        identifiers=tuple(values["identifiers"]),
        reply_urls=tuple(values["reply_urls"]),
        sign_on_url=values["sign_on_url"],
        relay_state=values["relay_state"],
        logout_url=values["logout_url"],
    )
    rule(lambda: basic_saml.apply(tenant, app, config, required=False))
    rule(
        lambda: token_signing.set_options(
            app, option=values["signing_option"], algorithm=values["signing_algorithm"]
        )
    )
    rule(
        lambda: claims_config.set_name_id(
            app, source=values["name_id_source"], name_id_format=values["name_id_format"]
        )
    )
    if "claims" in table:
        _claims(builder, app, table["claims"], f"{where}.claims")
    app.verification_certificates = _verification(builder, table, f"{where}")
    if app.require_signed_requests and not app.verification_certificates:
        problems.add(where, f"app {app.name!r} requires signed requests but has no certificate")
    app.scenario = _scenario(builder, table.get("scenario", ""), f"{where}.scenario")
    key_name = values["app_id"] or values["name"]  # what the file names, stable across starts
    _certificates(builder, app, table.get("certificates", [{"generate": True}]), where, key_name)
    _assign(builder, tenant, app, table, where)
    if app.app_id in tenant.apps:
        problems.add(f"{where}.app_id", f"two apps have the Application ID {app.app_id!r}")
    if len(problems.messages) == before:
        tenant.apps[app.app_id] = app


def _claims(builder: _Builder, app: EnterpriseApp, rows: object, where: str) -> None:
    if not isinstance(rows, list):
        builder.problems.add(where, "must be a list of { name, source } tables")
        return
    app.claim_rules = []
    for i, row in enumerate(rows):
        at = f"{where}[{i}]"
        fields = (
            schema.Field(key="name", attr="name", required=True),
            schema.Field(key="source", attr="source"),
        )
        table = schema.check_keys(row, fields, at, builder.problems)
        found = schema.read(table, fields, at, builder.problems)
        if "name" in found:
            draft = ClaimDraft.of(ClaimRule(name=found["name"], source=found["source"]))
            builder.rule(at, partial(claims_config.add_claim, app, draft))


def _pem_certificate(text: str) -> x509.Certificate:
    """The certificate in a PEM text, nothing else (a private key beside it is dropped)."""
    match = PEM_CERTIFICATE.search(text)
    if match is None:
        raise ValueError("is not a PEM certificate (-----BEGIN CERTIFICATE-----…)")
    return x509.load_pem_x509_certificate(match.group(0).encode())


def _verification(builder: _Builder, table: Mapping[str, Any], where: str) -> list[str]:
    kept: list[str] = []
    at = f"{where}.verification_certificates"
    for i, value in enumerate(builder.texts(table, "verification_certificates", at)):
        try:
            text = value if "-----BEGIN" in value else _file(builder, value).read_text()
            cert = _pem_certificate(text)
        except (OSError, ValueError) as exc:
            builder.problems.add(f"{at}[{i}]", str(exc))
            continue
        kept.append(cert.public_bytes(serialization.Encoding.PEM).decode("ascii"))
    return kept


def _file(builder: _Builder, name: str) -> Path:
    """A file a trusted tenant file names, relative to its own folder; never for an upload."""
    if builder.origin.files is None:
        raise ValueError(NO_FILES)
    return builder.origin.files / name


def _scenario(builder: _Builder, value: object, where: str) -> str | tuple[str, ...]:
    if isinstance(value, str):
        return value
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return tuple(value)
    builder.problems.add(
        where, f"scenario must be a case name or a list of case names, not {value!r}"
    )
    return ""


def _certificates(
    builder: _Builder, app: EnterpriseApp, rows: object, where: str, key_name: str
) -> None:
    if not isinstance(rows, list) or not rows:
        builder.problems.add(where, f"app {app.name!r} has no signing certificate")
        return
    for i, row in enumerate(rows):
        at = f"{where}.certificates[{i}]"
        fields = tuple(
            schema.Field(
                key=k,
                attr=k,
                kind="flag" if k in FLAGS else "text",
                default=False if k in FLAGS else "",
            )
            for k in schema.CERTIFICATE_KEYS
        )
        table = schema.check_keys(row, fields, at, builder.problems)
        found = schema.read(table, fields, at, builder.problems)
        try:
            pair, source = _pair(builder, key_name, table, found)
        except (OSError, ValueError, TypeError) as exc:
            builder.problems.add(at, str(exc))
            continue
        app.certificates.append(
            SigningCertificate(pair=pair, active=bool(found.get("active")), source=source)
        )
    if sum(c.active for c in app.certificates) > 1:
        builder.problems.add(where, f"app {app.name!r} has more than one active certificate")
    if app.certificates and not any(c.active for c in app.certificates):
        app.certificates[0].active = True


def _pair(
    builder: _Builder, key_name: str, table: Mapping[str, Any], found: dict[str, Any]
) -> tuple[SigningPair, tuple[Path, Path] | None]:
    if found.get("generate"):
        return builder.generate(key_name), None
    if "key_pem" in table or "cert_pem" in table:
        try:
            key = certificates.private_key(str(found["key_pem"]).encode())
        except ValueError as error:
            raise ValueError(f"key_pem: {error}") from error
        return SigningPair(key=key, cert=_pem_certificate(str(found["cert_pem"]))), None
    if "key" not in table or "cert" not in table:
        raise ValueError("give generate = true, key_pem and cert_pem, or key and cert files")
    key_path, cert_path = _file(builder, found["key"]), _file(builder, found["cert"])
    return certificates.load(key_path, cert_path), (key_path, cert_path)


def _assign(
    builder: _Builder, tenant: Tenant, app: EnterpriseApp, table: Mapping[str, Any], where: str
) -> None:
    for upn in builder.texts(table, "assigned", f"{where}.assigned"):
        user = tenant.user_by_upn(upn)
        if user is None:
            builder.problems.add(
                f"{where}.assigned", f"app {app.name!r} assigns unknown user {upn!r}"
            )
        else:
            app.assigned.add(user.object_id)
    for ref in builder.texts(table, "assigned_groups", f"{where}.assigned_groups"):
        group = next(
            (g for g in tenant.groups.values() if ref in (g.object_id, g.display_name)), None
        )
        if group is None:
            builder.problems.add(
                f"{where}.assigned_groups", f"app {app.name!r} assigns unknown group {ref!r}"
            )
        else:
            app.assigned.add(group.object_id)

"""Loading a tenant file: the schema's keys (`mock_idp.schema`) through the admin center's rules.

Users go through the same checks as "New user" and Graph's POST /users, apps through those of
Properties, Basic SAML Configuration, Attributes & Claims and SAML Certificates. Every problem
in the file is reported at once, each prefixed by where it is (`users[1].password: …`).

Trust: a file given on the command line (or packaged with the mock) may name certificate files,
relative to its own folder. An uploaded file (admin center, `POST /mock/tenant/reset`) may not:
certificates are inline PEM only, so an upload can neither read nor probe the host's files.
A verification certificate keeps only the certificate, never any private key beside it.
"""

from __future__ import annotations

import tomllib
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from mock_idp import certificates, schema
from mock_idp.admin import directory
from mock_idp.admin.directory import UserDraft
from mock_idp.admin.errors import AdminError, Invalid, InvalidValue
from mock_idp.certificates import SigningPair
from mock_idp.keys import KeyFolder
from mock_idp.schema import Problems
from mock_idp.tenant import EnterpriseApp, Group, Tenant, TenantConfigError
from mock_idp.tenant_apps import read_app

NewGuid = Callable[[], str]


def _guid() -> str:
    return str(uuid.uuid4())


@dataclass(frozen=True, kw_only=True, slots=True)
class Origin:
    """Where the text came from: its name in messages, and the folder it may read files from
    (None: an upload, which names no files)."""

    source: str
    files: Path | None
    keys: KeyFolder | None = None  # where `generate = true` pairs are kept (stable keys)


def load_tenant(
    path: Path,
    *,
    substitutions: Mapping[str, str],
    now: datetime,
    new_guid: NewGuid = _guid,
    keys: KeyFolder | None = None,
) -> Tenant:
    """A tenant file from disk (trusted: it may name certificate files beside it)."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise TenantConfigError(f"{path}: {exc}") from exc
    origin = Origin(source=str(path), files=path.parent, keys=keys)
    return read_tenant(text, origin, substitutions=substitutions, now=now, new_guid=new_guid)


def parse_tenant(
    text: str,
    *,
    source: str,
    base: Path | None,
    substitutions: Mapping[str, str],
    now: datetime,
    new_guid: NewGuid = _guid,
) -> Tenant:
    """A tenant from TOML text; `base=None` for an upload (no file paths allowed)."""
    origin = Origin(source=source, files=base)
    return read_tenant(text, origin, substitutions=substitutions, now=now, new_guid=new_guid)


def read_tenant(
    text: str,
    origin: Origin,
    *,
    substitutions: Mapping[str, str],
    now: datetime,
    new_guid: NewGuid = _guid,
) -> Tenant:
    try:
        data = _expand(tomllib.loads(text), substitutions)
    except tomllib.TOMLDecodeError as exc:
        raise TenantConfigError(f"{origin.source}: {exc}") from exc
    except RecursionError as exc:  # tomllib recurses per nesting level
        raise TenantConfigError(
            f"{origin.source}: values are nested too deeply; a tenant file nests a few levels."
        ) from exc
    problems = Problems()
    tenant = _Builder(origin, problems, now=now, new_guid=new_guid).build(data)
    if problems.messages or tenant is None:
        raise TenantConfigError(
            f"{origin.source}: " + "; ".join(problems.messages), problems.messages
        )
    return tenant


def add_app(
    tenant: Tenant, row: object, *, now: datetime, new_guid: NewGuid = _guid
) -> EnterpriseApp:
    """One app given as an `[[apps]]` table (the API's JSON): added with every check passed,
    or refused with every problem, each naming its key, and nothing added."""
    problems = Problems()
    builder = _Builder(Origin(source="app", files=None), problems, now=now, new_guid=new_guid)
    before = set(tenant.apps)
    read_app(builder, tenant, row, "")
    if problems.messages:
        raise InvalidValue(" ".join(f"{m.rstrip('.')}." for m in problems.messages))
    [added] = set(tenant.apps) - before
    return tenant.apps[added]


def _expand(value: Any, subs: Mapping[str, str]) -> Any:
    if isinstance(value, str):
        for name, replacement in subs.items():
            value = value.replace("{" + name + "}", replacement)
        return value
    if isinstance(value, list):
        return [_expand(v, subs) for v in value]
    if isinstance(value, dict):
        return {k: _expand(v, subs) for k, v in value.items()}
    return value


class _Builder:
    def __init__(self, origin: Origin, problems: Problems, *, now: datetime, new_guid: NewGuid):
        self.origin, self.problems, self.now, self.new_guid = origin, problems, now, new_guid
        self.upns: set[str] = set()

    def rule(
        self, where: str, step: Callable[[], object], keys: Mapping[str, str] | None = None
    ) -> bool:
        """Run one of the admin rules; each refusal becomes a problem at `where`, under the
        tenant-file key of the rule's field (`keys` renames the few that differ)."""
        try:
            step()
        except AdminError as error:
            for one in error.errors if isinstance(error, Invalid) else (error,):
                key = (keys or {}).get(one.field or "", one.field)
                self.problems.add(f"{where}.{key}" if key else where, one.message)
            return False
        except (ValueError, TypeError) as error:  # a GUID or certificate that does not parse
            self.problems.add(where, str(error))
            return False
        return True

    def generate(self, name: str) -> SigningPair:
        """`generate = true`: the app's pair from the keys folder (made once), else a new one."""
        if self.origin.keys is not None:
            return self.origin.keys.pair(name, self.now)
        return certificates.generate(self.now)

    def rows(self, data: Mapping[str, Any], key: str) -> list[Any]:
        rows = data.get(key, [])
        if not isinstance(rows, list):
            self.problems.add(key, "must be an array of tables ([[" + key + "]])")
            return []
        return rows

    def build(self, data: dict[str, Any]) -> Tenant | None:
        schema.check_keys(data, schema.TENANT, "", self.problems, extra=schema.TOP_LEVEL[2:])
        meta = schema.read(data, schema.TENANT, "", self.problems)
        if self.problems.messages:
            return None
        try:
            meta["tenant_id"] = str(uuid.UUID(meta["tenant_id"]))
        except ValueError as exc:
            self.problems.add("tenant.id", f"{exc} ({meta['tenant_id']!r})")
            return None
        tenant = Tenant(**meta)
        group_rows = self.rows(data, "groups")
        group_ids = [self.group(tenant, row, f"groups[{i}]") for i, row in enumerate(group_rows)]
        for i, row in enumerate(self.rows(data, "users")):
            self.user(tenant, row, f"users[{i}]")
        for i, (row, group_id) in enumerate(zip(group_rows, group_ids, strict=True)):
            if group_id is not None:
                self.members(tenant, row, tenant.groups[group_id], f"groups[{i}].members")
        for i, row in enumerate(self.rows(data, "apps")):
            read_app(self, tenant, row, f"apps[{i}]")
        return tenant

    def guid(self, value: str, where: str) -> str | None:
        try:
            return str(uuid.UUID(value)) if value else self.new_guid()
        except ValueError:
            self.problems.add(where, f"'{value}' is not a GUID")
            return None

    def group(self, tenant: Tenant, row: object, where: str) -> str | None:
        table = schema.check_keys(row, schema.GROUP, where, self.problems)
        values = schema.read(table, schema.GROUP, where, self.problems)
        object_id = self.guid(values.get("object_id", ""), f"{where}.object_id")
        if object_id is None or "display_name" not in values:
            return None
        if object_id in tenant.groups:
            self.problems.add(where, f"two groups have the object ID {object_id!r}")
            return None
        made = self.rule(
            where,
            lambda: directory.create_group(
                tenant, values["display_name"], values["description"], new_guid=lambda: object_id
            ),
        )
        return object_id if made else None

    def user(self, tenant: Tenant, row: object, where: str) -> None:
        table = schema.check_keys(row, schema.USER, where, self.problems)
        values = schema.read(table, schema.USER, where, self.problems)
        if "upn" not in values or "password" not in values:
            return
        if values["upn"].strip().casefold() in self.upns:  # seen, even if refused
            self.problems.add(
                f"{where}.upn", f"two users have the userPrincipalName {values['upn']!r}"
            )
            return
        self.upns.add(values["upn"].strip().casefold())
        object_id = values.pop("object_id") or self.new_guid()
        mfa = values.pop("mfa")
        totp_secret = values.pop("totp_secret", "")
        draft = UserDraft(**{**values, "display_name": values["display_name"] or values["upn"]})
        created: list[Any] = []
        if self.rule(
            where,
            lambda: created.append(
                directory.create_user(tenant, draft, new_guid=lambda: object_id)
            ),
        ):
            user = created[0]
            user.mfa = mfa
            user.totp_secret = totp_secret
            user.groups = tuple(self.texts(table, "groups", f"{where}.groups"))

    def members(self, tenant: Tenant, row: object, group: Group, where: str) -> None:
        """`[[groups]] members = [UPN, …]` adds the group to each member's `groups`."""
        for upn in self.texts(row, "members", where):
            user = tenant.user_by_upn(upn)
            if user is None:
                self.problems.add(where, f"group {group.display_name!r} has unknown member {upn!r}")
            elif group.object_id not in user.groups:
                user.groups = (*user.groups, group.object_id)

    def texts(self, row: object, key: str, where: str) -> list[str]:
        """A special field's list of strings (checked here: `schema.read` skips them)."""
        value = row.get(key, []) if isinstance(row, Mapping) else []
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.problems.add(where, "must be a list of strings")
            return []
        return value

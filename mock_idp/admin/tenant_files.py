"""Resetting the tenant: to the file the mock started with, a packaged tenant file, or an upload.

A reset builds a whole new tenant first and only then replaces the running one, so a file that
does not load changes nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from pathlib import Path

from mock_idp.admin.errors import InvalidValue, NotFound
from mock_idp.keys import KeyFolder
from mock_idp.tenant import Tenant, TenantConfigError
from mock_idp.tenant_file import load_tenant, parse_tenant

UPLOAD_MAX = 1_000_000  # bytes; a tenant file is a few kilobytes


def packaged(directory: Path) -> list[str]:
    """The tenant files shipped with the mock, by name (`default.toml`, `empty.toml`, …)."""
    return sorted(p.name for p in directory.glob("*.toml"))


def load_packaged(
    directory: Path,
    name: str,
    *,
    substitutions: Mapping[str, str],
    now: datetime,
    keys: KeyFolder | None = None,
) -> Tenant:
    """Only a file of that directory, by bare name: a reset never reads an arbitrary path."""
    names = packaged(directory)
    if name not in names:
        raise NotFound(
            f"There is no packaged tenant file '{name}'. Choose one of: {', '.join(names)}.",
            field="file",
        )
    return load_file(directory / name, substitutions=substitutions, now=now, keys=keys)


def load_file(
    path: Path, *, substitutions: Mapping[str, str], now: datetime, keys: KeyFolder | None = None
) -> Tenant:
    try:
        return load_tenant(path, substitutions=substitutions, now=now, keys=keys)
    except TenantConfigError as exc:
        raise InvalidValue(f"The tenant file does not load: {exc}", field="file") from exc


def load_upload(content: bytes, *, substitutions: Mapping[str, str], now: datetime) -> Tenant:
    """Uploaded TOML: it names no files on the host (certificates are inline PEM)."""
    if not content.strip():
        raise InvalidValue("The uploaded tenant file is empty.", field="file")
    if len(content) > UPLOAD_MAX:
        raise InvalidValue(
            f"The uploaded tenant file is larger than {UPLOAD_MAX} bytes.", field="file"
        )
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InvalidValue("The uploaded tenant file is not UTF-8 text.", field="file") from exc
    try:
        return parse_tenant(
            text, source="uploaded tenant file", base=None, substitutions=substitutions, now=now
        )
    except TenantConfigError as exc:
        raise InvalidValue(f"The tenant file does not load: {exc}", field="file") from exc


def load_for_reset(
    *,
    content: bytes | None,
    name: str,
    startup: Path,
    directory: Path,
    substitutions: Mapping[str, str],
    now: datetime,
    keys: KeyFolder | None = None,
) -> tuple[Tenant, str]:
    """The tenant a reset asks for, and how to name its source: an upload, else a packaged
    file by name, else the file the mock started with."""
    if content is not None:
        tenant = load_upload(content, substitutions=substitutions, now=now)
        return tenant, "the uploaded tenant file"
    if name:
        tenant = load_packaged(directory, name, substitutions=substitutions, now=now, keys=keys)
        return tenant, name
    return load_file(startup, substitutions=substitutions, now=now, keys=keys), str(startup)

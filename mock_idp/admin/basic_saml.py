"""Basic SAML Configuration: the fields, Entra's validation rules, and saving them.

Rules (docs/reference/entra.md §1, §10): an Identifier and a Reply URL are required; URLs
are absolute, https, or http on localhost only; at most 256 characters; no wildcards, fragments or
duplicates; a gallery app's `<PLACEHOLDER>` patterns must be replaced; a fixed Identifier
(Trakstar's) cannot change; an Identifier belongs to one app in the tenant.

The default Identifier and Reply URL are kept first in their lists: that is what the sign-in
uses as the Audience and as the ACS when a request names none.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

from mock_idp.admin.errors import AdminError, AlreadyExists, InvalidValue, raise_all
from mock_idp.admin.gallery import template_by_key
from mock_idp.tenant import EnterpriseApp, Tenant

URL_MAX = 256
VALUES_MAX = 256  # Graph's limit on identifierUris / redirectUris entries
LOOPBACK_HOSTS = ("localhost", "127.0.0.1", "::1")
PLACEHOLDER = re.compile(r"<[A-Za-z0-9_ -]+>")


@dataclass(frozen=True, kw_only=True, slots=True)
class BasicSamlConfig:
    identifiers: tuple[str, ...]  # the default one first
    reply_urls: tuple[str, ...]  # the default one first
    sign_on_url: str = ""
    relay_state: str = ""
    logout_url: str = ""

    @classmethod
    def of(cls, app: EnterpriseApp) -> BasicSamlConfig:
        return cls(
            identifiers=tuple(app.identifiers),
            reply_urls=tuple(app.reply_urls),
            sign_on_url=app.sign_on_url,
            relay_state=app.relay_state,
            logout_url=app.logout_url,
        )


def default_first(values: Sequence[str], default_index: int) -> tuple[str, ...]:
    """The list with the row marked Default moved to the front (blank rows dropped)."""
    rows = [v.strip() for v in values]
    if 0 <= default_index < len(rows) and rows[default_index]:
        rows.insert(0, rows.pop(default_index))
    return tuple(v for v in rows if v)


def validate(
    config: BasicSamlConfig, app: EnterpriseApp, *, required: bool = True
) -> BasicSamlConfig:
    """The config, trimmed, or every rule it breaks (one error per field, `Invalid` for more).

    `required=False` (Graph, which sets one property at a time) lets the Identifier and Reply
    URL lists be empty; the portal's form requires both.
    """
    config = BasicSamlConfig(
        identifiers=tuple(v.strip() for v in config.identifiers if v.strip()),
        reply_urls=tuple(v.strip() for v in config.reply_urls if v.strip()),
        sign_on_url=config.sign_on_url.strip(),
        relay_state=config.relay_state.strip(),
        logout_url=config.logout_url.strip(),
    )
    errors: list[AdminError] = []
    checks: list[Callable[[], None]] = [
        lambda: _check_identifiers(config.identifiers, app, required=required),
        lambda: _check_reply_urls(config.reply_urls, required=required),
        lambda: _check_optional_url(config.sign_on_url, "Sign on URL", "sign_on_url"),
        lambda: _check_optional_url(config.logout_url, "Logout Url", "logout_url"),
        lambda: _check_text(config.relay_state, "Relay State", "relay_state"),
    ]
    for check in checks:  # every field is checked, so a form can show each error by its field
        try:
            check()
        except AdminError as error:
            errors.append(error)
    raise_all(errors)
    return config


def apply(
    tenant: Tenant, app: EnterpriseApp, config: BasicSamlConfig, *, required: bool = True
) -> BasicSamlConfig:
    """Validate, check the Identifiers are this app's alone, then save; nothing on refusal."""
    config = validate(config, app, required=required)
    for identifier in config.identifiers:
        owner = tenant.app_by_identifier(identifier)
        if owner is not None and owner is not app:
            raise AlreadyExists(
                "Another object with the same value for property identifierUris already "
                f"exists: the application '{owner.name}' ({owner.app_id}) uses the "
                f"Identifier '{identifier}'.",
                field="identifiers",
            )
    app.identifiers = list(config.identifiers)
    app.reply_urls = list(config.reply_urls)
    app.sign_on_url = config.sign_on_url
    app.relay_state = config.relay_state
    app.logout_url = config.logout_url
    return config


def _check_reply_urls(reply_urls: tuple[str, ...], *, required: bool) -> None:
    _check_list(reply_urls, "Reply URL (Assertion Consumer Service URL)", "reply_urls", required)
    for url in reply_urls:
        check_url(url, "Reply URL", "reply_urls")


def _check_optional_url(url: str, label: str, field: str) -> None:
    if url:
        check_url(url, label, field)


def _check_identifiers(identifiers: tuple[str, ...], app: EnterpriseApp, *, required: bool) -> None:
    _check_list(identifiers, "Identifier (Entity ID)", "identifiers", required)
    for identifier in identifiers:
        _check_text(identifier, "Identifier", "identifiers")
        if any(c.isspace() for c in identifier):
            raise InvalidValue(
                f"Identifier '{identifier}' must not contain spaces.", field="identifiers"
            )
    template = template_by_key(app.template)
    if template is None or not template.fixed_identifier:
        return
    if identifiers != (template.fixed_identifier,):
        raise InvalidValue(
            f"The Identifier of {template.display_name} is the fixed value "
            f"'{template.fixed_identifier}' and cannot be changed.",
            field="identifiers",
        )


def _check_list(values: tuple[str, ...], label: str, field: str, required: bool) -> None:
    if not values and required:
        raise InvalidValue(f"{label} is required.", field=field)
    if len(values) > VALUES_MAX:
        raise InvalidValue(f"{label}: at most {VALUES_MAX} values.", field=field)
    seen: set[str] = set()
    for value in values:
        if value in seen:
            raise InvalidValue(f"{label} '{value}' is entered twice.", field=field)
        seen.add(value)


def _check_text(value: str, label: str, field: str) -> None:
    placeholder = PLACEHOLDER.search(value)
    if placeholder:
        raise InvalidValue(
            f"{label} '{value}' still contains the placeholder {placeholder.group(0)}: "
            "replace it with your value (for Trakstar, the namespace shown in Trakstar "
            "under Settings > Authentication & SSO > SAML 2.0 > Configure).",
            field=field,
        )
    if len(value) > URL_MAX:
        raise InvalidValue(
            f"{label} is {len(value)} characters long; at most {URL_MAX} are allowed.",
            field=field,
        )


def check_url(url: str, label: str, field: str) -> None:
    """An absolute https URL (http only on localhost), as Entra requires of SAML URLs."""
    _check_text(url, label, field)
    if any(c.isspace() for c in url) or "*" in url:
        raise InvalidValue(
            f"{label} '{url}' must not contain spaces or wildcards (*).", field=field
        )
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:
        host = None
    if host is None or parts.scheme.lower() not in ("https", "http"):
        raise InvalidValue(
            f"{label} '{url}' is not an absolute URL: it must start with https://.",
            field=field,
        )
    if parts.scheme.lower() == "http" and host not in LOOPBACK_HOSTS:
        raise InvalidValue(
            f"{label} '{url}' must use https: http is accepted only for localhost.",
            field=field,
        )
    if parts.fragment or url.endswith("#"):
        raise InvalidValue(f"{label} '{url}' must not contain a fragment (#…).", field=field)

"""The only module that calls pysaml2: start a login, verify a response, map its errors to ours."""

from __future__ import annotations

import base64
import logging
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT
from saml2.client import Saml2Client
from saml2.config import SPConfig
from saml2.response import StatusError, UnsolicitedResponse
from saml2.saml import NAMEID_FORMAT_EMAILADDRESS, NameID
from saml2.sigver import CryptoBackendXmlSec1, MissingKey, SignatureError, SigverError, XmlsecError

from sp.saml import errors
from sp.saml.identity import (
    IdpSettings,
    SubjectConfirmation,
    VerifiedAssertion,
    VerifiedResponse,
)
from sp.saml.settings import SpEndpoints, sp_config

log = logging.getLogger("sp.saml")


class _EntraPostClient(Saml2Client):  # type: ignore[misc]
    """pysaml2's client, minus its guess on HTTP-POST: it tries raw DEFLATE first, without a size
    limit (docs/reference/attacks.md #36), so bytes that are both XML and a DEFLATE stream would be
    parsed as something the input gate never saw. Entra never deflates on POST: plain base64
    only."""

    @staticmethod
    def unravel(txt: str, binding: str | None, msgtype: str = "response") -> Any:
        if binding == BINDING_HTTP_POST:
            try:
                return base64.b64decode(txt, validate=True)
            except ValueError as exc:  # binascii.Error
                raise errors.MalformedResponse(f"SAMLResponse is not base64: {exc}") from exc
        return Saml2Client.unravel(txt, binding, msgtype)


@dataclass(frozen=True, kw_only=True, slots=True)
class LoginRedirect:
    url: str
    request_id: str


@dataclass(frozen=True, kw_only=True, slots=True)
class LogoutAnswer:
    """The IdP's LogoutResponse to ours, as pysaml2 parsed it (its signature is checked
    separately, over the raw query string: see sp/saml/logout.py)."""

    issuer: str
    in_response_to: str | None
    status: str


@dataclass(frozen=True, kw_only=True, slots=True)
class IdpLogoutRequest:
    """A LogoutRequest from the IdP, and where our Success answer to it goes."""

    id: str
    issuer: str
    name_id: str
    session_indexes: tuple[str, ...]
    not_on_or_after: datetime | None
    answer_url: str


class SamlClient:
    """pysaml2 configured for one organisation; build once per settings version, then reuse."""

    def __init__(self, sp: SpEndpoints, idp: IdpSettings) -> None:
        self.sp = sp
        self.idp = idp
        config = SPConfig()
        config.load(sp_config(sp, idp))
        self._client = _EntraPostClient(config=config)

    def start_login(self, relay_state: str) -> LoginRedirect:
        """An AuthnRequest by HTTP-Redirect; Issuer is the fixed entity ID, ACS this namespace's."""
        request_id, info = self._client.prepare_for_authenticate(
            entityid=self.idp.entity_id,
            relay_state=relay_state,
            binding=BINDING_HTTP_REDIRECT,
            assertion_consumer_service_url=self.sp.acs_url,
        )
        location = dict(info["headers"])["Location"]
        return LoginRedirect(url=location, request_id=str(request_id))

    def verify(self, saml_response_b64: str, outstanding: Mapping[str, str]) -> VerifiedResponse:
        """pysaml2's verification, every failure raised as one of our typed errors."""
        try:
            result = self._client.parse_authn_request_response(
                saml_response_b64,
                BINDING_HTTP_POST,
                outstanding=dict(outstanding),
                # A non-empty conv_info is what makes pysaml2 check Recipient (#46).
                conv_info={"checked_by": "sp.saml.client"},
            )
        except UnsolicitedResponse as exc:
            raise errors.UnsolicitedResponse(f"pysaml2: {exc!r}") from exc
        except StatusError as exc:
            raise errors.IdpReportedError(f"pysaml2 status: {exc!r}") from exc
        except (SigverError, MissingKey) as exc:
            raise errors.InvalidSignature(f"pysaml2: {exc!r}") from exc
        except errors.SsoError:
            raise
        except Exception as exc:  # pysaml2 raises many unrelated types; all mean "refuse"
            raise errors.ResponseRejected(f"pysaml2 {type(exc).__name__}: {exc}") from exc
        # pysaml2 returns None, or an object with no assertion ("hollow"), on some failures.
        if result is None or getattr(result, "assertion", None) is None:
            raise errors.ResponseRejected("pysaml2 returned no verified assertion")
        return _convert(result)

    def start_logout(self, *, name_id: str, session_index: str | None) -> LoginRedirect:
        """A LogoutRequest by HTTP-Redirect to the IdP's Logout URL (Entra takes no POST)."""
        try:
            request_id, request = self._client.create_logout_request(
                destination=self.idp.logout_url,
                issuer_entity_id=self.idp.entity_id,
                name_id=NameID(text=name_id, format=NAMEID_FORMAT_EMAILADDRESS),
                session_indexes=[session_index] if session_index else None,
                sign=False,
            )
            info = self._client.apply_binding(
                BINDING_HTTP_REDIRECT, str(request), self.idp.logout_url, "", sign=False
            )
        except Exception as exc:  # pysaml2 raises many unrelated types
            raise errors.LogoutRejected(f"pysaml2 {type(exc).__name__}: {exc}") from exc
        return LoginRedirect(url=dict(info["headers"])["Location"], request_id=str(request_id))

    def read_logout_response(self, saml_response: str) -> LogoutAnswer:
        """Parse (inflate, schema) an HTTP-Redirect LogoutResponse; no trust decided here."""
        try:
            parsed = self._client.parse_logout_request_response(
                saml_response, BINDING_HTTP_REDIRECT
            )
        except Exception as exc:
            raise errors.LogoutRejected(f"pysaml2 {type(exc).__name__}: {exc}") from exc
        if parsed is None or parsed.response is None:
            raise errors.LogoutRejected("pysaml2 returned no LogoutResponse")
        message = parsed.response
        return LogoutAnswer(
            issuer=(_text(message.issuer) or "").strip(),
            in_response_to=message.in_response_to,
            status=message.status.status_code.value,
        )

    def read_logout_request(self, saml_request: str, relay_state: str) -> IdpLogoutRequest:
        """Parse an HTTP-Redirect LogoutRequest (pysaml2 checks Version, Destination and
        IssueInstant) and build the Success LogoutResponse that answers it."""
        try:
            parsed = self._client.parse_logout_request(saml_request, BINDING_HTTP_REDIRECT)
            message = parsed.message
            answer = self._client.create_logout_response(
                message, [BINDING_HTTP_REDIRECT], sign=False
            )
            info = self._client.apply_binding(
                BINDING_HTTP_REDIRECT,
                str(answer),
                self.idp.logout_url,
                relay_state,
                response=True,
                sign=False,
            )
        except Exception as exc:
            raise errors.LogoutRejected(f"pysaml2 {type(exc).__name__}: {exc}") from exc
        return IdpLogoutRequest(
            id=message.id,
            issuer=(_text(message.issuer) or "").strip(),
            name_id=(_text(message.name_id) or "").strip(),
            session_indexes=tuple(s.text for s in message.session_index or ()),
            not_on_or_after=_time(message.not_on_or_after),
            answer_url=dict(info["headers"])["Location"],
        )


def _time(value: str | None) -> datetime | None:
    if not value:
        return None
    return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(UTC)


def _text(element: Any) -> str | None:
    return None if element is None else element.text


def _convert(result: Any) -> VerifiedResponse:
    response, assertion = result.response, result.assertion
    subject = assertion.subject
    name_id = subject.name_id if subject is not None else None
    if name_id is None or not (name_id.text or "").strip():
        raise errors.ResponseRejected("the assertion has no NameID")
    conditions = assertion.conditions
    restrictions = conditions.audience_restriction if conditions is not None else []
    statements = assertion.authn_statement or []
    if len(statements) != 1:  # the Web SSO profile: one AuthnStatement (#56)
        raise errors.ResponseRejected(f"{len(statements)} AuthnStatements, not exactly one")
    attributes: dict[str, tuple[str, ...]] = {}
    for statement in assertion.attribute_statement or []:
        for attribute in statement.attribute:
            values = tuple(v.text or "" for v in attribute.attribute_value)
            attributes[attribute.name] = attributes.get(attribute.name, ()) + values
    return VerifiedResponse(
        id=response.id,
        destination=response.destination,
        issuer=_text(response.issuer),
        in_response_to=response.in_response_to,
        issue_instant=_time(response.issue_instant) or datetime.min.replace(tzinfo=UTC),
        assertion=VerifiedAssertion(
            id=assertion.id,
            issuer=_text(assertion.issuer) or "",
            issue_instant=_time(assertion.issue_instant) or datetime.min.replace(tzinfo=UTC),
            name_id=name_id.text.strip(),
            name_id_format=name_id.format,
            audience_restrictions=tuple(tuple(a.text for a in r.audience) for r in restrictions),
            not_before=_time(conditions.not_before) if conditions is not None else None,
            not_on_or_after=_time(conditions.not_on_or_after) if conditions is not None else None,
            confirmations=tuple(
                SubjectConfirmation(
                    method=c.method,
                    recipient=getattr(c.subject_confirmation_data, "recipient", None),
                    in_response_to=getattr(c.subject_confirmation_data, "in_response_to", None),
                    not_on_or_after=_time(
                        getattr(c.subject_confirmation_data, "not_on_or_after", None)
                    ),
                    not_before=_time(getattr(c.subject_confirmation_data, "not_before", None)),
                )
                for c in subject.subject_confirmation
            ),
            authn_instant=_time(statements[0].authn_instant) if statements else None,
            session_index=statements[0].session_index if statements else None,
            attributes=attributes,
        ),
    )


def verify_enveloped(
    xml: bytes, der: bytes, *, node: str, node_id: str, xmlsec_binary: str
) -> bool:
    """Whether the element `node` with ID `node_id` carries an enveloped signature that this one
    certificate (DER) verifies: xmlsec1 as pysaml2 runs it for responses (raw-x509-cert only,
    same-document references). OSError when xmlsec1 cannot be run."""
    pem = (
        "-----BEGIN CERTIFICATE-----\n"
        + base64.encodebytes(der).decode("ascii")
        + "-----END CERTIFICATE-----\n"
    )
    with tempfile.NamedTemporaryFile("w", suffix=".pem") as cert_file:
        cert_file.write(pem)
        cert_file.flush()
        try:
            backend = CryptoBackendXmlSec1(xmlsec_binary)
            return bool(backend.validate_signature(xml, cert_file.name, "pem", node, node_id))
        except (SignatureError, XmlsecError):
            return False

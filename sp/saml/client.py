"""The only module that calls pysaml2: start a login, verify a response, map its errors to ours.

pysaml2 is imported on first use (`_saml2()`), not with this module: its import builds the SAML
XSD validators and takes most of a second, which the SP's start and every command that never
touches SAML should not pay.
"""

from __future__ import annotations

import base64
import functools
import logging
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

from sp.saml import errors
from sp.saml.constants import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT, NAMEID_FORMAT_EMAILADDRESS
from sp.saml.identity import (
    IdpSettings,
    SubjectConfirmation,
    VerifiedAssertion,
    VerifiedResponse,
)
from sp.saml.settings import SpEndpoints, sp_config

log = logging.getLogger("sp.saml")
_loading = threading.Lock()


def preload() -> None:
    """Import pysaml2 now: a server parent calls this before forking its workers, so they
    share the import instead of each paying for it on its first sign-in."""
    _saml2()


def _saml2() -> Any:
    """pysaml2's pieces this adapter uses, imported once, on the first call."""
    with _loading:  # two first requests at once must not define the classes twice
        return _load_saml2()


@functools.cache
def _load_saml2() -> Any:
    from saml2 import response as saml2_response
    from saml2 import sigver
    from saml2.client import Saml2Client
    from saml2.config import SPConfig
    from saml2.response import StatusError, UnsolicitedResponse
    from saml2.saml import NameID
    from saml2.sigver import CryptoBackend, MissingKey, SignatureError, SigverError, XmlsecError

    from sp.saml import lean, schema, signature_backend

    # pysaml2 logs every NameID and attribute at INFO: personal data, and time per request.
    logging.getLogger("saml2").setLevel(logging.WARNING)
    schema.install(sigver)  # pysaml2's schema check, by libxml2 inside `schema.ours()`
    schema.load()
    lean.install()  # certificates in memory, timestamps parsed once: inside `lean.ours()` only
    unsigned = threading.local()  # a Response parsed and found unsigned, for pysaml2's retry

    def correctly_signed_response(
        sec: Any,
        decoded_xml: str | bytes,
        must: bool = False,
        origdoc: str | None = None,
        only_valid_cert: bool = False,
        require_response_signature: bool = False,
        **kwargs: Any,
    ) -> Any:
        """pysaml2 7.5's `SecurityContext.correctly_signed_response`, line for line, except that a
        Response found unsigned is parsed once, not twice. pysaml2 first calls this demanding a
        response signature (to learn whether there is one) and, on "missing", again without:
        Entra signs only the Assertion, so every response was parsed twice (~0.5 ms). The
        retry reuses the untouched object parsed from the very same string, in this thread.
        And that one parse is one: `lean.any_response` (pysaml2's parses once per type tried)."""
        del must, only_valid_cert  # unused by pysaml2's own version too
        cached, unsigned.response = getattr(unsigned, "response", None), None
        if cached is not None and cached[0] is decoded_xml:
            response = cached[1]
        else:
            response = lean.any_response(decoded_xml)
        if not response:
            raise TypeError("Not a Response")
        if response.signature:
            if "do_not_verify" not in kwargs:
                sec._check_signature(decoded_xml, response, sigver.class_name(response), origdoc)
        elif require_response_signature:
            unsigned.response = (decoded_xml, response)
            raise SignatureError("Signature missing for response")
        return response

    class InProcessCrypto(CryptoBackend):  # type: ignore[misc]
        """pysaml2's crypto backend, in-process: `validate_signature` runs libxmlsec1 through
        the `xmlsec` binding (sp/saml/signature_backend.py) instead of spawning `xmlsec1`.
        pysaml2 still does everything around it (schema, which certificates, its xmldsig
        profile checks). The SP signs and decrypts nothing: those refuse, never fall back."""

        @property
        def version(self) -> str:
            return signature_backend.library_version()

        def validate_signature(
            self,
            signedtext: str | bytes,
            cert_file: str,
            cert_type: str,
            node_name: str,
            node_id: str,
        ) -> bool:
            if cert_type != "pem":
                raise XmlsecError(f"certificate type {cert_type!r}: only PEM is trusted")
            xml = signedtext.encode("utf-8") if isinstance(signedtext, str) else signedtext
            if isinstance(cert_file, lean.PemInMemory):  # inside `lean.ours()`: no file
                cert_pem = cert_file.pem
            else:
                with open(cert_file, "rb") as handle:  # a temporary file pysaml2 wrote
                    cert_pem = handle.read()
            try:
                signature_backend.verify(xml, cert_pem, node_name=node_name, node_id=node_id)
            except signature_backend.SignatureRefused as exc:
                # What pysaml2's xmlsec1 backend raises when the program says no: pysaml2 logs
                # it, tries the next trusted certificate, and refuses when none verifies.
                raise XmlsecError(str(exc)) from exc
            return True

        def sign_statement(self, *_args: object, **_kwargs: object) -> str:
            raise XmlsecError("the SP signs nothing")

        def decrypt(self, *_args: object, **_kwargs: object) -> str:
            raise XmlsecError("the SP has no decryption key")

        def encrypt(self, *_args: object, **_kwargs: object) -> str:
            raise XmlsecError("the SP encrypts nothing")

        def encrypt_assertion(self, *_args: object, **_kwargs: object) -> str:
            raise XmlsecError("the SP encrypts nothing")

    class EntraPostClient(Saml2Client):  # type: ignore[misc]
        """pysaml2's client with the in-process crypto backend, minus its guess on HTTP-POST:
        it tries raw DEFLATE first, without a size limit (docs/reference/attacks.md #36), so
        bytes that are both XML and a DEFLATE stream would be parsed as something the input
        gate never saw. Entra never deflates on POST: plain base64 only."""

        def __init__(self, config: Any) -> None:
            super().__init__(config=config)
            # pysaml2 has no setting for a custom backend: it builds its xmlsec1 one from the
            # config; every signature check goes through `self.sec.crypto`, so replace it.
            self.sec.crypto = InProcessCrypto()
            self.sec.correctly_signed_response = functools.partial(
                correctly_signed_response, self.sec
            )

        def _parse_response(
            self, xmlstr: Any, response_cls: type, service: str, binding: str, *args: Any, **kw: Any
        ) -> Any:
            # pysaml2's AuthnResponse, minus a debug string built on every response (lean.py).
            if response_cls is saml2_response.AuthnResponse:
                response_cls = lean.AuthnResponse
            return super()._parse_response(xmlstr, response_cls, service, binding, *args, **kw)

        @staticmethod
        def unravel(txt: str, binding: str | None, msgtype: str = "response") -> Any:
            if binding == BINDING_HTTP_POST:
                try:
                    return base64.b64decode(txt, validate=True)
                except ValueError as exc:  # binascii.Error
                    raise errors.MalformedResponse(f"SAMLResponse is not base64: {exc}") from exc
            return Saml2Client.unravel(txt, binding, msgtype)

    return SimpleNamespace(
        Client=EntraPostClient,
        InProcessCrypto=InProcessCrypto,
        SPConfig=SPConfig,
        NameID=NameID,
        StatusError=StatusError,
        UnsolicitedResponse=UnsolicitedResponse,
        SigverError=SigverError,
        MissingKey=MissingKey,
    )


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
        saml2 = _saml2()
        config = saml2.SPConfig()
        config.load(sp_config(sp, idp))
        self._client = saml2.Client(config=config)

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
        saml2 = _saml2()
        from sp.saml import scope  # with `lean` and `schema`, loaded by `_saml2()`

        try:
            with scope.ours():  # pysaml2 as `schema.py` and `lean.py` change it
                result = self._client.parse_authn_request_response(
                    saml_response_b64,
                    BINDING_HTTP_POST,
                    outstanding=dict(outstanding),
                    # A non-empty conv_info is what makes pysaml2 check Recipient (#46).
                    conv_info={"checked_by": "sp.saml.client"},
                )
        except saml2.UnsolicitedResponse as exc:
            raise errors.UnsolicitedResponse(f"pysaml2: {exc!r}") from exc
        except saml2.StatusError as exc:
            raise errors.IdpReportedError(f"pysaml2 status: {exc!r}") from exc
        except (saml2.SigverError, saml2.MissingKey) as exc:
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
                name_id=_saml2().NameID(text=name_id, format=NAMEID_FORMAT_EMAILADDRESS),
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
    xml: bytes, der: bytes, *, node: str, node_id: str, xmlsec_binary: str | None = None
) -> bool:
    """Whether the element `node` with ID `node_id` carries an enveloped signature that this one
    certificate (DER) verifies, checked in-process exactly as responses are (one signature, one
    same-document reference to that ID, allow-listed algorithms, this key only).
    `xmlsec_binary` is accepted and ignored: no program is run any more."""
    del xmlsec_binary
    from sp.saml import signature_backend  # libxmlsec1, loaded when first needed

    pem = (
        "-----BEGIN CERTIFICATE-----\n"
        + base64.encodebytes(der).decode("ascii")
        + "-----END CERTIFICATE-----\n"
    ).encode("ascii")
    try:
        signature_backend.verify(xml, pem, node_name=node, node_id=node_id)
    except signature_backend.SignatureRefused as exc:
        log.info("metadata signature refused: %s", exc)
        return False
    return True

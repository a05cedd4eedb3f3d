"""pysaml2 7.5 without the per-response work that checks nothing: each item gives pysaml2's own
result, and every check pysaml2 makes still runs on it.

* One parse: `samlp.any_response_from_string` parses the whole response once per message type it
  tries, a StatusResponseType first (which a Response never is). `any_response` parses once and
  tries the types on that tree in the same order; a type that does not match leaves the tree
  untouched, so the object is the one pysaml2 builds.
* No debug text: `AuthnResponse.get_identity` serialises every AttributeStatement into an
  f-string for `logger.debug`, built even with debug logging off. `AuthnResponse` here is
  pysaml2's with that one line lazy.
* Certificates in memory: `SecurityContext._check_signature` writes each trusted certificate to
  a temporary file for the `xmlsec1` program, which the SP no longer runs; its in-process backend
  read the file straight back. Inside `ours()` the "file" is a `PemInMemory` name that carries
  the PEM; anything that takes it for a path finds no such file (and refuses).
* Times parsed once: pysaml2 parses the same few timestamps about a dozen times per response
  with `time.strptime` (twice each for Entra's fractional seconds); inside `ours()` results are
  remembered, per string: the function is pure, and its errors are never remembered.

Loaded with pysaml2 (`client._load_saml2`). `ours()` scopes the last two to the SP's client, as
`schema.ours()` does for the schema check: any other pysaml2 use in the process (the tests'
"pysaml2 alone" comparison, which runs `xmlsec1` on real files) keeps pysaml2's own code.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import Any

import defusedxml.ElementTree
import saml2
from saml2 import response as saml2_response
from saml2 import samlp, sigver, time_util

from sp.saml import scope
from sp.saml.scope import ours as ours  # the scope these changes apply in

log = logging.getLogger("saml2.response")  # pysaml2's own logger for these lines

# `samlp.any_response_from_string`'s candidates, in its order.
_RESPONSE_TYPES = (
    samlp.StatusResponseType_,
    samlp.Response,
    samlp.ArtifactResponse,
    samlp.LogoutResponse,
    samlp.NameIDMappingResponse,
    samlp.ManageNameIDResponse,
)


def any_response(xml: str | bytes) -> Any:
    """`samlp.any_response_from_string(xml)`, with one parse instead of one per type tried."""
    tree = defusedxml.ElementTree.fromstring(xml if isinstance(xml, bytes) else xml.encode())
    for response_type in _RESPONSE_TYPES:
        found = saml2.create_class_from_element_tree(response_type, tree)
        if found:
            return found
    raise Exception("Unknown response type")  # what pysaml2 raises here


class AuthnResponse(saml2_response.AuthnResponse):  # type: ignore[misc]
    def get_identity(self) -> dict[str, Any]:
        """pysaml2 7.5's `AuthnResponse.get_identity` (its two nested `if`s joined by `and`),
        except that the debug line formats the AttributeStatement only when debug logging is on."""
        ava: dict[str, Any] = {}
        for _assertion in self.assertions:
            if _assertion.advice and _assertion.advice.assertion:
                for tmp_assertion in _assertion.advice.assertion:
                    if tmp_assertion.attribute_statement:
                        n_attr_statements = len(tmp_assertion.attribute_statement)
                        if n_attr_statements != 1:
                            msg = "Invalid number of AuthnStatement found in Response: "
                            raise ValueError(f"{msg}{n_attr_statements}")
                        ava.update(
                            self.read_attribute_statement(tmp_assertion.attribute_statement[0])
                        )
            if _assertion.attribute_statement:
                log.debug(
                    "Assertion contains %s attribute statement(s)",
                    len(self.assertion.attribute_statement),
                )
                for _attr_statem in _assertion.attribute_statement:
                    log.debug("Attribute Statement: %s", _attr_statem)  # pysaml2: an f-string
                    ava.update(self.read_attribute_statement(_attr_statem))
            if not ava:
                log.debug("Assertion contains no attribute statements")
        return ava


class PemInMemory(str):
    """What pysaml2 takes for a certificate file's name; the PEM itself rides along."""

    pem: bytes

    def __new__(cls, pem: bytes) -> PemInMemory:
        name = super().__new__(cls, f"<certificate in memory, {len(pem)} bytes>")
        name.pem = pem
        return name


class _CertificateInMemory:
    """The one attribute pysaml2 reads of the temporary file it made: `name`."""

    def __init__(self, pem: bytes) -> None:
        self.name = PemInMemory(pem)


def install() -> None:
    """Route pysaml2's certificate files and timestamp parsing here inside `ours()` (once)."""
    original_make_temp: Callable[..., Any] = sigver.make_temp
    if getattr(original_make_temp, "sp_dispatch", False):
        return

    def make_temp(
        content: str | bytes, suffix: str = "", decode: bool = True, delete_tmpfiles: bool = True
    ) -> Any:
        # Only the certificate files of `_check_signature` (PEM text, not base64-decoded).
        if scope.active() and suffix == ".pem" and not decode:
            return _CertificateInMemory(
                content.encode("utf-8") if isinstance(content, str) else content
            )
        return original_make_temp(content, suffix, decode, delete_tmpfiles)

    original_str_to_time: Callable[..., Any] = time_util.str_to_time
    remembered = functools.lru_cache(maxsize=64)(original_str_to_time)

    def str_to_time(timestr: Any, format: str = time_util.TIME_FORMAT) -> Any:  # noqa: A002
        if scope.active() and isinstance(timestr, str):
            return remembered(timestr, format)  # a time.struct_time: immutable
        return original_str_to_time(timestr, format)

    make_temp.sp_dispatch = True  # type: ignore[attr-defined]
    sigver.make_temp = make_temp
    # Every module that holds the function: `validate` and `time_util` call it through
    # `time_util`, `response` imported the name.
    time_util.str_to_time = str_to_time
    saml2_response.str_to_time = str_to_time

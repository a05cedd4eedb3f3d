"""The fault catalogue's vocabulary: a case, how it is built, and what the SP must do with it.

A case is data: a stable name, a one-line description, its source, the signing profiles it
applies to, the expected SP outcome, and a `Recipe` (edits at fixed points of the same build
path that produces a valid Entra response; see `build.py`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Literal

from lxml import etree

from mock_idp.certificates import SigningPair
from mock_idp.faults.handmade import HandmadeShape
from mock_idp.protocol.response import Issuance
from mock_idp.protocol.signing import Algorithm, SignatureShape

# Entra's signing options, named as in the tenant file; "none" is no signature at all.
Profile = Literal["assertion", "response", "both", "none"]
PROFILE_LABELS: dict[Profile, str] = {
    "assertion": "E:A",
    "both": "D:RA",
    "response": "D:R",
    "none": "unsigned",
}
# The profile sets cases name: Entra's default only, or also "Sign SAML response and assertion".
EA: tuple[Profile, ...] = ("assertion",)
EA_RA: tuple[Profile, ...] = ("assertion", "both")
DR: tuple[Profile, ...] = ("response",)
DRA: tuple[Profile, ...] = ("both",)

Verdict = Literal["accept", "reject"]
# What the reference SP must say, in words any SP can map: the layer that refuses.
Refusal = Literal[
    "malformed",  # the input gate: encoding, size, DOCTYPE, structure
    "too-large",  # the POST body is over the size limit
    "algorithm",  # the algorithm allow-list
    "signature",  # signature verification or the signature profile
    "unsolicited",  # no matching sign-in pending in this browser
    "invalid",  # verified but wrong: audience, time, issuer, destination, structure
    "identity",  # genuine, but not this person's Entra account (NameID format, tid + oid)
    "idp-error",  # the IdP reported a non-Success status
]
# How the response reaches the SP: posted by this browser (Entra's way), the last valid
# response posted again, or captured by an attacker and posted from another page.
Delivery = Literal["post", "replay", "capture"]


@dataclass(frozen=True, kw_only=True, slots=True)
class Context:
    """What a recipe may use: the honest token's values, the clock, the IDs and the keys."""

    issuance: Issuance
    now: datetime
    new_id: Callable[[], str]
    idp: SigningPair
    attacker: SigningPair
    victim: str  # the signed-in user's NameID, which evil edits replace
    evil: str  # who the attacker wants to be
    algorithm: Algorithm = "sha256"  # the app's signing algorithm, for Entra's own signatures
    probe_url: str = "http://127.0.0.1:9/"  # where DTD payloads point; a fetch is a finding


# A tree edit changes an element in place (returns None) or returns a replacement.
TreeEdit = Callable[[etree._Element, Context], etree._Element | None]
IssuanceEdit = Callable[[Issuance, Context], Issuance]
Serializer = Callable[[bytes, Context], bytes]


@dataclass(frozen=True, kw_only=True, slots=True)
class SignWith:
    """How an element is signed when its profile signs it: Entra's way, or a variant."""

    shape: SignatureShape | None = None  # None: exactly Entra's (`Signer.sign`)
    # Shapes signxml cannot make (handmade.py); signed in place once the Response exists.
    handmade: HandmadeShape | None = None
    key: Literal["idp", "attacker"] = "idp"
    hmac_secret: Literal["idp-certificate"] | None = None  # HMAC keyed with public bytes


ENTRA = SignWith()


@dataclass(frozen=True, kw_only=True, slots=True)
class Recipe:
    """Edits at the fixed points of the build; every field left alone means Entra's behaviour."""

    issuance: IssuanceEdit | None = None  # values the IdP decides (audience, issuer, IDs…)
    clock: timedelta = timedelta(0)  # the IdP's clock offset for this token
    assertion: TreeEdit | None = None  # before the Assertion is signed (IdP-signed negatives)
    assertion_signature: SignWith = ENTRA
    response: TreeEdit | None = None  # before the Response is signed
    response_signature: SignWith = ENTRA
    after_signing: TreeEdit | None = None  # post-sign mutations: never re-signed
    serialize: Serializer | None = None  # only for cases about serialization
    deflate: bool = False  # raw DEFLATE before base64 (Entra never does on POST)
    relay_state: str | None = None  # replaces the RelayState the SP sent


@dataclass(frozen=True, kw_only=True, slots=True)
class Expected:
    verdict: Verdict
    refusal: Refusal | None = None
    note: str = ""  # what else the SP must (not) do, e.g. "lands on /dashboard"

    @property
    def label(self) -> str:
        if self.verdict == "accept":
            return "accept" + (f" ({self.note})" if self.note else "")
        return f"reject ({self.refusal})"


@dataclass(frozen=True, kw_only=True, slots=True)
class FaultCase:
    name: str  # stable, kebab-case: tests, the control API and tenant files use it
    description: str
    source: str  # CVE, paper or docs/reference/attacks.md section
    section: str  # docs/reference/attacks.md §3 group: A–G, or "T" (transport/delivery)
    profiles: tuple[Profile, ...]  # the first is used when the app's own option does not apply
    expected: Expected
    recipe: Recipe = field(default_factory=Recipe)
    delivery: Delivery = "post"
    needs_test_mode: bool = False  # served through the harness pages

    def profile_for(self, app_option: str) -> Profile:
        """The app's signing option when this case applies to it, else the case's own."""
        for profile in self.profiles:
            if profile == app_option:
                return profile
        return self.profiles[0]


def reject(refusal: Refusal) -> Expected:
    return Expected(verdict="reject", refusal=refusal)


def accept(note: str = "") -> Expected:
    return Expected(verdict="accept", note=note)

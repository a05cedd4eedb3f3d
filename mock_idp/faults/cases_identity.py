"""Identity-binding cases (security round two, finding 1): a genuine Entra token, correctly
signed by the tenant's key, that names the SP's administrator — but for another directory user.

Entra signs whatever the app's claim configuration says: if the NameID source is a value a
user can influence (mail, display name) or a UPN that was renamed, a different person's token
carries the victim's identifier. Only the signed `tenantid` + `objectidentifier` pair names a
person for good; an SP that keys on the NameID text alone signs the attacker in as the victim.
"""

from __future__ import annotations

from dataclasses import replace

from mock_idp.faults.model import EA_RA, Context, FaultCase, IssuanceEdit, Recipe, reject
from mock_idp.protocol.claims import EMAIL, NAME, UNSPECIFIED_FORMAT, Claim
from mock_idp.protocol.response import Issuance

SOURCE = "nOAuth class: key on tid + oid, never on mail or a renamable name"


def _claims(issuance: Issuance, **values: str) -> tuple[Claim, ...]:
    """The same claims with some values replaced; objectidentifier and tenantid untouched."""
    return tuple(
        replace(claim, values=(values[claim.name],)) if claim.name in values else claim
        for claim in issuance.claims
    )


def _mail_changed(issuance: Issuance, ctx: Context) -> Issuance:
    # NameID source user.mail; the attacker set their own mail to the admin's address.
    return replace(issuance, name_id=ctx.evil, claims=_claims(issuance, **{EMAIL: ctx.evil}))


def _upn_renamed(issuance: Issuance, ctx: Context) -> Issuance:
    # The attacker's account was renamed to the admin's old UPN: same name, other object.
    return replace(
        issuance, name_id=ctx.evil, claims=_claims(issuance, **{NAME: ctx.evil, EMAIL: ctx.evil})
    )


def _display_name(issuance: Issuance, ctx: Context) -> Issuance:
    # NameID source user.displayname (Format unspecified), set by the attacker to the address.
    return replace(issuance, name_id=ctx.evil, name_id_format=UNSPECIFIED_FORMAT)


def _case(name: str, description: str, edit: IssuanceEdit) -> FaultCase:
    return FaultCase(
        name=name,
        description=description,
        source=SOURCE,
        section="F",
        profiles=EA_RA,
        expected=reject("identity"),
        recipe=Recipe(issuance=edit),
    )


CASES: tuple[FaultCase, ...] = (
    _case(
        "identity-mail-changed",
        "NameID from user.mail: another user set their mail to the admin's address",
        _mail_changed,
    ),
    _case(
        "identity-upn-renamed",
        "NameID and name claim are the admin's UPN, objectidentifier another user's",
        _upn_renamed,
    ),
    _case(
        "identity-displayname-nameid",
        "NameID from user.displayname (Format unspecified) holding the admin's address",
        _display_name,
    ),
)

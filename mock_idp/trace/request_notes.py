"""Notes on what an SP sends: the AuthnRequest (how Entra matches it to an app and checks it)
and the logout messages."""

from __future__ import annotations

from lxml import etree

from mock_idp.trace.facts import AppFacts
from mock_idp.trace.notes import BASIC, NS, Note, Pairs, checked
from mock_idp.trace.response_notes import in_response_to, status


def authn_request(root: etree._Element, facts: AppFacts | None) -> Pairs:
    pairs: Pairs = []
    app = facts.name if facts else "no app"
    pairs.append((root, Note(
        label="Request ID", value=root.get("ID", ""),
        text="Made up by the SP; Entra echoes it as InResponseTo, the SP checks it came back",
    )))  # fmt: skip
    issuer = root.find("saml:Issuer", NS)
    if issuer is not None:
        value = (issuer.text or "").strip()
        check, check_text = checked(
            facts is not None,
            f"matched {app} by its Identifier ({BASIC})",
            "no app has this Identifier: AADSTS700016",
        )
        pairs.append((issuer, Note(
            label="Issuer", value=value,
            text="The SP's entity ID → Entra finds the app whose Identifier (Entity ID) is "
            "exactly this", check=check, check_text=check_text,
        )))  # fmt: skip
    acs = root.get("AssertionConsumerServiceURL")
    replies = facts.reply_urls if facts else ()
    if acs is not None:
        check, check_text = checked(
            acs in replies,
            f"one of the Reply URLs of {app}: the Response goes here",
            "is not one of the app's Reply URLs: AADSTS50011",
        )
        pairs.append((root, Note(
            label="ACS URL", value=acs,
            text=f"Where the SP wants the Response → Reply URL check ({BASIC})",
            check=check, check_text=check_text,
        )))  # fmt: skip
    elif facts is not None:
        default = replies[0] if replies else "(none: AADSTS900971)"
        pairs.append((root, Note(
            label="ACS URL", value="(not sent)",
            text=f"No AssertionConsumerServiceURL → Entra uses the default Reply URL: {default}",
        )))  # fmt: skip
    if root.get("Destination") is not None:
        pairs.append((root, Note(
            label="Destination", value=root.get("Destination", ""),
            text="Where the SP sent it ← the Login URL it was given "
            f"(Set up {facts.name if facts else 'the app'} in Entra)",
        )))  # fmt: skip
    if root.get("ProtocolBinding") is not None:
        pairs.append((root, Note(
            label="ProtocolBinding", value=root.get("ProtocolBinding", "").rsplit(":", 1)[-1],
            text="How the Response must come back: Entra answers only with HTTP-POST (AADSTS75003)",
        )))  # fmt: skip
    for flag in ("ForceAuthn", "IsPassive"):
        if root.get(flag) is not None:
            pairs.append((root, Note(
                label=flag, value=root.get(flag, ""),
                text="true: sign in again even with a session" if flag == "ForceAuthn"
                else "true: answer without any page, or fail (NoPassive)",
            )))  # fmt: skip
    policy = root.find("samlp:NameIDPolicy", NS)
    if policy is not None:
        pairs.append((policy, Note(
            label="NameIDPolicy", value=policy.get("Format", "(no Format)"),
            text="Requested NameID format; it wins over the app's configured "
            "Name identifier format (Attributes & Claims)",
        )))  # fmt: skip
    context = root.find("samlp:RequestedAuthnContext", NS)
    if context is not None:
        classes = [(c.text or "").strip() for c in context.findall("saml:AuthnContextClassRef", NS)]
        pairs.append((context, Note(
            label="RequestedAuthnContext", value=", ".join(classes),
            text="How the user must have signed in; Entra refuses what it cannot satisfy "
            "(AADSTS75011)",
        )))  # fmt: skip
    signature = root.find("ds:Signature", NS)
    if signature is not None:
        pairs.append((signature, Note(
            label="Request signature", value="signed",
            text="Checked only when the app requires verification certificates (SAML Certificates)",
        )))  # fmt: skip
    return pairs


def logout(root: etree._Element, kind: str) -> Pairs:
    pairs: Pairs = [(root, Note(
        label=f"{kind} ID", value=root.get("ID", ""), text="Made up by its sender",
    ))]  # fmt: skip
    issuer = root.find("saml:Issuer", NS)
    if issuer is not None:
        pairs.append((issuer, Note(
            label="Issuer", value=(issuer.text or "").strip(),
            text="Who sends it: the SP's entity ID, or Entra's identifier",
        )))  # fmt: skip
    name_id = root.find("saml:NameID", NS)
    if name_id is not None:
        pairs.append((name_id, Note(
            label="NameID", value=(name_id.text or "").strip(),
            text="Who signs out: the NameID Entra sent this app",
        )))  # fmt: skip
    index = root.find("samlp:SessionIndex", NS)
    if index is not None:
        pairs.append((index, Note(
            label="SessionIndex", value=(index.text or "").strip(),
            text="Which session ← the SessionIndex of the Assertion",
        )))  # fmt: skip
    if root.get("InResponseTo") is not None:
        pairs += in_response_to(root, None)
    pairs += status(root)
    return pairs

"""The minimal Flask + signxml IdP the mock is measured against (`GET /<tenant>/saml2`).

What any IdP must do for one SP-initiated sign-in with a live session, and nothing else: inflate
and parse the AuthnRequest, take its ID and ACS URL, build an Entra-shaped Response (one signed
Assertion, eight claims), sign it with a key object loaded once, and render the auto-post form.
No session store, tenant, checks or logging. Run: `python -m bench.peers.idp_prototype PORT
[--workers N]` (gunicorn, loopback only).
"""

from __future__ import annotations

import base64
import sys
import uuid
import zlib
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import load_pem_private_key
from flask import Flask, request
from lxml import etree
from signxml.algorithms import CanonicalizationMethod, DigestAlgorithm, SignatureMethod
from signxml.signer import XMLSigner

ROOT = Path(__file__).resolve().parents[2]
SAML = "urn:oasis:names:tc:SAML:2.0:assertion"
SAMLP = "urn:oasis:names:tc:SAML:2.0:protocol"
CLAIMS = "http://schemas.microsoft.com/identity/claims/"
XMLSOAP = "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/"
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)


def _time(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-4] + "Z"


def create_app() -> Flask:
    key = load_pem_private_key((ROOT / "certs" / "idp-signing.key").read_bytes(), None)
    assert isinstance(key, rsa.RSAPrivateKey)
    cert = x509.load_pem_x509_certificate((ROOT / "certs" / "idp-signing.crt").read_bytes())
    app = Flask(__name__)

    @app.get("/<tenant>/saml2")
    def saml2(tenant: str) -> str:
        xml = zlib.decompress(base64.b64decode(request.args["SAMLRequest"]), -15)
        authn = etree.fromstring(xml, parser=_PARSER)
        acs = authn.get("AssertionConsumerServiceURL", "")
        now = datetime.now(UTC)
        issuer = f"https://sts.windows.net/{tenant}/"
        assertion = etree.Element(
            f"{{{SAML}}}Assertion",
            ID=f"_{uuid.uuid4()}",
            IssueInstant=_time(now),
            Version="2.0",
            nsmap={None: SAML},
        )
        etree.SubElement(assertion, f"{{{SAML}}}Issuer").text = issuer
        subject = etree.SubElement(assertion, f"{{{SAML}}}Subject")
        name_id = etree.SubElement(subject, f"{{{SAML}}}NameID")
        name_id.set("Format", "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress")
        name_id.text = "B.Simon@contoso.com"
        bearer = "urn:oasis:names:tc:SAML:2.0:cm:bearer"
        confirmation = etree.SubElement(subject, f"{{{SAML}}}SubjectConfirmation", Method=bearer)
        etree.SubElement(
            confirmation,
            f"{{{SAML}}}SubjectConfirmationData",
            InResponseTo=authn.get("ID", ""),
            NotOnOrAfter=_time(now + timedelta(minutes=5)),
            Recipient=acs,
        )
        conditions = etree.SubElement(
            assertion,
            f"{{{SAML}}}Conditions",
            NotBefore=_time(now - timedelta(minutes=5)),
            NotOnOrAfter=_time(now + timedelta(hours=1)),
        )
        restriction = etree.SubElement(conditions, f"{{{SAML}}}AudienceRestriction")
        etree.SubElement(restriction, f"{{{SAML}}}Audience").text = "https://perform.trakstar.com"
        statement = etree.SubElement(assertion, f"{{{SAML}}}AttributeStatement")
        for name, value in (
            (f"{CLAIMS}tenantid", tenant),
            (f"{CLAIMS}objectidentifier", "2c5f9a71-8d3e-4b6a-9f12-7e4d3c2b1a09"),
            (f"{CLAIMS}displayname", "Britta Simon"),
            (f"{CLAIMS}identityprovider", issuer),
            (f"{CLAIMS}authnmethodsreferences", "http://schemas.microsoft.com/ws/2008/06/identity/authenticationmethod/password"),
            (f"{XMLSOAP}givenname", "Britta"),
            (f"{XMLSOAP}surname", "Simon"),
            (f"{XMLSOAP}emailaddress", "B.Simon@contoso.com"),
        ):  # fmt: skip
            attribute = etree.SubElement(statement, f"{{{SAML}}}Attribute", Name=name)
            etree.SubElement(attribute, f"{{{SAML}}}AttributeValue").text = value
        authn_statement = etree.SubElement(
            assertion, f"{{{SAML}}}AuthnStatement", AuthnInstant=_time(now), SessionIndex="_s"
        )
        context = etree.SubElement(authn_statement, f"{{{SAML}}}AuthnContext")
        etree.SubElement(
            context, f"{{{SAML}}}AuthnContextClassRef"
        ).text = "urn:oasis:names:tc:SAML:2.0:ac:classes:Password"
        signer = XMLSigner(
            signature_algorithm=SignatureMethod.RSA_SHA256,
            digest_algorithm=DigestAlgorithm.SHA256,
            c14n_algorithm=CanonicalizationMethod.EXCLUSIVE_XML_CANONICALIZATION_1_0,
        )
        signed = signer.sign(assertion, key=key, cert=[cert], id_attribute="ID")
        response = etree.Element(
            f"{{{SAMLP}}}Response",
            ID=f"_{uuid.uuid4()}",
            Version="2.0",
            IssueInstant=_time(now),
            Destination=acs,
            InResponseTo=authn.get("ID", ""),
            nsmap={"samlp": SAMLP},
        )
        etree.SubElement(response, f"{{{SAML}}}Issuer", nsmap={None: SAML}).text = issuer
        status = etree.SubElement(response, f"{{{SAMLP}}}Status")
        etree.SubElement(
            status, f"{{{SAMLP}}}StatusCode", Value="urn:oasis:names:tc:SAML:2.0:status:Success"
        )
        response.append(signed)
        encoded = base64.b64encode(etree.tostring(response)).decode()
        return (
            '<!doctype html><html><body onload="document.forms[0].submit()">'
            f'<form method="post" action="{acs}">'
            f'<input type="hidden" name="SAMLResponse" value="{encoded}">'
            "<noscript><button>Continue</button></noscript></form></body></html>"
        )

    return app


def main(argv: list[str]) -> None:
    from serving import serve

    port = int(argv[0])
    workers = int(argv[argv.index("--workers") + 1]) if "--workers" in argv else 2
    serve(create_app, host="127.0.0.1", port=port, workers=workers)


if __name__ == "__main__":
    main(sys.argv[1:])

"""Two trivial Flask apps for the sign-in floor: the same hops as an SP-initiated SAML sign-in,
no SAML work. `python -m bench.peers.chain sp PORT IDP_URL` / `idp PORT SP_URL` /
`minimal PORT` (a minimal Flask app, for the cold-start floor). Werkzeug's threaded server,
as `make run` serves the real apps; loopback only.

SP:  GET /login → 302 IdP /saml2;  POST /acs → 302 /home (sets a cookie);  GET /home → 200
IdP: GET /saml2 → 302 /login (sets a cookie);  GET /login → 200 auto-post form (7 KB field)
"""

from __future__ import annotations

import sys

from flask import Flask, make_response, redirect, request

PAYLOAD = "P" * 7000  # about the size of a base64 Entra response


def sp_app(idp_url: str) -> Flask:
    app = Flask("chain_sp")

    @app.get("/login")
    def login():  # type: ignore[no-untyped-def]
        return redirect(f"{idp_url}/saml2?SAMLRequest=x")

    @app.post("/acs")
    def acs():  # type: ignore[no-untyped-def]
        response = redirect("/home")
        response.set_cookie("sp", request.form.get("SAMLResponse", "")[:8])
        return response

    @app.get("/home")
    def home() -> str:
        return "<p>signed in</p>" if request.cookies.get("sp") else "<p>no</p>"

    return app


def idp_app(sp_url: str) -> Flask:
    app = Flask("chain_idp")

    @app.get("/saml2")
    def saml2():  # type: ignore[no-untyped-def]
        response = redirect("/login")
        response.set_cookie("idp", "1")
        return response

    @app.get("/login")
    def login():  # type: ignore[no-untyped-def]
        return make_response(
            '<!doctype html><html><body onload="document.forms[0].submit()">'
            f'<form method="post" action="{sp_url}/acs">'
            f'<input type="hidden" name="SAMLResponse" value="{PAYLOAD}"></form></body></html>'
        )

    return app


def minimal_app() -> Flask:
    app = Flask("minimal")

    @app.get("/")
    def index() -> str:
        return "ok"

    return app


def main(argv: list[str]) -> None:
    kind, port = argv[0], int(argv[1])
    if kind == "sp":
        app = sp_app(argv[2])
    elif kind == "idp":
        app = idp_app(argv[2])
    else:
        app = minimal_app()
    app.run("127.0.0.1", port, threaded=True)


if __name__ == "__main__":
    main(sys.argv[1:])

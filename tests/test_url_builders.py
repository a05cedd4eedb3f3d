"""The suite shares Werkzeug's compiled URL builders between apps (tests/url_builders.py):
each app still builds its own URLs, with its own converters and query strings."""

from __future__ import annotations

from flask import Flask, url_for
from werkzeug.routing import BaseConverter, IntegerConverter
from werkzeug.routing.rules import Rule


class Padded(IntegerConverter):
    def to_url(self, value: object) -> str:
        return f"{int(str(value)):03d}"


def app_with(converter: type[BaseConverter]) -> Flask:
    app = Flask(__name__)
    app.url_map.converters["num"] = converter
    app.add_url_rule("/items/<num:n>", "item", lambda n: str(n))
    return app


def built(app: Flask, **values: object) -> str:
    with app.test_request_context():
        return url_for("item", **values)


def test_two_apps_share_a_builder_and_still_use_their_own_converters() -> None:
    padded, plain = app_with(Padded), app_with(IntegerConverter)
    padded_rule, plain_rule = (next(app.url_map.iter_rules("item")) for app in (padded, plain))

    assert getattr(Rule._compile_builder, "_shared", False)
    assert padded_rule._build.__func__ is plain_rule._build.__func__  # type: ignore[attr-defined]
    assert built(padded, n=7) == "/items/007"
    assert built(plain, n=7, q="a b") == "/items/7?q=a+b"
    assert padded.test_client().get("/items/007").text == "7"

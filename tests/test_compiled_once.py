"""The suite compiles once per process what every app used to compile again: Werkzeug's URL
builders (tests/url_builders.py) and Jinja's templates (tests/template_bytecode.py). Each app
still builds its own URLs, with its own converters, and renders with its own data."""

from __future__ import annotations

from pathlib import Path

from flask import Flask, render_template, url_for
from werkzeug.routing import BaseConverter, IntegerConverter
from werkzeug.routing.rules import Rule

from tests.template_bytecode import InMemoryBytecodeCache


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


def page_app(folder: Path, who: str) -> Flask:
    app = Flask(__name__, template_folder=str(folder))
    app.add_url_rule("/p", "page", lambda: render_template("page.html", who=who))
    return app


def test_two_apps_render_one_template_from_one_compilation(tmp_path: Path) -> None:
    (tmp_path / "page.html").write_text("<p>{{ who }} at {{ request.path }}</p>")
    first, second = page_app(tmp_path, "first"), page_app(tmp_path, "second")
    cache = first.jinja_env.bytecode_cache
    assert isinstance(cache, InMemoryBytecodeCache) and second.jinja_env.bytecode_cache is cache
    known = set(cache.code)

    assert first.test_client().get("/p").text == "<p>first at /p</p>"
    assert second.test_client().get("/p").text == "<p>second at /p</p>"
    assert len(set(cache.code) - known) == 1  # compiled once, for both

    (tmp_path / "page.html").write_text("<p>changed: {{ who }}</p>")
    assert page_app(tmp_path, "third").test_client().get("/p").text == "<p>changed: third</p>"

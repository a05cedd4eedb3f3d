"""Werkzeug's URL builders, compiled once per process instead of once per app.

Each `Rule` bound to an app's URL map compiles two builder functions (`ast` + `compile()`):
for the mock's ~110 rules that is ~90 % of its `create_app` (~35 ms), and the suite creates
hundreds of apps. A builder is a plain function of the rule's parsed parts (`_trace`), its
name and `append_unknown`; it reads everything else (converters, the query string encoder)
through the rule it is bound to at call time. So rules with the same parts share one builder.
Rules with defaults are left alone: their defaults are converted into the code, through the
rule's own converters. The apps route and build URLs exactly as before; this is speed only.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from werkzeug.routing.rules import Rule

_Builder = Callable[..., tuple[str, str]]


def share_url_builders() -> None:
    original: Callable[[Rule, bool], _Builder] | None = getattr(Rule, "_compile_builder", None)
    if original is None or getattr(original, "_shared", False):
        return  # another Werkzeug: nothing to share (slower, not wrong)
    built: dict[tuple[Any, ...], _Builder] = {}

    def compile_builder(self: Rule, append_unknown: bool = True) -> _Builder:
        if self.defaults:
            return original(self, append_unknown)
        key = (self.rule, tuple(self._trace), append_unknown)
        builder = built.get(key)
        if builder is None:
            builder = built[key] = original(self, append_unknown)
        return builder

    compile_builder._shared = True  # type: ignore[attr-defined]
    Rule._compile_builder = compile_builder  # type: ignore[method-assign]

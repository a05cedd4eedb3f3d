"""Jinja's compiled templates, shared by every Flask app this test process creates.

Each app has its own Jinja environment, so each test compiled again every template its pages
render (lexing, parsing, `compile()`): seconds over the suite. Jinja's own bytecode cache
keeps the compiled code by template name and file, checked against a checksum of the source;
here it lives in memory for the process. Our apps' environments are configured alike per app
(Flask's defaults, plus the same filters registered by each factory), so one template file's
code serves every app that renders it.
"""

from __future__ import annotations

from flask import Flask
from jinja2.bccache import Bucket, BytecodeCache


class InMemoryBytecodeCache(BytecodeCache):
    def __init__(self) -> None:
        self.code: dict[str, bytes] = {}

    def load_bytecode(self, bucket: Bucket) -> None:
        code = self.code.get(bucket.key)
        if code is not None:
            bucket.bytecode_from_string(code)  # ignored when the source's checksum changed

    def dump_bytecode(self, bucket: Bucket) -> None:
        self.code[bucket.key] = bucket.bytecode_to_string()


def share_template_bytecode() -> None:
    if "bytecode_cache" not in Flask.jinja_options:
        Flask.jinja_options = {**Flask.jinja_options, "bytecode_cache": InMemoryBytecodeCache()}

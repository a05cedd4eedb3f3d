"""`mock-entra serve`: the tracer is off unless asked (--trace, --step, or MOCK_IDP_TRACE=1)."""

from __future__ import annotations

from pathlib import Path

import pytest

from mock_idp import cli
from mock_idp.config import IdpConfig


def config_for(tmp_path: Path, *options: str) -> IdpConfig:
    parsed = cli.build_parser().parse_args(["serve", *options])
    return cli.serve_config(parsed, {"XDG_CACHE_HOME": str(tmp_path)})


def test_off_unless_asked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MOCK_IDP_TRACE", raising=False)
    monkeypatch.delenv("MOCK_IDP_STEP", raising=False)
    config = config_for(tmp_path)
    assert not config.trace and not config.step
    assert "/trace/" not in cli.banner(config, "127.0.0.1", 8001, 1, "t")


def test_trace_and_step_options(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MOCK_IDP_TRACE", raising=False)
    traced = config_for(tmp_path, "--trace")
    assert traced.trace and not traced.step
    stepping = config_for(tmp_path, "--step")
    assert stepping.trace and stepping.step  # step mode needs the tracer
    banner = cli.banner(stepping, "127.0.0.1", 8001, 1, "t")
    assert "mock-entra: SAML tracer   http://127.0.0.1:8001/trace/  (step mode on)" in banner


def test_the_environment_asks_too(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MOCK_IDP_TRACE", "1")
    assert config_for(tmp_path).trace

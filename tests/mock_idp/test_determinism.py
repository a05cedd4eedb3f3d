"""Deterministic mode's parts: the seeded token source, the fixed clock, time travel, bad values."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask

from mock_idp.app import create_app
from mock_idp.config import IdpConfig
from mock_idp.determinism import (
    Clock,
    DeterminismError,
    Tokens,
    parse_clock,
    parse_duration,
    parse_seed,
)
from mock_idp.state import IdpState
from mock_idp.store import Store
from tests.conftest import CERTS, IDP_URL, SP_URL

FIXED = datetime(2026, 1, 1, tzinfo=UTC)


def _app(**overrides: object) -> Flask:
    config = IdpConfig(base_url=IDP_URL, sp_url=SP_URL, certs_dir=CERTS, secret_key="t")
    for name, value in overrides.items():
        object.__setattr__(config, name, value)
    return create_app(config)


def _state(app: Flask) -> IdpState:
    state: IdpState = app.extensions["mock_idp"]
    return state


def test_the_same_seed_gives_the_same_ids_tokens_and_api_token_in_every_app() -> None:
    first, second = _state(_app(seed=42)), _state(_app(seed=42))
    assert first.config.api_token == second.config.api_token
    assert [first.new_id() for _ in range(3)] == [second.new_id() for _ in range(3)]
    assert first.tokens.token_urlsafe(9) == second.tokens.token_urlsafe(9)
    other = _state(_app(seed=43))
    assert other.config.api_token != first.config.api_token
    assert re.fullmatch(
        r"_[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}", first.new_id()
    )
    # IDs the tenant file leaves out (the default one leaves out the apps' object IDs).
    objects = [[a.object_id for a in s.tenant.apps.values()] for s in (first, second, other)]
    assert objects[0] == objects[1] != objects[2]


def test_without_a_seed_tokens_are_random() -> None:
    tokens = Tokens(None, Store())
    assert tokens.token_hex(16) != tokens.token_hex(16)


def test_a_fixed_clock_stands_still_until_it_is_moved() -> None:
    clock = Clock(Store(), FIXED)
    assert clock() == clock() == FIXED
    assert clock.advance(parse_duration("PT61M")) == FIXED + timedelta(minutes=61)
    assert clock() == FIXED + timedelta(minutes=61)
    with pytest.raises(DeterminismError, match="only moves forward"):
        clock.advance(timedelta(seconds=-1))


def test_the_wall_clock_moves_by_time_travel_too() -> None:
    clock = Clock(Store())
    clock.advance(timedelta(days=400))
    assert clock() - datetime.now(UTC) > timedelta(days=399)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("PT61M", timedelta(minutes=61)),
        ("P1D", timedelta(days=1)),
        ("P2W", timedelta(weeks=2)),
        ("PT1H30M5S", timedelta(hours=1, minutes=30, seconds=5)),
        ("P1DT0.5S", timedelta(days=1, seconds=0.5)),
    ],
)
def test_durations_are_iso_8601(text: str, expected: timedelta) -> None:
    assert parse_duration(text) == expected


@pytest.mark.parametrize("text", ["P1Y", "P1M", "PT", "P", "61m", "-PT1M", "", 61, "P99999D"])
def test_a_bad_duration_names_the_field(text: object) -> None:
    with pytest.raises(DeterminismError, match="^advance: "):
        parse_duration(text)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("yesterday", "not an ISO 8601 instant"),
        ("2026-01-01T00:00:00+01:00", "must be in UTC"),
        ("2026-01-01T00:00:00", "must be in UTC"),
    ],
)
def test_a_bad_clock_names_the_option(text: str, message: str) -> None:
    with pytest.raises(DeterminismError, match=f"^--clock: .*{message}"):
        parse_clock(text)
    assert parse_clock("2026-01-01T00:00:00Z") == FIXED


def test_a_bad_seed_names_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MOCK_IDP_SEED", "forty-two")
    with pytest.raises(DeterminismError, match="^MOCK_IDP_SEED: 'forty-two' is not a whole"):
        IdpConfig.from_env()
    with pytest.raises(DeterminismError, match="^--seed: -1 must be"):
        parse_seed("-1")
    monkeypatch.setenv("MOCK_IDP_SEED", "42")
    monkeypatch.setenv("MOCK_IDP_CLOCK", "2026-01-01T00:00:00Z")
    config = IdpConfig.from_env()
    assert (config.seed, config.clock) == (42, FIXED)


def test_the_harness_moves_the_clock_and_refuses_bad_bodies() -> None:
    app = _app(test_mode=True, clock=FIXED)
    client = app.test_client()
    assert client.get("/_harness/clock").get_json()["now"] == "2026-01-01T00:00:00Z"

    for body in ({"advance": "P1Y"}, {"advance": "PT1M", "extra": 1}, ["PT1M"]):
        refused = client.post("/_harness/clock", json=body)
        assert refused.status_code == 400
        assert "advance" in refused.get_json()["error"]
    assert client.post("/_harness/clock", data="advance=PT1M").status_code == 400
    assert client.get("/_harness/clock").get_json()["now"] == "2026-01-01T00:00:00Z"  # unchanged

    moved = client.post("/_harness/clock", json={"advance": "PT61M"}).get_json()
    assert moved["now"] == "2026-01-01T01:01:00Z"
    assert _state(app).clock() == FIXED + timedelta(minutes=61)


def test_time_travel_exists_in_test_mode_only() -> None:
    client = _app(clock=FIXED).test_client()
    assert client.post("/_harness/clock", json={"advance": "PT1M"}).status_code == 404


def test_a_session_expires_by_time_travel(idp_app: Flask) -> None:
    """The mock's SSO session (24 h) ends when the clock passes it: no sleeping."""
    state = _state(idp_app)
    clock = state.clock
    assert isinstance(clock, Clock)
    with idp_app.test_request_context():
        state.store.put("session", "sid", {"values": {}}, expires=clock() + timedelta(hours=24))
    assert state.store.get("session", "sid", now=clock()) is not None
    clock.advance(parse_duration("PT24H1S"))
    assert state.store.get("session", "sid", now=clock()) is None

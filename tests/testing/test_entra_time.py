"""Deterministic mode and time travel through the public API: EntraOptions, the client, the CLI."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from mock_idp.testing import EntraServer
from mock_idp.testing.server import EntraOptions

ROOT = Path(__file__).resolve().parents[2]
ACS = "https://sp.example.com/saml/acs"


def _ids_of_a_run(options: EntraOptions) -> tuple[str, str, str]:
    with EntraServer(options) as entra:
        app = entra.add_app(name="My SP", identifier="urn:my-sp", reply_url=ACS)
        user = entra.add_user("ada@contoso.com", password="Passw0rd!")
        return app.app_id, user.object_id, entra.now().isoformat()


def test_the_same_seed_and_clock_give_the_same_ids_every_run() -> None:
    options = EntraOptions(clock="2026-01-01T00:00:00Z", seed=7, token="t")
    first, second = _ids_of_a_run(options), _ids_of_a_run(options)
    assert first == second
    assert first[2] == "2026-01-01T00:00:00+00:00"
    other = _ids_of_a_run(EntraOptions(clock="2026-01-01T00:00:00Z", seed=8, token="t"))
    assert other[:2] != first[:2]


def test_the_client_moves_the_clock_forward() -> None:
    start = datetime(2026, 1, 1, tzinfo=UTC)
    with EntraServer(EntraOptions(clock=start)) as entra:
        assert entra.now() == start
        assert entra.advance("PT61M") == start + timedelta(minutes=61)
        assert entra.now() == start + timedelta(minutes=61)


def test_a_bad_clock_option_names_itself() -> None:
    with pytest.raises(ValueError, match="^EntraOptions.clock: 'tomorrow' is not an ISO 8601"):
        EntraServer(EntraOptions(clock="tomorrow")).start()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--clock", "2026-01-01"], "mock-entra: --clock: '2026-01-01' must be in UTC"),
        (["--seed", "x"], "mock-entra: --seed: 'x' is not a whole number"),
    ],
)
def test_mock_entra_serve_refuses_a_bad_clock_or_seed(args: list[str], message: str) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "mock_idp.cli", "serve", "--port", "1", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert message in done.stderr

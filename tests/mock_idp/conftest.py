"""Fixtures the mock's fast tests share: a browser on the mock, and a clock the test moves."""

from __future__ import annotations

from datetime import datetime

import pytest
from flask import Flask
from flask.testing import FlaskClient

from mock_idp.state import IdpState


@pytest.fixture
def idp(idp_app: Flask) -> FlaskClient:
    """One browser (a cookie jar) on the mock."""
    return idp_app.test_client()


@pytest.fixture
def clock(idp_state: IdpState, now: datetime) -> list[datetime]:
    """The mock's clock, settable by the test: `clock[0] = …`."""
    moments = [now]
    idp_state.clock = lambda: moments[0]
    return moments

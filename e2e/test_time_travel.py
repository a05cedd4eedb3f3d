"""The harness moves both running apps' clocks (their test-mode endpoints), no sleeping.

One second only: the harness is shared by the tests of this worker and clocks never go back.
The expiry tests themselves are fast tests (tests/sp/test_time_travel.py,
tests/mock_idp/test_determinism.py).
"""

from __future__ import annotations

import json
import urllib.request
from datetime import datetime

from e2e.conftest import Harness


def _clock(url: str) -> dict[str, object]:
    with urllib.request.urlopen(url, timeout=10) as answer:  # loopback
        reading: dict[str, object] = json.load(answer)
        return reading


def test_travel_moves_the_mock_and_the_sp_together(harness: Harness) -> None:
    before = _clock(f"{harness.idp_url}/_harness/clock")["advanced_seconds"]
    assert isinstance(before, float)

    harness.travel("PT1S")

    idp = _clock(f"{harness.idp_url}/_harness/clock")
    sp = _clock(f"{harness.sp_url}/_test/clock")
    assert idp["advanced_seconds"] == before + 1
    assert sp["advanced_seconds"] == idp["advanced_seconds"]
    gap = datetime.fromisoformat(str(idp["now"])) - datetime.fromisoformat(str(sp["now"]))
    assert abs(gap.total_seconds()) < 5

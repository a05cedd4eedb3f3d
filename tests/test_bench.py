"""The documented benchmark commands run and hold their own checks (bounded, loopback only)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from serving.postgres import why_no_postgres

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.docs_command("python -m bench verify")
def test_bench_verify_prints_the_row_against_python3_saml() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bench", "verify"],
        cwd=ROOT, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-2000:]
    header, _rule, row = result.stdout.strip().splitlines()
    assert header.startswith("| metric | ours | peer, same run | ratio | goal | met? |")
    assert "vs python3-saml strict" in row and "×" in row


@pytest.mark.docs_command("python -m bench load --sign-ins 10")
def test_the_load_test_signs_in_and_refuses_every_replay() -> None:
    reason = why_no_postgres()
    if reason:
        pytest.skip(reason)
    result = subprocess.run(
        [sys.executable, "-m", "bench", "load", "--sign-ins", "10"],
        cwd=ROOT, capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr[-2000:]
    assert "signed in: 10   errors: 0   lost: 0" in result.stdout
    assert "replays refused: 20   replays accepted: 0" in result.stdout
    assert "load: PASS" in result.stdout

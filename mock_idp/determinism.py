"""Deterministic mode and time travel: the mock's one clock and one source of secrets.

`--clock 2026-01-01T00:00:00Z` (MOCK_IDP_CLOCK) fixes the clock; `--seed 42` (MOCK_IDP_SEED)
derives every ID, token and generated password from the seed and a counter. With both, the same
requests in the same order get byte-identical answers, run after run.

The fixed clock stands still: every read returns the same instant until a test moves it
(`POST /_harness/clock {"advance": "PT61M"}`). So one response's IssueInstant, NotBefore and
NotOnOrAfter always come from one instant, and nothing expires behind a test's back. Without
`--clock` the clock is the wall clock plus whatever the tests advanced it by.

Both keep their state (counter, offset) in the mock's store, so every worker of one mock shares
them. Keys generated at run time (a new signing certificate) stay random: RSA key generation
takes no seed.
"""

from __future__ import annotations

import argparse
import hashlib
import re
import secrets
import threading
import uuid
from base64 import urlsafe_b64encode
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from mock_idp.store import Store

CLOCK_KIND = "clock"
CLOCK_OFFSET = (CLOCK_KIND, "offset_seconds")  # the shared time-travel offset's record
COUNTER_LOG = "determinism"
MAX_ADVANCE = timedelta(days=3650)
_DURATION = re.compile(
    r"P(?:(?P<weeks>\d+)W)?(?:(?P<days>\d+)D)?"
    r"(?:T(?:(?P<hours>\d+)H)?(?:(?P<minutes>\d+)M)?(?:(?P<seconds>\d+(?:\.\d+)?)S)?)?"
)


class DeterminismError(ValueError):
    """A bad --clock, --seed or time-travel value; the message names the field."""


def parse_clock(text: str, field: str = "--clock") -> datetime:
    """An ISO 8601 instant in UTC, e.g. `2026-01-01T00:00:00Z`."""
    try:
        moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise DeterminismError(
            f"{field}: {text!r} is not an ISO 8601 instant such as 2026-01-01T00:00:00Z"
        ) from None
    if moment.utcoffset() != timedelta(0):
        raise DeterminismError(f"{field}: {text!r} must be in UTC (end it with Z)")
    return moment.astimezone(UTC)


def parse_seed(text: str, field: str = "--seed") -> int:
    try:
        seed = int(text.strip())
    except ValueError:
        raise DeterminismError(f"{field}: {text!r} is not a whole number") from None
    if not 0 <= seed < 2**63:
        raise DeterminismError(f"{field}: {seed} must be from 0 to 2**63 - 1")
    return seed


def parse_duration(text: object, field: str = "advance") -> timedelta:
    """An ISO 8601 duration forward in time: `PT61M`, `P1D`, `P3Y` is not accepted (ambiguous)."""
    match = _DURATION.fullmatch(text) if isinstance(text, str) else None
    if match is None or text in ("P", "PT") or not any(match.groupdict().values()):
        raise DeterminismError(
            f'{field}: {text!r} is not an ISO 8601 duration such as "PT61M" or "P400D" '
            "(weeks, days, hours, minutes, seconds; no years or months, whose length varies)"
        )
    parts = {k: float(v) for k, v in match.groupdict().items() if v}
    step = timedelta(**parts)
    if step > MAX_ADVANCE:
        raise DeterminismError(f"{field}: {text!r} is more than ten years")
    return step


def add_determinism_options(parser: argparse.ArgumentParser) -> None:
    """`--clock` and `--seed`, for every command that starts a mock (`python -m mock_idp`, CLI)."""
    parser.add_argument(
        "--clock",
        metavar="INSTANT",
        help="fix the clock at this UTC instant, e.g. 2026-01-01T00:00:00Z (env MOCK_IDP_CLOCK); "
        "it then moves only by time travel (POST /_harness/clock)",
    )
    parser.add_argument(
        "--seed",
        metavar="N",
        help="derive every ID, token and generated password from N (env MOCK_IDP_SEED)",
    )


def determinism_overrides(args: argparse.Namespace) -> dict[str, object]:
    """IdpConfig overrides from the options (they win over the environment)."""
    overrides: dict[str, object] = {}
    if getattr(args, "clock", None) is not None:
        overrides["clock"] = parse_clock(args.clock)
    if getattr(args, "seed", None) is not None:
        overrides["seed"] = parse_seed(args.seed)
    return overrides


class Tokens:
    """Random tokens, or with a seed the same sequence every run (counter shared by workers)."""

    def __init__(self, seed: int | None, store: Store) -> None:
        self.seed = seed
        self._store = store

    def token_bytes(self, size: int) -> bytes:
        if self.seed is None:
            return secrets.token_bytes(size)
        # Its own counter, atomic across workers: a trace or sign-in log write never shifts it.
        number = self._store.next_number(COUNTER_LOG)
        out = b""
        block = 0
        while len(out) < size:
            out += hashlib.sha256(f"{self.seed}:{number}:{block}".encode()).digest()
            block += 1
        return out[:size]

    def token_urlsafe(self, size: int = 32) -> str:
        return urlsafe_b64encode(self.token_bytes(size)).rstrip(b"=").decode("ascii")

    def token_hex(self, size: int = 32) -> str:
        return self.token_bytes(size).hex()

    def uuid4(self) -> uuid.UUID:
        return uuid.UUID(bytes=self.token_bytes(16), version=4)

    def entra_id(self) -> str:
        """Entra's ID form: `_` and a lowercase hyphenated GUID (a valid xs:ID)."""
        if self.seed is not None:
            return f"_{self.uuid4()}"
        # What `uuid.UUID(bytes=…, version=4)` prints, without building the object: a response
        # takes several of these.
        raw = bytearray(secrets.token_bytes(16))
        raw[6] = raw[6] & 0x0F | 0x40
        raw[8] = raw[8] & 0x3F | 0x80
        h = raw.hex()
        return f"_{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


@dataclass(frozen=True)
class Clock:
    """The mock's clock: fixed or the wall clock, plus what time travel added (in the store).

    The offset lives in the store so that every worker sees a move at once. A request reads it
    once (`pin`, at its start) rather than at every one of its clock reads; a move made while
    the request runs (`advance`) is seen by it too.
    """

    store: Store
    fixed: datetime | None = None
    _pinned: threading.local = field(default_factory=threading.local, compare=False, repr=False)

    def __call__(self) -> datetime:
        base = self.fixed if self.fixed is not None else datetime.now(UTC)
        return base + self.offset()

    def offset(self) -> timedelta:
        pinned: timedelta | None = getattr(self._pinned, "offset", None)
        return pinned if pinned is not None else self._stored_offset()

    def pin(self) -> None:
        """Read the offset once for what this thread does until `unpin` (one request)."""
        self._pinned.offset = self._stored_offset()

    def unpin(self) -> None:
        self._pinned.offset = None

    def advance(self, step: timedelta) -> datetime:
        """Moves the clock forward (never back: expiry already seen stays seen)."""
        if step < timedelta(0):
            raise DeterminismError("advance: the clock only moves forward")
        total = self._stored_offset() + step
        self.store.put(*CLOCK_OFFSET, total.total_seconds())
        if getattr(self._pinned, "offset", None) is not None:
            self._pinned.offset = total
        return self()

    def _stored_offset(self) -> timedelta:
        seconds = self.store.get(*CLOCK_OFFSET)
        return timedelta(seconds=float(seconds or 0))

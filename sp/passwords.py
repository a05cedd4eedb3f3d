"""Password hashing for local administrator sign-in (argon2id, never stored in clear).

An argon2 hash carries its own parameters, so every hash verifies whatever the configured cost;
one made with other parameters than the configured cost is replaced after its next successful
check (`needs_rehash`): seeds' ready hashes and hashes from older settings keep working.
"""

from __future__ import annotations

import dataclasses
import functools
from enum import StrEnum

from argon2 import PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError


class PasswordCost(StrEnum):
    """How much work a new hash costs (SpConfig.password_cost)."""

    # argon2-cffi's defaults, RFC 9106's low-memory profile: ~0.1 s and 64 MiB per check.
    STANDARD = "standard"
    # argon2id at its minimum work (1 pass, 8 KiB): microseconds, so a test suite can sign in
    # hundreds of times. Cheap to guess: SpConfig.from_env refuses it outside test mode.
    TEST = "test"


_PARAMETERS = {
    PasswordCost.STANDARD: profiles.RFC_9106_LOW_MEMORY,
    # The usual salt and hash lengths: only the work is minimal, the hashes look like real ones.
    PasswordCost.TEST: dataclasses.replace(profiles.CHEAPEST, salt_len=16, hash_len=32),
}


@functools.cache
def _hasher(cost: PasswordCost) -> PasswordHasher:
    return PasswordHasher.from_parameters(_PARAMETERS[cost])


def hash_password(password: str, cost: PasswordCost = PasswordCost.STANDARD) -> str:
    return _hasher(cost).hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """With the hash's own parameters, whichever cost made it."""
    if not password_hash:
        return False
    try:
        return _hasher(PasswordCost.STANDARD).verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str, cost: PasswordCost) -> bool:
    """True when `password_hash` was made with other parameters than `cost` asks for."""
    try:
        return _hasher(cost).check_needs_rehash(password_hash)
    except InvalidHashError:
        return True


@functools.cache
def dummy_hash(cost: PasswordCost) -> str:
    """Checked when no account matches, so that answer costs what a real account's check does."""
    return hash_password("not a password anyone has", cost)

"""A process-local store with the shared store's interface (kinds of keyed values, and logs).

Used only when the running mock has no shared store (`get_state().store`): counters and log
rows then live in this process, seen by one worker only.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from typing import Any


class MemoryStore:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._values: dict[str, dict[str, Any]] = {}
        self._logs: dict[str, list[tuple[int, Any]]] = {}
        self._seq = 0

    def get(self, kind: str, key: str) -> Any | None:
        with self._lock:
            return self._values.get(kind, {}).get(key)

    def put(self, kind: str, key: str, value: Any) -> None:
        with self._lock:
            self._values.setdefault(kind, {})[key] = value

    def delete(self, kind: str, key: str) -> None:
        with self._lock:
            self._values.get(kind, {}).pop(key, None)

    def items(self, kind: str) -> list[tuple[str, Any]]:
        with self._lock:
            return list(self._values.get(kind, {}).items())

    def append(self, log: str, record: Any, keep: int = 1000) -> int:
        with self._lock:
            self._seq += 1
            rows = self._logs.setdefault(log, [])
            rows.append((self._seq, record))
            del rows[:-keep]
            return self._seq

    def tail(self, log: str, limit: int, before: int | None = None) -> list[tuple[int, Any]]:
        with self._lock:
            rows: Iterable[tuple[int, Any]] = reversed(self._logs.get(log, []))
            kept = [r for r in rows if before is None or r[0] < before]
            return kept[:limit]

    def entry(self, log: str, seq: int) -> Any | None:
        with self._lock:
            return next((r for s, r in self._logs.get(log, []) if s == seq), None)

"""An in-process store with the shared store's methods: for a mock built without one (tests)."""

from __future__ import annotations

import copy
import json
import threading
from typing import Any

Record = dict[str, Any]


class MemoryStore:
    """Bounded logs and key/value records in memory; JSON round-trips like the real store."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._logs: dict[str, list[tuple[int, str]]] = {}
        self._values: dict[tuple[str, str], str] = {}
        self._seq = 0

    def append(self, log: str, record: Record, keep: int = 1000) -> int:
        with self._lock:
            self._seq += 1
            entries = self._logs.setdefault(log, [])
            entries.append((self._seq, json.dumps(record)))
            del entries[: max(0, len(entries) - keep)]
            return self._seq

    def tail(self, log: str, limit: int, before: int | None = None) -> list[tuple[int, Record]]:
        with self._lock:
            entries = [e for e in self._logs.get(log, []) if before is None or e[0] < before]
        return [(seq, json.loads(text)) for seq, text in reversed(entries[-limit:])]

    def entry(self, log: str, seq: int) -> Record | None:
        with self._lock:
            found = next((t for s, t in self._logs.get(log, []) if s == seq), None)
        return None if found is None else dict(json.loads(found))

    def get(self, kind: str, key: str) -> Any:
        with self._lock:
            text = self._values.get((kind, key))
        return None if text is None else json.loads(text)

    def put(self, kind: str, key: str, value: Any) -> None:
        with self._lock:
            self._values[(kind, key)] = json.dumps(copy.deepcopy(value))

    def delete(self, kind: str, key: str) -> None:
        with self._lock:
            self._values.pop((kind, key), None)

    def items(self, kind: str) -> list[tuple[str, Any]]:
        with self._lock:
            found = [(k, t) for (kd, k), t in self._values.items() if kd == kind]
        return [(k, json.loads(t)) for k, t in found]

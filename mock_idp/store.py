"""Where a running mock keeps what every worker must see: sessions, counters, logs, the tenant.

One SQLite database per running mock. A single process (tests, `make run`) uses a private
in-memory database; `mock-entra serve --workers N` points every worker at one file
(`IdpConfig.store_path`), opened in WAL mode so readers never wait for a writer.

Two shapes cover everything the mock keeps at run time:
- records: `(kind, key) -> JSON value`, optionally expiring (sessions, lockout counters, the
  tenant snapshot);
- logs: append-only, bounded, newest first on read (sign-in logs, the tracer).

Why this is enough for a test IdP: it holds tens of users and a few sessions per test, every
operation is one indexed statement (tens of microseconds), and SQLite serialises writers, which
is the consistency a mock needs. It is not a production session store and does not pretend to be.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

_SCHEMA = """
CREATE TABLE IF NOT EXISTS records (
    kind TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL, expires TEXT,
    PRIMARY KEY (kind, key)
);
CREATE TABLE IF NOT EXISTS logs (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, log TEXT NOT NULL, record TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS logs_by_name ON logs (log, seq);
CREATE TABLE IF NOT EXISTS log_sizes (log TEXT PRIMARY KEY, size INTEGER NOT NULL);
INSERT OR IGNORE INTO log_sizes (log, size) SELECT log, COUNT(*) FROM logs GROUP BY log;
"""


_INHERITED: list[sqlite3.Connection] = []  # connections a forked process must leave alone


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()


class Store:
    """A small JSON store on SQLite, safe across threads and processes."""

    def __init__(self, path: Path | None = None) -> None:
        # None: an in-memory database private to this Store (one connection, so it is one DB).
        self._path = path
        self._lock = threading.Lock()
        self._pid = -1
        self._connection: sqlite3.Connection | None = None
        self._batches = threading.local()  # this thread's writes waiting for its batch's end

    @property
    def path(self) -> Path | None:
        return self._path

    def close(self) -> None:
        """Close this process's connection (a server parent does, before it forks workers)."""
        if self._path is None:
            return  # an in-memory store lives only in its connection: nothing to hand over
        with self._lock:
            if self._connection is not None and self._pid == os.getpid():
                self._connection.close()
            self._connection = None

    @contextmanager
    def _db(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            if self._connection is None or self._pid != os.getpid():
                if self._connection is not None:
                    # Forked: never use, nor close, the parent's connection here (closing it
                    # would drop this process's SQLite locks); keep it referenced, open our own.
                    _INHERITED.append(self._connection)
                self._connection = self._open()
                self._pid = os.getpid()
            with self._connection:  # one transaction per operation
                yield self._connection

    @contextmanager
    def batch(self) -> Iterator[None]:
        """Writes asked for `later` in this thread until the end are made together, in one
        transaction, when it ends (one request: its sign-in log row and its session).

        One commit instead of several, and the write lock is taken once, for the writes only:
        never across the work between them. Reads see a later write only after the batch.
        """
        if getattr(self._batches, "pending", None) is not None:
            yield  # nested: the outer batch writes
            return
        pending: list[Callable[[sqlite3.Connection], object]] = []
        self._batches.pending = pending
        try:
            yield
        finally:
            self._batches.pending = None
            if pending:
                with self._db() as db:
                    for write in pending:
                        write(db)

    def _write(self, write: Callable[[sqlite3.Connection], object], *, later: bool) -> None:
        pending = getattr(self._batches, "pending", None) if later else None
        if pending is not None:
            pending.append(write)
            return
        with self._db() as db:
            write(db)

    def _open(self) -> sqlite3.Connection:
        target = ":memory:" if self._path is None else str(self._path)
        connection = sqlite3.connect(target, check_same_thread=False, timeout=10.0)
        if self._path is not None:
            connection.execute("PRAGMA journal_mode=WAL")
            connection.execute("PRAGMA synchronous=NORMAL")
            # Pages read through a memory map, not a read() per page: every worker's commit makes
            # the others reload what they had cached, on almost every request.
            connection.execute("PRAGMA mmap_size=67108864")
        connection.executescript(_SCHEMA)
        return connection

    # -- records ---------------------------------------------------------------------------

    def get(self, kind: str, key: str, *, now: datetime | None = None) -> Any | None:
        """The value, or None when absent or expired at `now` (when given)."""
        with self._db() as db:
            row = db.execute(
                "SELECT value, expires FROM records WHERE kind = ? AND key = ?", (kind, key)
            ).fetchone()
        if row is None:
            return None
        value, expires = row
        if now is not None and expires is not None and expires <= now.isoformat():
            return None
        return json.loads(value)

    def put(
        self,
        kind: str,
        key: str,
        value: Any,
        *,
        expires: datetime | None = None,
        later: bool = False,
    ) -> None:
        """Store `value`; `later`: at the end of this thread's `batch`, if one is open."""
        parameters = (kind, key, json.dumps(value, separators=(",", ":"), sort_keys=True),
                      _iso(expires))  # fmt: skip
        self._write(
            lambda db: db.execute(
                "INSERT INTO records (kind, key, value, expires) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (kind, key) DO UPDATE SET value = excluded.value, "
                "expires = excluded.expires",
                parameters,
            ),
            later=later,
        )

    def setdefault(self, kind: str, key: str, value: Any) -> Any:
        """The stored value, storing `value` first if there is none (first writer wins)."""
        text = json.dumps(value, separators=(",", ":"), sort_keys=True)
        with self._db() as db:
            db.execute(
                "INSERT OR IGNORE INTO records (kind, key, value) VALUES (?, ?, ?)",
                (kind, key, text),
            )
            row = db.execute(
                "SELECT value FROM records WHERE kind = ? AND key = ?", (kind, key)
            ).fetchone()
        return json.loads(row[0])

    def next_number(self, counter: str) -> int:
        """1, 2, 3… for `counter`, atomically across threads and workers (its own sequence:
        no other write moves it)."""
        with self._db() as db:
            row = db.execute(
                "INSERT INTO records (kind, key, value) VALUES ('counter', ?, '1') "
                "ON CONFLICT (kind, key) DO UPDATE SET value = CAST(value AS INTEGER) + 1 "
                "RETURNING value",
                (counter,),
            ).fetchone()
        return int(row[0])

    def delete(self, kind: str, key: str, *, later: bool = False) -> None:
        self._write(
            lambda db: db.execute("DELETE FROM records WHERE kind = ? AND key = ?", (kind, key)),
            later=later,
        )

    def items(self, kind: str, *, now: datetime | None = None) -> list[tuple[str, Any]]:
        """Every unexpired `(key, value)` of one kind, by key."""
        with self._db() as db:
            rows = db.execute(
                "SELECT key, value, expires FROM records WHERE kind = ? ORDER BY key", (kind,)
            ).fetchall()
        moment = None if now is None else now.isoformat()
        return [
            (key, json.loads(value))
            for key, value, expires in rows
            if moment is None or expires is None or expires > moment
        ]

    def clear(self, kind: str) -> None:
        with self._db() as db:
            db.execute("DELETE FROM records WHERE kind = ?", (kind,))

    def purge_expired(self, now: datetime) -> int:
        with self._db() as db:
            cursor = db.execute(
                "DELETE FROM records WHERE expires IS NOT NULL AND expires <= ?",
                (now.isoformat(),),
            )
        return cursor.rowcount

    # -- logs ------------------------------------------------------------------------------

    def append(self, log: str, record: Any, *, keep: int) -> int:
        """Add `record` to `log`, keep only its newest `keep` entries; returns its number."""
        return self.append_many(log, [record], keep=keep)[0]

    def append_many(self, log: str, records: Sequence[Any], *, keep: int) -> list[int]:
        """Add `records` to `log` in one transaction, keep its newest `keep`; their numbers.

        Each log's size is counted beside it, so a full log drops its oldest entries through
        the index (a few steps) instead of counting `keep` entries on every append (~0.4 ms
        for a full sign-in log, on every sign-in).
        """
        texts = [json.dumps(r, separators=(",", ":"), sort_keys=True) for r in records]
        with self._db() as db:
            return _append(db, log, texts, keep)

    def append_later(self, log: str, record: Any, *, keep: int) -> None:
        """`append`, at the end of this thread's `batch` if one is open (no number returned)."""
        texts = [json.dumps(record, separators=(",", ":"), sort_keys=True)]
        self._write(lambda db: _append(db, log, texts, keep), later=True)

    def tail(self, log: str, limit: int, *, before: int | None = None) -> list[tuple[int, Any]]:
        """The newest `limit` entries of `log` (older than `before` when given), newest first."""
        with self._db() as db:
            rows = db.execute(
                "SELECT seq, record FROM logs WHERE log = ? AND seq < ? ORDER BY seq DESC LIMIT ?",
                (log, before if before is not None else 2**62, limit),
            ).fetchall()
        return [(int(seq), json.loads(record)) for seq, record in rows]

    def entry(self, log: str, seq: int) -> Any | None:
        with self._db() as db:
            row = db.execute(
                "SELECT record FROM logs WHERE log = ? AND seq = ?", (log, seq)
            ).fetchone()
        return None if row is None else json.loads(row[0])

    def clear_log(self, log: str) -> None:
        with self._db() as db:
            db.execute("DELETE FROM logs WHERE log = ?", (log,))
            db.execute("DELETE FROM log_sizes WHERE log = ?", (log,))


def _append(db: sqlite3.Connection, log: str, texts: Sequence[str], keep: int) -> list[int]:
    keep = max(keep, 1)
    numbers: list[int] = []
    for text in texts:
        cursor = db.execute("INSERT INTO logs (log, record) VALUES (?, ?)", (log, text))
        numbers.append(int(cursor.lastrowid or 0))
    (size,) = db.execute(
        "INSERT INTO log_sizes (log, size) VALUES (?, ?) "
        "ON CONFLICT (log) DO UPDATE SET size = size + excluded.size RETURNING size",
        (log, len(texts)),
    ).fetchone()
    if size > keep:
        db.execute(
            "DELETE FROM logs WHERE seq IN "
            "(SELECT seq FROM logs WHERE log = ? ORDER BY seq LIMIT ?)",
            (log, size - keep),
        )
        db.execute("UPDATE log_sizes SET size = ? WHERE log = ?", (keep, log))
    return numbers

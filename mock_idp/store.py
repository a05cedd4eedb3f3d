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

import fcntl
import json
import os
import re
import sqlite3
import threading
import time
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
"""
# One table per log, made on its first append: its numbers are its rowids, and the newest `keep`
# entries are exactly the numbers above `last - keep`, as entries are only ever removed oldest
# first and the newest always stays: a number is never given twice. An append writes the
# table's last page and, once full, its first: no second index, no size counter, no count, no
# AUTOINCREMENT sequence (which made every append write one more page).
_LOG_TABLE = "CREATE TABLE IF NOT EXISTS {table} (seq INTEGER PRIMARY KEY, record TEXT NOT NULL)"
_LOG_NAME = re.compile(r"[a-z][a-z0-9_-]{0,40}")


def _log_table(log: str) -> str:
    """The table of one log; log names are the mock's own constants, checked all the same."""
    if not _LOG_NAME.fullmatch(log):
        raise ValueError(f"log name {log!r}: lower-case letters, digits, - and _ only")
    return f'"log_{log}"'


_INHERITED: list[sqlite3.Connection] = []  # connections a forked process must leave alone


class _Process:
    """This process's ID, kept current across forks: `os.getpid` is a system call, and every
    store operation asks whether its connection was made in this process."""

    pid = os.getpid()

    @classmethod
    def forked(cls) -> None:
        cls.pid = os.getpid()


os.register_at_fork(after_in_child=_Process.forked)


_Row = tuple[str, str | None]  # a record's JSON text and expiry


def _use_wal(connection: sqlite3.Connection, *, attempts: int = 200) -> None:
    """WAL mode, which a file keeps once set. Two workers opening a new file at once can each
    find the other mid-switch, and SQLite then answers "locked" at once, without waiting:
    try again, briefly, a bounded number of times."""
    for attempt in range(attempts):
        try:
            if connection.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
                connection.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or attempt == attempts - 1:
                raise
            time.sleep(0.01)


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
        self._writer_lock: int | None = None  # this process's descriptor of the writers' lock
        self._batches = threading.local()  # this thread's writes waiting for its batch's end
        self._known_logs: set[str] = set()  # logs whose table exists

    @property
    def path(self) -> Path | None:
        return self._path

    def close(self) -> None:
        """Close this process's connection (a server parent does, before it forks workers)."""
        if self._path is None:
            return  # an in-memory store lives only in its connection: nothing to hand over
        with self._lock:
            if self._connection is not None and self._pid == _Process.pid:
                self._connection.close()
                if self._writer_lock is not None:
                    os.close(self._writer_lock)
            self._connection = None
            self._writer_lock = None

    @contextmanager
    def _db(self, *, write: bool = False) -> Iterator[sqlite3.Connection]:
        with self._lock:
            if self._connection is None or self._pid != _Process.pid:
                if self._connection is not None:
                    # Forked: never use, nor close, the parent's connection here (closing it
                    # would drop this process's SQLite locks); keep it referenced, open our own.
                    _INHERITED.append(self._connection)
                self._connection = self._open()
                self._writer_lock = self._open_writer_lock()
                self._pid = _Process.pid
            try:
                with self._writing(write), self._connection:  # one transaction per operation
                    yield self._connection
            except BaseException:
                self._known_logs.clear()  # a table made in a rolled-back transaction is gone
                raise

    @contextmanager
    def _writing(self, write: bool) -> Iterator[None]:
        """Writers of one file take turns on a lock the kernel hands over at once.

        SQLite has one writer at a time too, but a worker that finds another writing sleeps
        (1 ms, then 2, 5…) before it looks again: with two workers signing in, one response in
        ten or so waited a millisecond for a write of ~50 us. `flock` wakes the waiter when the
        lock is released. Readers never wait (WAL); within a process, `_lock` already serialises.
        """
        if not write or self._writer_lock is None:
            yield
            return
        fcntl.flock(self._writer_lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(self._writer_lock, fcntl.LOCK_UN)

    def _open_writer_lock(self) -> int | None:
        if self._path is None:
            return None  # in memory: one process, one connection
        # Opened anew in each process: a descriptor inherited across a fork would share its lock.
        return os.open(f"{self._path}.writer", os.O_RDWR | os.O_CREAT, 0o600)

    @contextmanager
    def batch(self, *, reads: Sequence[tuple[str, str]] = ()) -> Iterator[None]:
        """One request's use of the store, in two transactions at most.

        - `reads`: the records it will read, fetched at its start in one statement; its reads
          of them see that snapshot, until it writes a record itself.
        - Writes asked for `later` in this thread until the end are made together, in one
          transaction, when it ends (its sign-in log row and its session); reads see them only
          after the batch.

        Why: with several workers, every transaction takes and drops SQLite's file locks (a few
        system calls each) and, after another worker's commit, reloads the pages it reads. A
        signed response read three records in three transactions; one read and one write
        transaction cut ~0.1 ms of its ~1.5 ms. The write lock is taken once, for the writes
        only: never across the work between them.
        """
        if getattr(self._batches, "pending", None) is not None:
            yield  # nested: the outer batch reads and writes
            return
        pending: list[Callable[[sqlite3.Connection], object]] = []
        self._batches.snapshot = self._fetch(reads) if reads else {}
        self._batches.pending = pending
        try:
            yield
        finally:
            self._batches.pending = None
            self._batches.snapshot = {}
            if pending:
                with self._db(write=True) as db:
                    for write in pending:
                        write(db)

    def _fetch(self, keys: Sequence[tuple[str, str]]) -> dict[tuple[str, str], _Row | None]:
        # One indexed look-up per key, in one statement: `(kind, key) IN (VALUES …)` would scan
        # the whole table instead (SQLite plans row values against a list that way).
        statement = " UNION ALL ".join(
            ["SELECT kind, key, value, expires FROM records WHERE kind = ? AND key = ?"] * len(keys)
        )
        with self._db() as db:
            rows = db.execute(statement, [part for pair in keys for part in pair]).fetchall()
        found: dict[tuple[str, str], _Row | None] = dict.fromkeys(keys)
        found.update({(kind, key): (value, expires) for kind, key, value, expires in rows})
        return found

    def _forget_snapshot(self) -> None:
        """This thread writes a record now: its next reads go to the database."""
        if getattr(self._batches, "snapshot", None):
            self._batches.snapshot = {}

    def _write(self, write: Callable[[sqlite3.Connection], object], *, later: bool) -> None:
        pending = getattr(self._batches, "pending", None) if later else None
        if pending is not None:
            pending.append(write)
            return
        self._forget_snapshot()
        with self._db(write=True) as db:
            write(db)

    def _open(self) -> sqlite3.Connection:
        target = ":memory:" if self._path is None else str(self._path)
        connection = sqlite3.connect(target, check_same_thread=False, timeout=10.0)
        if self._path is not None:
            _use_wal(connection)
            # No fsync, even at checkpoints: a crash of the mock loses nothing (SQLite keeps what
            # was committed), and an operating-system crash ends the test run that this state
            # belongs to anyway (it lives in a per-run folder). fsync cost ~40 us of CPU per
            # sign-in with two workers, ~3 % of a signed response.
            connection.execute("PRAGMA synchronous=OFF")
            # Pages read through a memory map, not a read() per page: every worker's commit makes
            # the others reload what they had cached, on almost every request.
            connection.execute("PRAGMA mmap_size=67108864")
        connection.executescript(_SCHEMA)
        return connection

    # -- records ---------------------------------------------------------------------------

    def get(self, kind: str, key: str, *, now: datetime | None = None) -> Any | None:
        """The value, or None when absent or expired at `now` (when given)."""
        snapshot = getattr(self._batches, "snapshot", None)
        if snapshot and (kind, key) in snapshot:
            row = snapshot[(kind, key)]
        else:
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
        self._forget_snapshot()
        text = json.dumps(value, separators=(",", ":"), sort_keys=True)
        with self._db(write=True) as db:
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
        self._forget_snapshot()
        with self._db(write=True) as db:
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
        self._forget_snapshot()
        with self._db(write=True) as db:
            db.execute("DELETE FROM records WHERE kind = ?", (kind,))

    def purge_expired(self, now: datetime) -> int:
        self._forget_snapshot()
        with self._db(write=True) as db:
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
        """Add `records` to `log` in one transaction, keep its newest `keep`; their numbers."""
        # Keys in the order each record was built (an entry is only ever read back whole).
        texts = [json.dumps(r, separators=(",", ":")) for r in records]
        with self._db(write=True) as db:
            return self._append(db, log, texts, keep)

    def append_later(self, log: str, record: Any, *, keep: int) -> None:
        """`append`, at the end of this thread's `batch` if one is open (no number returned)."""
        texts = [json.dumps(record, separators=(",", ":"))]
        self._write(lambda db: self._append(db, log, texts, keep), later=True)

    def tail(self, log: str, limit: int, *, before: int | None = None) -> list[tuple[int, Any]]:
        """The newest `limit` entries of `log` (older than `before` when given), newest first."""
        with self._db() as db:
            if not self._has_log(db, log):
                return []
            rows = db.execute(
                f"SELECT seq, record FROM {_log_table(log)} WHERE seq < ? "
                "ORDER BY seq DESC LIMIT ?",
                (before if before is not None else 2**62, limit),
            ).fetchall()
        return [(int(seq), json.loads(record)) for seq, record in rows]

    def entry(self, log: str, seq: int) -> Any | None:
        with self._db() as db:
            if not self._has_log(db, log):
                return None
            row = db.execute(
                f"SELECT record FROM {_log_table(log)} WHERE seq = ?",
                (seq,),
            ).fetchone()
        return None if row is None else json.loads(row[0])

    def _has_log(self, db: sqlite3.Connection, log: str) -> bool:
        """Whether `log`'s table exists (another worker may have made it since we last looked)."""
        if log in self._known_logs:
            return True
        found = db.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?",
            (_log_table(log).strip('"'),),
        ).fetchone()
        if found is not None:
            self._known_logs.add(log)
        return found is not None

    def _append(
        self, db: sqlite3.Connection, log: str, texts: Sequence[str], keep: int
    ) -> list[int]:
        table = _log_table(log)
        if log not in self._known_logs:
            db.execute(_LOG_TABLE.format(table=table))
            self._known_logs.add(log)
        numbers = [
            int(db.execute(f"INSERT INTO {table} (record) VALUES (?)", (text,)).lastrowid or 0)
            for text in texts
        ]
        # Oldest first out: with `last` the newest number, the newest `keep` are above it - keep.
        db.execute(f"DELETE FROM {table} WHERE seq <= ?", (numbers[-1] - max(keep, 1),))
        return numbers

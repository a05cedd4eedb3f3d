"""The store every worker of one mock shares: records, expiry, bounded logs, across processes."""

from __future__ import annotations

import multiprocessing
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from mock_idp.store import Store

NOW = datetime(2026, 1, 1, tzinfo=UTC)


def test_records_round_trip_and_expire() -> None:
    store = Store()
    store.put("session", "a", {"user": "b.simon"}, expires=NOW + timedelta(minutes=5))
    store.put("session", "b", [1, 2])
    assert store.get("session", "a", now=NOW) == {"user": "b.simon"}
    assert store.get("session", "a", now=NOW + timedelta(minutes=5)) is None
    assert store.items("session", now=NOW + timedelta(hours=1)) == [("b", [1, 2])]
    store.delete("session", "b")
    assert store.get("session", "b") is None
    assert store.purge_expired(NOW + timedelta(hours=1)) == 1
    assert store.items("session") == []


def test_logs_are_bounded_per_log_and_read_newest_first() -> None:
    store = Store()
    for n in range(5):
        store.append("trace", {"n": n}, keep=3)
        store.append("signins", {"n": n}, keep=10)  # interleaved: each log keeps its own count
    assert [r["n"] for _, r in store.tail("trace", 10)] == [4, 3, 2]
    assert [r["n"] for _, r in store.tail("signins", 10)] == [4, 3, 2, 1, 0]
    newest, second = store.tail("trace", 2)
    assert store.tail("trace", 5, before=second[0]) == [store.tail("trace", 3)[2]]
    assert store.entry("trace", newest[0]) == {"n": 4}
    assert store.entry("trace", newest[0] - 3) is None  # dropped, oldest first
    assert store.entry("hits", 1) is None and store.tail("hits", 5) == []  # no such log yet


def test_a_full_log_never_gives_a_number_twice() -> None:
    store = Store()
    first = [store.append("trace", {"n": n}, keep=2) for n in range(3)]
    later = store.append_many("trace", [{"n": 3}, {"n": 4}, {"n": 5}], keep=2)
    assert later == [max(first) + 1, max(first) + 2, max(first) + 3]  # old links stay dead
    assert [r["n"] for _, r in store.tail("trace", 10)] == [5, 4]
    assert store.entry("trace", first[-1]) is None


def test_a_log_name_is_checked_before_it_names_a_table() -> None:
    store = Store()
    with pytest.raises(ValueError, match="log name"):
        store.append("x; DROP TABLE records", {}, keep=1)
    store.put("kept", "k", 1)
    assert store.get("kept", "k") == 1


def test_counters_are_independent_of_logs_and_each_other() -> None:
    store = Store()
    assert [store.next_number("ids") for _ in range(3)] == [1, 2, 3]
    store.append("trace", {"n": 1}, keep=10)  # other writes do not move a counter
    assert (store.next_number("other"), store.next_number("ids")) == (1, 4)


def _writer(path: Path, worker: int) -> None:
    store = Store(path)
    for n in range(20):
        store.append("hits", {"worker": worker, "n": n}, keep=1000)
        store.put("counted", f"{worker}-{n}", n)
        store.next_number("shared")


def test_two_processes_see_one_store(tmp_path: Path) -> None:
    path = tmp_path / "mock.sqlite3"
    workers = [multiprocessing.Process(target=_writer, args=(path, w)) for w in (1, 2)]
    for process in workers:
        process.start()
    for process in workers:
        process.join(timeout=60)
        assert process.exitcode == 0
    store = Store(path)
    assert len(store.tail("hits", 100)) == 40
    assert len(store.items("counted")) == 40
    assert store.next_number("shared") == 41  # 40 increments from two processes, none lost


def test_a_batch_reads_its_records_once_and_its_own_writes_are_seen(tmp_path: Path) -> None:
    path = tmp_path / "mock.sqlite3"
    store, other_worker = Store(path), Store(path)
    store.put("session", "s1", {"user": "b.simon"}, expires=NOW + timedelta(hours=1))
    store.put("clock", "offset", 0)
    statements: list[str] = []
    with store._db() as db:
        db.set_trace_callback(statements.append)
    with store.batch(reads=[("session", "s1"), ("clock", "offset"), ("tenant", "version")]):
        other_worker.put("clock", "offset", 60)  # the snapshot was taken before
        assert store.get("session", "s1", now=NOW) == {"user": "b.simon"}
        assert store.get("session", "s1", now=NOW + timedelta(hours=2)) is None  # expiry holds
        assert store.get("tenant", "version") is None  # absent, and known to be
        assert store.get("clock", "offset") == 0
        assert [s for s in statements if s.startswith("SELECT")] == [statements[0]]  # one read
        with store._db() as db:  # each record through the index: no scan of every session
            plan = db.execute("EXPLAIN QUERY PLAN " + statements[0]).fetchall()
        assert plan and not [row for row in plan if "SCAN" in row[-1]]
        store.put("session", "s1", {"user": "other"})  # written now: reads go to the database
        assert store.get("clock", "offset") == 60
        assert store.get("session", "s1") == {"user": "other"}
    assert store.get("clock", "offset") == 60

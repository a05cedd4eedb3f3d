"""`python -m bench load`: SP-initiated sign-ins through the SP under gunicorn on PostgreSQL
against the mock under gunicorn, with every response replayed once; bounded in count and time,
loopback only.

Each sign-in is a new browser: Sign on URL → the mock's sign-in pages (password) → ACS →
dashboard. Right after, the same SAMLResponse is posted again, from that browser and from a
browser with no cookies; each replay must be refused, whichever worker it reaches (sync
workers take connections from one socket, so about half of them reach the other worker).
"""

from __future__ import annotations

import argparse
import statistics
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from bench import web
from devserver.processes import free_port, start_all, stop_all
from serving.postgres import PostgresServer, bin_dir, why_no_postgres


@dataclass
class Tally:
    lock: threading.Lock = field(default_factory=threading.Lock)
    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    replays_refused: int = 0
    replays_accepted: int = 0

    def add(self, latency: float | None, error: str | None, refused: int, accepted: int) -> None:
        with self.lock:
            if latency is not None:
                self.latencies.append(latency)
            if error is not None:
                self.errors.append(error)
            self.replays_refused += refused
            self.replays_accepted += accepted


def one_sign_in(sp_url: str, tally: Tally) -> None:
    client = web.browser()
    started = time.perf_counter()
    try:
        form = web.full_sign_in(client, sp_url)
    except Exception as exc:  # any failure is counted and reported, never hidden
        tally.add(None, f"{type(exc).__name__}: {exc}"[:300], 0, 0)
        return
    latency = time.perf_counter() - started
    refused = accepted = 0
    for replayer in (client, web.browser()):
        answer = web.post_to_sp(replayer, form)
        if answer.status_code == 303:
            accepted += 1
        else:
            refused += 1
    tally.add(latency, None, refused, accepted)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench load", description=__doc__)
    parser.add_argument("--sign-ins", type=int, default=1000, help="how many (default 1000)")
    parser.add_argument("--concurrency", type=int, default=4, help="browsers at once (4)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers per app (2)")
    parser.add_argument("--budget", type=float, default=600, help="seconds at most (600)")
    args = parser.parse_args(argv)
    if not 1 <= args.sign_ins <= 10_000 or not 1 <= args.concurrency <= 32:
        parser.error("--sign-ins 1..10000, --concurrency 1..32")
    reason = why_no_postgres()
    programs = bin_dir()
    if reason or programs is None:
        parser.error(f"PostgreSQL is needed for the load test: {reason}")
    logs = web.folder()
    postgres = PostgresServer(programs)
    postgres.start()
    sp_url, idp_url = f"http://localhost:{free_port()}", f"http://127.0.0.1:{free_port()}"
    env = {"DATABASE_URL": postgres.url(), "SP_SECRET_KEY": "load", "MOCK_IDP_SECRET_KEY": "load",
           "MOCK_IDP_STORE": str(logs / "mock-store.sqlite3")}  # fmt: skip
    apps = [
        web.mock_app(sp_url, idp_url, logs, workers=args.workers, env=env),
        web.sp_app(sp_url, idp_url, logs, workers=args.workers, env=env),
    ]
    tally = Tally()
    try:
        start_all(apps, timeout=90)
        one_sign_in(sp_url, Tally())  # warm-up: each worker's first request is not measured
        deadline = time.monotonic() + args.budget
        started = time.perf_counter()
        with ThreadPoolExecutor(args.concurrency) as pool:
            futures = []
            for _ in range(args.sign_ins):
                if time.monotonic() > deadline:
                    break
                futures.append(pool.submit(one_sign_in, sp_url, tally))
            for future in futures:
                future.result(timeout=max(1.0, deadline - time.monotonic()) + 30)
        elapsed = time.perf_counter() - started
    finally:
        stop_all(apps)
        postgres.stop()
    return report(args, tally, elapsed)


def report(args: argparse.Namespace, tally: Tally, elapsed: float) -> int:
    done = len(tally.latencies)
    lost = args.sign_ins - done - len(tally.errors)
    ms = sorted(x * 1000 for x in tally.latencies) or [0.0]
    p95 = ms[min(len(ms) - 1, int(len(ms) * 0.95))]
    workers = args.workers
    print(f"load: {args.sign_ins} SP-initiated sign-ins, {args.concurrency} browsers at once, "
          f"SP gunicorn -w {workers} on PostgreSQL, mock gunicorn -w {workers}")  # fmt: skip
    print(f"  signed in: {done}   errors: {len(tally.errors)}   lost: {lost}")
    print(
        f"  replays refused: {tally.replays_refused}   replays accepted: {tally.replays_accepted}"
    )
    print(f"  throughput: {done / elapsed:.1f} sign-ins/s over {elapsed:.1f} s")
    print(f"  latency per sign-in (5 requests + dashboard): p50 {statistics.median(ms):.1f} ms, "
          f"p95 {p95:.1f} ms")  # fmt: skip
    for error in tally.errors[:5]:
        print(f"  error: {error}")
    passed = done == args.sign_ins and not tally.errors and tally.replays_accepted == 0
    print("load: PASS" if passed else "load: FAIL")
    return 0 if passed else 1

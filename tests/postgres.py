"""A throwaway PostgreSQL server for the tests, and the SP's database URL on both backends.

The server is Debian's `postgresql` (installed by scripts/system-deps.sh): `initdb` into a
temporary folder, `pg_ctl start` on a free loopback port, once per test session, stopped and
deleted at the end. PostgreSQL refuses to run as root, so as root it runs as the `postgres`
user. Where no PostgreSQL is installed, the PostgreSQL half of each test is skipped and says
why; the SQLite half always runs.

A test module runs its SP tests on both databases by importing these fixtures
(`from tests.postgres import on_both_databases, postgres_server, postgres_url  # noqa: F401`):
`on_both_databases` is the `sp_database_url` fixture, parametrised, and overrides the
SQLite-only one of tests/conftest.py. Each PostgreSQL test gets a fresh, empty schema,
dropped afterwards.
"""

from __future__ import annotations

import itertools
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

START_TIMEOUT_SECONDS = 60


def _bin_dir() -> Path | None:
    found = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"),
        key=lambda p: int(p.parent.parent.name) if p.parent.parent.name.isdigit() else 0,
    )
    if found:
        return found[-1].parent
    on_path = shutil.which("pg_ctl")
    return Path(on_path).parent if on_path else None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class PostgresServer:
    """One server in a temporary folder on 127.0.0.1; `url(db)` for SQLAlchemy."""

    def __init__(self, bin_dir: Path) -> None:
        self.bin_dir = bin_dir
        self.port = _free_port()
        self.folder = Path(tempfile.mkdtemp(prefix="sp-postgres-"))
        self.data = self.folder / "data"
        self._as: list[str] = []
        if os.geteuid() == 0:  # initdb and postgres refuse root
            self._as = ["runuser", "-u", "postgres", "--"]
            owner = pwd.getpwnam("postgres")
            os.chown(self.folder, owner.pw_uid, owner.pw_gid)
        self._names = itertools.count(1)

    def _run(self, program: str, *args: str) -> None:
        subprocess.run(
            [*self._as, str(self.bin_dir / program), *args],
            check=True,
            capture_output=True,
            text=True,
            timeout=START_TIMEOUT_SECONDS,
        )

    def start(self) -> None:
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8")
        options = (
            f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1"
            # A test server: durability off, so creating a database per test stays cheap.
            " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
            " -c max_connections=200"
        )
        self._run(
            "pg_ctl", "-D", str(self.data), "-o", options, "-l", str(self.folder / "log"), "-w",
            "-t", str(START_TIMEOUT_SECONDS), "start",
        )  # fmt: skip

    def stop(self) -> None:
        try:
            self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)

    def url(self, schema: str | None = None) -> str:
        """The `postgres` database; with `schema`, one whose tables all live in that schema."""
        base = f"postgresql://postgres@127.0.0.1:{self.port}/postgres"
        return f"{base}?options=-csearch_path%3D{schema}" if schema else base

    def _admin(self, statement: str) -> None:
        import psycopg

        with psycopg.connect(self.url(), autocommit=True) as connection:
            connection.execute(statement)  # type: ignore[arg-type]

    def create_schema(self) -> str:
        """A fresh, empty namespace: much cheaper than CREATE DATABASE, just as separate."""
        name = f"sp_test_{os.getpid()}_{next(self._names)}"
        self._admin(f"CREATE SCHEMA {name}")
        return name

    def drop_schema(self, name: str) -> None:
        self._admin(f"DROP SCHEMA IF EXISTS {name} CASCADE")


def why_no_postgres() -> str | None:
    """None when a server can be started here; otherwise the reason, for the skip message."""
    if _bin_dir() is None:
        return (
            "PostgreSQL is not installed (Debian: `apt-get install postgresql`, which "
            "`scripts/system-deps.sh postgresql` does as root)"
        )
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            return "running as root and there is no `postgres` user to run PostgreSQL as"
        if shutil.which("runuser") is None:
            return "running as root and `runuser` is missing"
    try:
        import psycopg  # noqa: F401
    except ImportError:
        return "the psycopg driver is not installed (`pip install 'psycopg[binary]'`)"
    return None


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    reason = why_no_postgres()
    if reason:
        pytest.skip(reason)
    bin_dir = _bin_dir()
    assert bin_dir is not None
    server = PostgresServer(bin_dir)
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def postgres_url(postgres_server: PostgresServer) -> Iterator[str]:
    """A fresh, empty database (a schema of its own) on the session's server; every connection
    a test's engines opened is closed afterwards (else they are garbage-collected while open)."""
    from sqlalchemy import event
    from sqlalchemy.pool import Pool

    opened: list[Any] = []

    def remember(connection: Any, _record: object) -> None:
        opened.append(connection)

    name = postgres_server.create_schema()
    event.listen(Pool, "connect", remember)
    try:
        yield postgres_server.url(name)
    finally:
        event.remove(Pool, "connect", remember)
        for connection in opened:
            connection.close()
        postgres_server.drop_schema(name)


@pytest.fixture(params=["sqlite", "postgresql"], name="sp_database_url")
def on_both_databases(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The SP's DATABASE_URL: a SQLite file, then a fresh PostgreSQL database."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'sp.sqlite3'}"
    url: str = request.getfixturevalue("postgres_url")
    return url

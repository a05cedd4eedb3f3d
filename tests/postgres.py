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

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from serving.postgres import PostgresServer, bin_dir, why_no_postgres


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    reason = why_no_postgres()
    if reason:
        pytest.skip(reason)
    folder = bin_dir()
    assert folder is not None
    server = PostgresServer(folder)
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

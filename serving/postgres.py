"""A throwaway PostgreSQL server on loopback: Debian's `initdb` + `pg_ctl` in a temporary folder.

For the SP's tests (tests/postgres.py) and the load test (`python -m bench load`). PostgreSQL
refuses to run as root, so as root it runs as the `postgres` user (through `runuser`). The
server is tuned for throwaway data: fsync and synchronous commit off.
"""

from __future__ import annotations

import itertools
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

START_TIMEOUT_SECONDS = 60


def bin_dir() -> Path | None:
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

    def __init__(self, programs: Path) -> None:
        self.programs = programs
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
            [*self._as, str(self.programs / program), *args],
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
            connection.execute(statement)

    def create_schema(self) -> str:
        """A fresh, empty namespace: much cheaper than CREATE DATABASE, just as separate."""
        name = f"sp_test_{os.getpid()}_{next(self._names)}"
        self._admin(f"CREATE SCHEMA {name}")
        return name

    def drop_schema(self, name: str) -> None:
        self._admin(f"DROP SCHEMA IF EXISTS {name} CASCADE")


def why_no_postgres() -> str | None:
    """None when a server can be started here; otherwise the reason, for the skip message."""
    if bin_dir() is None:
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

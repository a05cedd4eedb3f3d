"""The database: one engine per app, one SQLAlchemy session per request.

SQLite by default; `DATABASE_URL=postgresql://user@host/db` uses PostgreSQL through psycopg 3
(SQLAlchemy alone would pick psycopg2 for a bare `postgresql://`). Every worker process opens
its own engine: a pool must never cross a fork.
"""

from __future__ import annotations

from pathlib import Path

from flask import Flask, current_app, g
from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from sp.models import Base


def engine_url(url: str) -> str:
    """The SQLAlchemy URL for a DATABASE_URL: `postgresql://` and `postgres://` mean psycopg 3."""
    for scheme in ("postgresql://", "postgres://"):
        if url.startswith(scheme):
            return "postgresql+psycopg://" + url.removeprefix(scheme)
    return url


def make_engine(url: str) -> Engine:
    url = engine_url(url)
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    # pre-ping: a server restart or an idle timeout must cost one reconnect, not one 500.
    engine = create_engine(url, pool_pre_ping=not url.startswith("sqlite"))
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    Base.metadata.create_all(engine)
    return engine


def _sqlite_pragmas(connection: object, _record: object) -> None:
    # WAL lets the threaded server read while another request writes; FKs are off by default.
    cursor = connection.cursor()  # type: ignore[attr-defined]
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


def init_db(app: Flask, url: str) -> None:
    engine = make_engine(url)
    app.extensions["sp_db"] = sessionmaker(engine, expire_on_commit=False)
    app.teardown_appcontext(_close)


def dispose_db(app: Flask) -> None:
    """Close the app's pooled connections (before a fork: each worker opens its own)."""
    factory: sessionmaker[Session] = app.extensions["sp_db"]
    engine = factory.kw["bind"]
    engine.dispose()


def get_db() -> Session:
    if "db" not in g:
        factory: sessionmaker[Session] = current_app.extensions["sp_db"]
        g.db = factory()
    session: Session = g.db
    return session


def _close(_exc: BaseException | None) -> None:
    session = g.pop("db", None)
    if session is not None:
        session.close()

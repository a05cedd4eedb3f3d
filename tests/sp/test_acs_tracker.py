"""Pending request IDs (docs/reference/attacks.md §5 item 9): one browser's, spent on first use."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import Flask
from sqlalchemy import select

from sp.db import get_db
from sp.models import PendingRequest
from sp.saml import tracker
from tests.postgres import on_both_databases, postgres_server, postgres_url  # noqa: F401

TTL = timedelta(minutes=10)


def remember(browser: str, request_id: str, now: datetime, namespace: str = "contoso") -> None:
    tracker.remember(
        get_db(),
        browser_key=browser,
        request_id=request_id,
        namespace=namespace,
        return_to="/dashboard",
        now=now,
        ttl=TTL,
    )


def test_a_browser_gets_only_its_own_requests_once(sp_app: Flask, now: datetime) -> None:
    with sp_app.app_context():
        remember("browser-a", "id-1", now)
        remember("browser-a", "id-2", now)
        remember("browser-b", "id-3", now)
        db = get_db()

        first = tracker.consume(db, browser_key="browser-a", namespace="contoso", now=now)
        second = tracker.consume(db, browser_key="browser-a", namespace="contoso", now=now)

        assert set(first) == {"id-1", "id-2"} and second == {}
        assert tracker.pending_count(db, browser_key="browser-b") == 1


def test_no_cookie_means_nothing_pending(sp_app: Flask, now: datetime) -> None:
    with sp_app.app_context():
        remember("browser-a", "id-1", now)
        assert tracker.consume(get_db(), browser_key=None, namespace="contoso", now=now) == {}


def test_another_namespace_is_not_spent(sp_app: Flask, now: datetime) -> None:
    with sp_app.app_context():
        remember("browser-a", "id-1", now, namespace="fabrikam")
        db = get_db()
        assert tracker.consume(db, browser_key="browser-a", namespace="contoso", now=now) == {}
        assert set(tracker.consume(db, browser_key="browser-a", namespace="fabrikam", now=now)) == {
            "id-1"
        }


def test_an_expired_request_is_spent_but_not_honoured(sp_app: Flask, now: datetime) -> None:
    with sp_app.app_context():
        remember("browser-a", "id-1", now)
        db = get_db()
        later = now + TTL + timedelta(seconds=1)
        assert tracker.consume(db, browser_key="browser-a", namespace="contoso", now=later) == {}
        assert tracker.pending_count(db, browser_key="browser-a") == 0


def test_the_database_never_holds_the_browser_key(sp_app: Flask, now: datetime) -> None:
    with sp_app.app_context():
        remember("browser-secret", "id-1", now)
        stored = get_db().scalars(select(PendingRequest.browser_hash)).all()
        assert stored and all("browser-secret" not in value for value in stored)

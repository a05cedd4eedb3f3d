"""Replay (docs/reference/attacks.md #39): accepted at most once, by two independent layers.

The per-browser tracker spends the request ID on the first POST; the replay cache in the
database refuses a Response or Assertion ID it has seen, in every worker process, even if the
tracker ever failed to spend a request.
"""

from __future__ import annotations

import threading
from datetime import datetime, timedelta

import pytest
from flask import Flask
from sqlalchemy.orm import Session

from sp.app import create_app
from sp.config import SpConfig
from sp.db import get_db, make_engine
from sp.saml import errors, replay, tracker
from tests.attacks.driver import Browser
from tests.conftest import SP_URL
from tests.flows import is_signed_in, post_to_acs
from tests.postgres import on_both_databases, postgres_server, postgres_url  # noqa: F401


def test_the_same_response_twice_in_one_browser(sp_app: Flask, idp_app: Flask) -> None:
    browser = Browser(sp_app, idp_app)
    posted = browser.sign_in()
    assert post_to_acs(browser.sp, posted.saml_response).status_code == 303

    again = post_to_acs(browser.sp, posted.saml_response)

    assert again.status_code == 403 and "does not match a sign-in started" in again.text
    assert browser.whoami() == "Britta Simon"  # the first session is unaffected


@pytest.fixture
def forgetful_tracker(monkeypatch: pytest.MonkeyPatch) -> None:
    """A tracker that finds the request but never spends it: the replay cache must hold alone."""
    kept: dict[str, dict[str, tracker.Pending]] = {}
    spend = tracker.consume

    def consume(db: Session, *, browser_key: str | None, namespace: str, now: datetime):  # type: ignore[no-untyped-def]
        found = spend(db, browser_key=browser_key, namespace=namespace, now=now)
        kept.setdefault(str(browser_key), {}).update(found)
        return dict(kept[str(browser_key)])

    monkeypatch.setattr(tracker, "consume", consume)


@pytest.mark.usefixtures("forgetful_tracker")
def test_the_replay_cache_refuses_what_the_tracker_let_through(
    sp_app: Flask, idp_app: Flask
) -> None:
    browser = Browser(sp_app, idp_app)
    posted = browser.sign_in()
    assert post_to_acs(browser.sp, posted.saml_response).status_code == 303

    again = post_to_acs(browser.sp, posted.saml_response)

    assert again.status_code == 403 and "already been used" in again.text


@pytest.mark.usefixtures("forgetful_tracker")
def test_the_replay_cache_is_shared_by_every_worker(
    sp_app: Flask, idp_app: Flask, sp_database_url: str
) -> None:
    """Two app instances on one database stand for two worker processes."""
    other = create_app(SpConfig(base_url=SP_URL, database_url=sp_database_url, secret_key="tests"))
    browser = Browser(sp_app, idp_app)
    posted = browser.sign_in()
    second_worker = other.test_client()
    cookie = browser.sp.get_cookie(tracker.HOST_COOKIE, path="/")
    assert cookie is not None
    second_worker.set_cookie(tracker.HOST_COOKIE, cookie.value, path="/")
    assert post_to_acs(browser.sp, posted.saml_response).status_code == 303

    again = post_to_acs(second_worker, posted.saml_response)

    assert again.status_code == 403 and "already been used" in again.text
    assert not is_signed_in(second_worker)


def test_an_id_is_accepted_once_until_it_expires(sp_app: Flask, now: datetime) -> None:
    with sp_app.app_context():
        db = get_db()
        replay.accept_once(db, ["response:_r1"], keep_until=now + timedelta(hours=1), now=now)
        with pytest.raises(errors.ReplayedResponse):
            replay.accept_once(db, ["response:_r1"], keep_until=now, now=now)
        later = now + timedelta(hours=2)  # purged once it would have expired anyway
        replay.accept_once(db, ["response:_r1"], keep_until=later + timedelta(hours=1), now=later)


def test_one_of_many_concurrent_attempts_wins(sp_database_url: str, now: datetime) -> None:
    engine = make_engine(sp_database_url)
    outcomes: list[str] = []
    start = threading.Barrier(8)

    def attempt() -> None:
        with Session(engine) as db:
            start.wait()
            try:
                replay.accept_once(
                    db, ["assertion:_a1"], keep_until=now + timedelta(hours=1), now=now
                )
                outcomes.append("accepted")
            except errors.ReplayedResponse:
                outcomes.append("replayed")

    threads = [threading.Thread(target=attempt) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    engine.dispose()
    assert sorted(outcomes) == ["accepted"] + ["replayed"] * 7

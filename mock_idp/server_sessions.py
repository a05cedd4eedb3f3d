"""Server-side sessions for the mock: the cookie holds a random ID, the data lives in the store.

A signed client-side cookie outlives a sign-out: a copy saved before it still opens the
session. Here the cookie names a record in `mock_idp.store`, and clearing the session deletes
that record, so every copy of the cookie dies with it. Every worker of one running mock reads
the same records.

Two cookies, as Entra keeps two kinds of session apart:
- the end user's SSO session (`flask.session`, cookie `idp_session`): SameSite=None, because
  an AuthnRequest POSTed cross-site must still find it; `session.permanent = True` (Entra's
  "Stay signed in? Yes") makes the cookie outlive the browser, otherwise it is a browser-session
  cookie;
- the admin center's session (`admin_sessions`, cookie `idp_admin`): SameSite=Lax, so no other
  site can drive the admin center from a hidden frame or a cross-site form.
"""

from __future__ import annotations

import secrets
from collections.abc import MutableMapping
from datetime import datetime, timedelta
from typing import Any

from flask import Flask, Request, Response
from flask.sessions import SessionInterface, SessionMixin
from werkzeug.datastructures import CallbackDict
from werkzeug.http import parse_cookie

from mock_idp.store import Store

SESSION_KIND = "session"
# Who is signed in, and since when: when either changes (a sign-in, a sign-out, another user),
# the session gets a new ID, so a cookie copied before never shares the session that follows.
# A single sign-on to one more app changes neither: the session keeps its ID.
IDENTITY_FIELDS = ("object_id", "authn_instant")
SESSION_LIFETIME = timedelta(hours=24)  # Entra's SSO session cookie, browser-session or KMSI
# A persistent cookie's expiry slides with use, re-sent at most this often (not on every sign-in).
COOKIE_REFRESH = timedelta(hours=1)


_SESSION_ID = "mock_idp.session_id"  # the WSGI environ key where a request keeps it, once read


def session_id(environ: dict[str, Any], cookie_name: str) -> str:
    """The session ID the request's cookie names ("" when none), parsed once per request: the
    store's per-request reads and the session interface both need it. Read from the Cookie
    header as Flask's `request.cookies` would, without walking every header to find it."""
    found: str | None = environ.get(_SESSION_ID)
    if found is None:
        found = parse_cookie(environ.get("HTTP_COOKIE", "")).get(cookie_name, "")
        environ[_SESSION_ID] = found
    return found


def session_record(sid: str) -> tuple[str, str]:
    """The store record that holds the session a cookie names."""
    return (SESSION_KIND, sid)


def new_session_id() -> str:
    return secrets.token_urlsafe(32)


class ServerSession(CallbackDict[str, Any], SessionMixin):
    """`flask.session`: a dict whose changes are saved to the store after the request."""

    def __init__(
        self,
        initial: MutableMapping[str, Any] | None,
        sid: str | None,
        cookie_sent: str | None = None,
    ) -> None:
        def on_update(_: CallbackDict[str, Any]) -> None:
            self.modified = True

        super().__init__(initial, on_update)
        self.sid = sid
        self.modified = False
        self.rotate = False
        self.identity = self.identity_now()
        # What the browser holds: when its cookie was last sent, and whether it was persistent.
        self.cookie_sent = cookie_sent
        self.cookie_permanent = self.permanent

    def identity_now(self) -> tuple[object, ...]:
        user = self.get("user")
        return tuple(user.get(f) for f in IDENTITY_FIELDS) if isinstance(user, dict) else ()

    def regenerate(self) -> None:
        """Give this session a new ID (at sign-in: a cookie planted before it is worthless)."""
        self.rotate = True
        self.modified = True


class ServerSessionInterface(SessionInterface):
    """Flask's session API over `Store` records keyed by the cookie's random ID."""

    def __init__(self, store: Store, clock: Any, new_sid: Any = None) -> None:
        self._store = store
        self._clock = clock
        self._new_sid = new_sid or new_session_id  # seeded in deterministic mode

    def _now(self) -> datetime:
        moment: datetime = self._clock()
        return moment

    def open_session(self, app: Flask, request: Request) -> ServerSession:
        sid = session_id(request.environ, self.get_cookie_name(app))
        if sid:
            data = self._store.get(*session_record(sid), now=self._now())
            if isinstance(data, dict):
                return ServerSession(data.get("values") or {}, sid, data.get("cookie_sent"))
        return ServerSession(None, None)

    def save_session(self, app: Flask, session: SessionMixin, response: Response) -> None:
        assert isinstance(session, ServerSession)
        name = self.get_cookie_name(app)
        domain = self.get_cookie_domain(app)
        path = self.get_cookie_path(app)
        if not session:
            if session.sid is not None:
                self._store.delete(SESSION_KIND, session.sid, later=True)
                response.delete_cookie(name, domain=domain, path=path)
            return
        if not (session.modified or session.sid is None):
            return
        if session.identity != session.identity_now():
            session.rotate = True
        if session.sid is not None and session.rotate:
            self._store.delete(SESSION_KIND, session.sid, later=True)
            session.sid = None
        new_id = session.sid is None
        session.sid = session.sid or self._new_sid()
        now = self._now()
        send = new_id or _cookie_due(session, now)
        cookie_sent = now.isoformat() if send else session.cookie_sent
        # `permanent` is a key of the session itself.
        record = {"values": dict(session), "cookie_sent": cookie_sent}
        # With the request's other late writes (its sign-in log row), before the answer leaves.
        self._store.put(
            SESSION_KIND, session.sid, record, expires=now + SESSION_LIFETIME, later=True
        )
        if not send:
            return  # the browser holds this very cookie already
        response.set_cookie(
            name,
            session.sid,
            # A permanent session survives the browser; otherwise a browser-session cookie.
            max_age=int(SESSION_LIFETIME.total_seconds()) if session.permanent else None,
            domain=domain,
            path=path,
            secure=self.get_cookie_secure(app),
            httponly=True,
            samesite=self.get_cookie_samesite(app),
        )


def _cookie_due(session: ServerSession, now: datetime) -> bool:
    """Whether the browser needs the (same) cookie again: "Stay signed in?" changed, or a
    persistent cookie's expiry is due to slide.

    The cookie only names the session, so a session that changed keeps the browser's cookie:
    re-sending it on every sign-in cost each answer a Set-Cookie for nothing. A persistent
    cookie is re-sent once an hour at most, so it expires within an hour of the stored session.
    """
    if session.permanent != session.cookie_permanent:
        return True
    if not session.permanent:
        return False  # a browser-session cookie has no expiry to move
    sent = session.cookie_sent
    return sent is None or now - datetime.fromisoformat(sent) >= COOKIE_REFRESH

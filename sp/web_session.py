"""The web side of sign-in sessions: the one accessor every view uses (no loose `session` keys).

Flask's signed cookie keeps only the random session token (and CSRF state); whether that token
still opens a session is decided by the database on every request (`sp/sessions.py`).
"""

from __future__ import annotations

import secrets

from flask import g, session
from flask_login import login_user, logout_user

from sp import sessions
from sp.db import get_db
from sp.members import Member
from sp.sessions import SessionRecord, SsoSession
from sp.state import get_state

TOKEN_KEY = "sid"


def sign_in(member: Member, *, sso: SsoSession | None = None) -> None:
    """A fresh session for `member`: nothing from before survives into it (#60)."""
    end_current()
    session.clear()
    token = secrets.token_urlsafe(32)
    sessions.open_session(
        get_db(), token=token, person_id=member.id, sso=sso, now=get_state().clock()
    )
    session[TOKEN_KEY] = token
    g.pop("sp_session", None)
    login_user(member, fresh=True)


def sign_out() -> None:
    """End this browser's session in the database (a copied cookie dies with it)."""
    end_current()
    logout_user()
    session.clear()


def end_current() -> None:
    sessions.end(get_db(), session.get(TOKEN_KEY))
    g.pop("sp_session", None)


def current() -> SessionRecord | None:
    """This request's session record, or None: looked up once per request."""
    if "sp_session" not in g:
        g.sp_session = sessions.find(get_db(), session.get(TOKEN_KEY), now=get_state().clock())
    record: SessionRecord | None = g.sp_session
    return record


def current_sso() -> SsoSession | None:
    """How Entra signed this session in, or None for a password session."""
    record = current()
    return record.sso if record is not None else None


def token() -> str | None:
    value = session.get(TOKEN_KEY)
    return value if isinstance(value, str) else None

"""The SP's records: organisations, people, SAML settings, pending requests, replay cache, audit."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, DateTime, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class Base(DeclarativeBase):
    pass


class Organisation(Base):
    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(primary_key=True)
    namespace: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    sso_entitled: Mapped[bool] = mapped_column(Boolean, default=False)  # SSO is a paid feature
    require_sso: Mapped[bool] = mapped_column(Boolean, default=False)

    saml: Mapped[SamlSettings | None] = relationship(back_populates="organisation")


class Person(Base):
    __tablename__ = "people"
    # AUTOINCREMENT: a removed person's id is never reused, so a session still holding it
    # cannot wake up as whoever is added next.
    __table_args__ = (UniqueConstraint("organisation_id", "email"), {"sqlite_autoincrement": True})

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    email: Mapped[str] = mapped_column(String(320))  # as entered; matched case-insensitively
    name: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=False)
    is_admin: Mapped[bool] = mapped_column(Boolean, default=False)
    password_hash: Mapped[str | None] = mapped_column(String(200), default=None)

    organisation: Mapped[Organisation] = relationship()


class SamlSettings(Base):
    """What the admin pasted from Entra; the certificates are the only trust anchors."""

    __tablename__ = "saml_settings"

    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), primary_key=True)
    idp_sso_url: Mapped[str] = mapped_column(String(2048))
    idp_entity_id: Mapped[str] = mapped_column(String(2048))
    idp_logout_url: Mapped[str] = mapped_column(String(2048), default="")
    certificate_pem: Mapped[str] = mapped_column(Text)
    previous_certificate_pem: Mapped[str] = mapped_column(Text, default="")  # kept during rollover
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    organisation: Mapped[Organisation] = relationship(back_populates="saml")


class PendingRequest(Base):
    """An AuthnRequest this browser sent, consumed by the first response that claims it."""

    __tablename__ = "pending_requests"

    request_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    browser_hash: Mapped[str] = mapped_column(String(64), index=True)
    namespace: Mapped[str] = mapped_column(String(64))
    return_to: Mapped[str] = mapped_column(String(512))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class SeenId(Base):
    """Replay cache: Response and Assertion IDs accepted once, until they expire anyway."""

    __tablename__ = "seen_ids"

    value: Mapped[str] = mapped_column(String(256), primary_key=True)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)


class AuditEntry(Base):
    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    actor: Mapped[str] = mapped_column(String(320))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    action: Mapped[str] = mapped_column(String(100))
    detail: Mapped[str] = mapped_column(Text, default="")


class SignInSession(Base):
    """A signed-in browser, server-side: the cookie holds a random token, this row its SHA-256.

    Deleting the row ends the session wherever its cookie was copied to (sp/sessions.py).
    """

    __tablename__ = "sign_in_sessions"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    # Set when the session came from SSO: what single logout is matched on, and the record.
    sso_namespace: Mapped[str] = mapped_column(String(64), default="", index=True)
    sso_name_id: Mapped[str] = mapped_column(String(320), default="")
    sso_session_index: Mapped[str] = mapped_column(String(256), default="")
    sso_record: Mapped[str] = mapped_column(Text, default="")  # JSON of sessions.SsoSession
    # "Link your Microsoft account": the AuthnRequest this session sent to bind its person.
    # Indexed: every response at the ACS looks it up (sessions.linking_person), and without the
    # index that is a scan of every live session with its SSO record.
    link_request_id: Mapped[str] = mapped_column(String(128), default="", index=True)


class SsoIdentity(Base):
    """The Entra account a person is bound to: (tenant ID, object ID), never a NameID.

    Set by the first successful SSO sign-in (or by "Link your Microsoft account"); a later
    assertion for the same person with another object ID is refused until an admin re-links.
    """

    __tablename__ = "sso_identities"
    __table_args__ = (UniqueConstraint("organisation_id", "tenant_id", "object_id"),)

    person_id: Mapped[int] = mapped_column(
        ForeignKey("people.id", ondelete="CASCADE"), primary_key=True
    )
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    tenant_id: Mapped[str] = mapped_column(String(64))
    object_id: Mapped[str] = mapped_column(String(64))
    linked_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class AcsAttempt(Base):
    """What the ACS checked on one response, and with what result, under the error id."""

    __tablename__ = "acs_attempts"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)  # the error id on the page
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    person_id: Mapped[int | None] = mapped_column(default=None)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    outcome: Mapped[str] = mapped_column(String(64))  # "signed-in" or the refusal's class
    checks: Mapped[str] = mapped_column(Text)  # JSON list of [name, passed, note]


class PasswordThrottle(Base):
    """Failed password sign-ins per key (an email, or a client address) in a window."""

    __tablename__ = "password_throttle"

    key_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    failures: Mapped[int] = mapped_column(default=0)
    window_start: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)

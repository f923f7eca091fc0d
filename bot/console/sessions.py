"""Server-side console sessions. The cookie carries a random token; the database keeps only its SHA-256,
the user, a CSRF token and two clocks: idle expiry (no request for a while) and absolute expiry (signed in
too long ago, even if active)."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import secrets
from dataclasses import dataclass

from sqlalchemy import delete, or_, select
from sqlalchemy.orm import Session

from bot.db.models import ConsoleSession, User, utcnow

TOUCH_EVERY = dt.timedelta(seconds=30)  # fewer writes: last_seen_at moves at most this often


@dataclass(frozen=True)
class Lifetimes:
    idle: dt.timedelta
    absolute: dt.timedelta

    @classmethod
    def from_env(cls) -> Lifetimes:
        return cls(idle=dt.timedelta(minutes=float(os.environ.get("CONSOLE_IDLE_MINUTES", "30"))),
                   absolute=dt.timedelta(hours=float(os.environ.get("CONSOLE_SESSION_HOURS", "12"))))


def aware(value: dt.datetime) -> dt.datetime:
    """SQLite returns naive datetimes for timezone-aware columns; everything here is UTC."""
    return value if value.tzinfo else value.replace(tzinfo=dt.timezone.utc)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def start(session: Session, user: User, now: dt.datetime | None = None) -> tuple[str, ConsoleSession]:
    """A new session (never a reused one: no fixation). Returns the cookie token, shown only this once."""
    now = now or utcnow()
    token = secrets.token_urlsafe(32)
    row = ConsoleSession(token_hash=token_hash(token), user_id=user.id, csrf_token=secrets.token_urlsafe(32),
                         created_at=now, last_seen_at=now)
    session.add(row)
    session.flush()
    return token, row


def lookup(session: Session, token: str | None, lifetimes: Lifetimes,
           now: dt.datetime | None = None) -> ConsoleSession | None:
    """The live session of an active user for this token, its idle clock renewed; None otherwise."""
    if not token or len(token) > 128:
        return None
    now = now or utcnow()
    row = session.execute(select(ConsoleSession).where(ConsoleSession.token_hash == token_hash(token))
                          ).scalar_one_or_none()
    if row is None:
        return None
    if (not row.user.active or now - aware(row.last_seen_at) > lifetimes.idle
            or now - aware(row.created_at) > lifetimes.absolute):
        session.delete(row)
        return None
    if now - aware(row.last_seen_at) >= TOUCH_EVERY:
        row.last_seen_at = now
    return row


def end(session: Session, token: str | None) -> None:
    if token:
        session.execute(delete(ConsoleSession).where(ConsoleSession.token_hash == token_hash(token)))


def prune(session: Session, lifetimes: Lifetimes, now: dt.datetime | None = None) -> None:
    now = now or utcnow()
    session.execute(delete(ConsoleSession).where(or_(ConsoleSession.last_seen_at < now - lifetimes.idle,
                                                     ConsoleSession.created_at < now - lifetimes.absolute)))

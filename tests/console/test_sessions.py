"""Server-side sessions: only a hash stored, idle and absolute expiry, disabled users signed out."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from bot.console import sessions, users
from bot.db.engine import session_scope
from bot.db.models import ConsoleSession

LIFETIMES = sessions.Lifetimes(idle=dt.timedelta(minutes=30), absolute=dt.timedelta(hours=12))
T0 = dt.datetime(2026, 11, 30, 8, 0, tzinfo=dt.timezone.utc)


def new_session(db_url: str) -> str:
    with session_scope(db_url) as db:
        user = users.add(db, "anna", "correct horse battery", "agent", ["contracts-RO"])
        token, _ = sessions.start(db, user, now=T0)
    return token


def test_only_the_hash_of_the_token_is_stored(db_url: str) -> None:
    token = new_session(db_url)
    with session_scope(db_url) as db:
        row = db.execute(select(ConsoleSession)).scalar_one()
        assert row.token_hash == sessions.token_hash(token) and token not in (row.token_hash, row.csrf_token)
        assert len(token) >= 40 and len(row.csrf_token) >= 40
        found = sessions.lookup(db, token, LIFETIMES, now=T0 + dt.timedelta(minutes=1))
        assert found is not None and found.user.name == "anna"
        assert sessions.lookup(db, token + "x", LIFETIMES, now=T0) is None
        assert sessions.lookup(db, None, LIFETIMES, now=T0) is None


def test_idle_expiry_renewed_by_activity(db_url: str) -> None:
    token = new_session(db_url)
    with session_scope(db_url) as db:
        assert sessions.lookup(db, token, LIFETIMES, now=T0 + dt.timedelta(minutes=29)) is not None
        assert sessions.lookup(db, token, LIFETIMES, now=T0 + dt.timedelta(minutes=58)) is not None  # renewed
        assert sessions.lookup(db, token, LIFETIMES, now=T0 + dt.timedelta(minutes=89)) is None
        assert db.execute(select(ConsoleSession)).first() is None  # an expired session is deleted


def test_absolute_expiry_even_when_active(db_url: str) -> None:
    token = new_session(db_url)
    with session_scope(db_url) as db:
        for minutes in range(20, 12 * 60, 20):
            assert sessions.lookup(db, token, LIFETIMES, now=T0 + dt.timedelta(minutes=minutes)) is not None
        assert sessions.lookup(db, token, LIFETIMES, now=T0 + dt.timedelta(hours=12, minutes=1)) is None


def test_sign_out_and_disabled_account(db_url: str) -> None:
    token = new_session(db_url)
    with session_scope(db_url) as db:
        sessions.end(db, token)
        assert sessions.lookup(db, token, LIFETIMES, now=T0) is None
        user = users.find(db, "anna")
        assert user is not None
        token, _ = sessions.start(db, user, now=T0)
        user.active = False
        assert sessions.lookup(db, token, LIFETIMES, now=T0) is None

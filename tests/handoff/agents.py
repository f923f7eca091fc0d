"""Console accounts for handoff tests (escalations and presence refer to users.id)."""

from __future__ import annotations

import datetime as dt
import secrets

from bot.db.engine import session_scope
from bot.db.models import ConsoleSession, User


def add_agents(url: str, *ids: int, queues: list[str] | None = None) -> None:
    """Agents with these ids; the password hash is a placeholder: these tests never sign in."""
    with session_scope(url) as session:
        for agent_id in ids:
            if session.get(User, agent_id) is not None:
                continue
            session.add(User(id=agent_id, name=f"agent{agent_id}", display_name=f"Agent {agent_id}", role="agent",
                             queues=queues or [], password_hash="not-a-hash", active=True))


def signed_in(url: str, *ids: int) -> None:
    """A console session opened now (real clock) for each agent, as an agent who claims has one: without it
    the web server's sweeper (every HANDOFF_SWEEP_SECONDS) rightly releases the claim mid-test."""
    add_agents(url, *ids)
    now = dt.datetime.now(dt.timezone.utc)
    with session_scope(url) as session:
        for agent_id in ids:
            session.add(ConsoleSession(token_hash=secrets.token_hex(32), user_id=agent_id, csrf_token="x",
                                       created_at=now, last_seen_at=now))

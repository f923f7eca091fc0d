"""Console accounts for handoff tests (escalations and presence refer to users.id)."""

from __future__ import annotations

from bot.db.engine import session_scope
from bot.db.models import User


def add_agents(url: str, *ids: int, queues: list[str] | None = None) -> None:
    """Agents with these ids; the password hash is a placeholder: these tests never sign in."""
    with session_scope(url) as session:
        for agent_id in ids:
            if session.get(User, agent_id) is not None:
                continue
            session.add(User(id=agent_id, name=f"agent{agent_id}", display_name=f"Agent {agent_id}", role="agent",
                             queues=queues or [], password_hash="not-a-hash", active=True))

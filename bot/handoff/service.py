"""Escalation lifecycle: waiting -> claimed -> returned | resolved (or waiting -> cancelled), with an audit
row for every change.

Synchronous SQLAlchemy; the caller passes the session and owns the transaction (`bot.db.engine.session_scope`).
Status changes are conditional UPDATEs (`... WHERE status = 'waiting'`): the database decides which of two
concurrent claims matches the row, so exactly one wins on SQLite (one writer at a time) and PostgreSQL (the
second UPDATE waits for the first's row lock, then re-checks the condition and matches nothing).
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Iterable

from sqlalchemy import func, select, text, update
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.db.models import utcnow
from bot.handoff.models import (
    CANCELLED,
    CLAIMED,
    OPEN_STATUSES,
    REASONS,
    RESOLVED,
    RETURNED,
    WAITING,
    AgentPresence,
    Escalation,
    EscalationEvent,
)

HEARTBEAT_TTL = dt.timedelta(seconds=30)  # an agent whose console has not called in for longer is away
MAX_MESSAGE_CHARS = 2000
ASSISTANT = "assistant"
CUSTOMER = "customer"


def agent_actor(agent_id: int) -> str:
    return f"agent:{agent_id}"


def _utc(moment: dt.datetime | None) -> dt.datetime:
    """Aware UTC; SQLite hands back naive datetimes, which are UTC here because only UTC is written."""
    moment = moment or utcnow()
    return moment.replace(tzinfo=dt.timezone.utc) if moment.tzinfo is None else moment.astimezone(dt.timezone.utc)


def has_open_escalation(connection: Connection, conversation_id: str) -> bool:
    """Whether the conversation is with (or waits for) a colleague: one indexed lookup without an ORM session,
    asked on every customer message (the ORM query cost a Rasa server a tenth of a core under FAQ load)."""
    # Plain SQL from the model's own names (a Core select of the same predicate costs 4x: 0.18 against 0.04 ms).
    statuses = ", ".join(f"'{status}'" for status in OPEN_STATUSES)  # constants, not input
    query = text(f"SELECT 1 FROM {Escalation.__tablename__} WHERE {Escalation.conversation_id.key} = :conversation "
                 f"AND {Escalation.status.key} IN ({statuses}) LIMIT 1")
    return connection.execute(query, {"conversation": conversation_id}).first() is not None


def active_escalation(session: Session, conversation_id: str) -> Escalation | None:
    """The conversation's waiting or claimed escalation: while there is one, the assistant stays silent."""
    return session.execute(
        select(Escalation).where(Escalation.conversation_id == conversation_id,
                                 Escalation.status.in_(OPEN_STATUSES))
    ).scalar_one_or_none()


def create_escalation(session: Session, *, conversation_id: str, language: str, country: str, queue: str,
                      reason: str, last_message: str | None, now: dt.datetime | None = None) -> Escalation:
    """A new waiting escalation, or the conversation's open one (a conversation waits in one queue only)."""
    if reason not in REASONS:
        raise ValueError(f"unknown escalation reason {reason!r}")
    existing = active_escalation(session, conversation_id)
    if existing is not None:
        return existing
    moment = _utc(now)
    escalation = Escalation(conversation_id=conversation_id, language=language, country=country, queue=queue,
                            reason=reason, status=WAITING, created_at=moment, last_activity_at=moment,
                            last_customer_message=(last_message or "")[:MAX_MESSAGE_CHARS] or None)
    try:
        with session.begin_nested():
            session.add(escalation)
            session.flush()
            session.add(EscalationEvent(escalation_id=escalation.id, old_status=None, new_status=WAITING,
                                        actor=ASSISTANT, note=reason, changed_at=moment))
            session.flush()
    except IntegrityError:
        # A concurrent turn of the same conversation escalated first (unique open escalation per conversation).
        winner = active_escalation(session, conversation_id)
        if winner is None:
            raise
        return winner
    return escalation


def queue_position(session: Session, escalation: Escalation) -> int:
    """1 for the next conversation an agent of the queue will take."""
    ahead = session.execute(
        select(func.count()).select_from(Escalation).where(
            Escalation.queue == escalation.queue, Escalation.status == WAITING, Escalation.id < escalation.id)
    ).scalar_one()
    return int(ahead) + 1


def waiting(session: Session, queues: Iterable[str]) -> list[Escalation]:
    """Waiting escalations of these queues, longest waiting first."""
    names = list(queues)
    if not names:
        return []
    return list(session.execute(
        select(Escalation).where(Escalation.queue.in_(names), Escalation.status == WAITING).order_by(Escalation.id)
    ).scalars())


def _transition(session: Session, escalation_id: int, *, from_status: str, to_status: str, actor: str,
                values: dict[str, Any], agent_id: int | None = None, note: str | None = None,
                now: dt.datetime | None = None) -> bool:
    """One conditional UPDATE plus its audit row; False when the escalation was not in `from_status`."""
    condition = [Escalation.id == escalation_id, Escalation.status == from_status]
    if agent_id is not None and from_status == CLAIMED:
        condition.append(Escalation.agent_id == agent_id)  # only the agent who claimed it hands it on
    moment = _utc(now)
    result = session.execute(
        update(Escalation).where(*condition)
        .values(status=to_status, last_activity_at=moment, **values)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        return False
    session.add(EscalationEvent(escalation_id=escalation_id, old_status=from_status, new_status=to_status,
                                actor=actor, note=note, changed_at=moment))
    session.flush()
    session.expire_all()  # objects loaded earlier must see the new status
    return True


def claim(session: Session, escalation_id: int, agent_id: int, now: dt.datetime | None = None) -> bool:
    """True for exactly one of any number of agents claiming the same waiting escalation."""
    moment = _utc(now)
    return _transition(session, escalation_id, from_status=WAITING, to_status=CLAIMED, actor=agent_actor(agent_id),
                       values={"agent_id": agent_id, "claimed_at": moment}, now=moment)


def hand_back(session: Session, escalation_id: int, agent_id: int, now: dt.datetime | None = None) -> bool:
    """The claiming agent returns the conversation to the assistant."""
    moment = _utc(now)
    return _transition(session, escalation_id, from_status=CLAIMED, to_status=RETURNED, actor=agent_actor(agent_id),
                       values={"closed_at": moment}, agent_id=agent_id, now=moment)


def resolve(session: Session, escalation_id: int, agent_id: int, note: str,
            now: dt.datetime | None = None) -> bool:
    """Closes with a note: the claiming agent, or any agent of the queue while it is still waiting."""
    moment = _utc(now)
    note = note.strip()[:MAX_MESSAGE_CHARS]
    values = {"closed_at": moment, "note": note or None}
    if _transition(session, escalation_id, from_status=CLAIMED, to_status=RESOLVED, actor=agent_actor(agent_id),
                   values=values, agent_id=agent_id, note=note or None, now=moment):
        return True
    return _transition(session, escalation_id, from_status=WAITING, to_status=RESOLVED, actor=agent_actor(agent_id),
                       values={**values, "agent_id": agent_id}, note=note or None, now=moment)


def cancel(session: Session, escalation_id: int, actor: str = CUSTOMER, note: str | None = None,
           now: dt.datetime | None = None) -> bool:
    """The customer leaves the queue (or the system gives up waiting); only while nobody has claimed it."""
    return _transition(session, escalation_id, from_status=WAITING, to_status=CANCELLED, actor=actor,
                       values={"closed_at": _utc(now)}, note=note, now=now)


def heartbeat(session: Session, agent_id: int, queues: Iterable[str], now: dt.datetime | None = None) -> None:
    """The console calls this while an agent has it open (every ~10 s)."""
    moment, names = _utc(now), sorted(set(queues))
    presence = session.get(AgentPresence, agent_id)
    if presence is not None:
        presence.queues, presence.last_seen = names, moment
        session.flush()
        return
    try:
        with session.begin_nested():
            session.add(AgentPresence(user_id=agent_id, queues=names, last_seen=moment))
    except IntegrityError:  # the same agent's other tab was first
        heartbeat(session, agent_id, names, moment)


def agent_available(session: Session, queue: str, now: dt.datetime | None = None) -> bool:
    """Whether an agent of this queue has the console open (heartbeat within the last 30 s)."""
    since = _utc(now) - HEARTBEAT_TTL
    recent = session.execute(select(AgentPresence.queues).where(AgentPresence.last_seen >= since)).scalars()
    return any(queue in (queues or []) for queues in recent)


def record_customer_message(session: Session, conversation_id: str, text: str,
                            now: dt.datetime | None = None) -> Escalation | None:
    """Notes the customer's latest message on the open escalation (the queue view shows it)."""
    escalation = active_escalation(session, conversation_id)
    if escalation is None:
        return None
    escalation.last_customer_message = text[:MAX_MESSAGE_CHARS]
    escalation.last_activity_at = _utc(now)
    session.flush()
    return escalation


def summary(escalation: Escalation) -> dict[str, Any]:
    """JSON-ready fields for the bus and the console."""
    def iso(moment: dt.datetime | None) -> str | None:
        return _utc(moment).isoformat() if moment else None

    return {"id": escalation.id, "conversation_id": escalation.conversation_id, "language": escalation.language,
            "country": escalation.country, "queue": escalation.queue, "reason": escalation.reason,
            "status": escalation.status, "agent_id": escalation.agent_id, "created_at": iso(escalation.created_at),
            "claimed_at": iso(escalation.claimed_at), "closed_at": iso(escalation.closed_at),
            "last_customer_message": escalation.last_customer_message,
            "last_activity_at": iso(escalation.last_activity_at), "note": escalation.note}

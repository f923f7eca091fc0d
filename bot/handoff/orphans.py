"""Conversations left behind when the agent who claimed them is gone (runs in the web/console server).

A claimed conversation stays paused for as long as its escalation is open - also across Rasa's session
expiry (action_session_start re-applies the pause). If the claiming agent's console sessions have all
expired (idle or absolute expiry, sign-out, or the account was deactivated), nobody would ever answer. The
sweeper finds such claims and releases each one, audited with actor "system":

- back to its queue when another agent of the queue is available (a console heartbeat within 30 s) and the
  country's support is open: the customer is told, in their language, that they wait again and their place;
  the conversation stays paused and the widget shows its waiting state again;
- otherwise back to the assistant: the customer is told their colleague is no longer available, then the
  assistant greets them (the hand-back events), so nobody waits for an agent who will not come.

Every release is a conditional UPDATE (`WHERE status = 'claimed' AND agent_id = …`): several web servers may
sweep at once, exactly one releases a conversation and talks to the customer.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from dataclasses import dataclass
from typing import Any, Callable, Dict, List

from sqlalchemy import and_, exists, not_, select, update
from sqlalchemy.orm import Session

from bot.console.sessions import Lifetimes
from bot.db.models import ConsoleSession, User
from bot.handoff import rasa_api, service
from bot.handoff.bus import EventBus, conversation_topic, publish_quietly, queue_topic
from bot.handoff.models import CLAIMED, RETURNED, WAITING, AgentPresence, Escalation, EscalationEvent
from bot.hours import current_time, locale_status
from bot.locales import resolve_locale

logger = logging.getLogger(__name__)
SYSTEM = "system"
NOTE = "the agent's console session expired"


@dataclass(frozen=True)
class Release:
    escalation: Dict[str, Any]
    agent_name: str
    requeued: bool
    position: int | None = None


def orphaned(session: Session, lifetimes: Lifetimes, now: dt.datetime) -> List[Escalation]:
    """Claimed escalations whose agent has no live console session (or is deactivated)."""
    live = exists().where(and_(ConsoleSession.user_id == Escalation.agent_id,
                               ConsoleSession.last_seen_at >= now - lifetimes.idle,
                               ConsoleSession.created_at >= now - lifetimes.absolute))
    active = exists().where(and_(User.id == Escalation.agent_id, User.active.is_(True)))
    return list(session.execute(select(Escalation).where(Escalation.status == CLAIMED,
                                                         not_(and_(live, active)))
                                .order_by(Escalation.id)).scalars())


def _other_agent_available(session: Session, queue: str, gone: int | None, now: dt.datetime) -> bool:
    since = now - service.HEARTBEAT_TTL
    rows = session.execute(select(AgentPresence.user_id, AgentPresence.queues)
                           .where(AgentPresence.last_seen >= since)).all()
    return any(queue in (queues or []) and user_id != gone for user_id, queues in rows)


def _support_open(escalation: Escalation, now: dt.datetime) -> bool:
    locale = resolve_locale(escalation.language, escalation.country)
    hours = locale_status(locale.facts, locale.timezone, now)
    return bool(hours is not None and hours.open_now)


def release(session: Session, escalation: Escalation, now: dt.datetime) -> Release | None:
    """Gives one orphaned claim back to its queue or to the assistant; None when something else already
    changed it (the agent came back and handed it on, another sweeper was first)."""
    now = service._utc(now)  # SQLite compares the stored UTC text: never bind another offset
    agent_id = escalation.agent_id
    agent = session.get(User, agent_id) if agent_id is not None else None
    name = agent.display_name if agent is not None else ""
    requeue = _other_agent_available(session, escalation.queue, agent_id, now) and _support_open(escalation, now)
    target = WAITING if requeue else RETURNED
    values: Dict[str, Any] = ({"agent_id": None, "claimed_at": None} if requeue else {"closed_at": now})
    moment = now
    changed = session.execute(
        update(Escalation).where(Escalation.id == escalation.id, Escalation.status == CLAIMED,
                                 Escalation.agent_id == agent_id)
        .values(status=target, last_activity_at=moment, **values).execution_options(synchronize_session=False))
    if changed.rowcount != 1:
        return None
    session.add(EscalationEvent(escalation_id=escalation.id, old_status=CLAIMED, new_status=target, actor=SYSTEM,
                                note=NOTE, changed_at=moment))
    session.flush()
    session.expire_all()
    current = session.get(Escalation, escalation.id)
    assert current is not None
    position = service.queue_position(session, current) if requeue else None
    return Release(service.summary(current), name, requeue, position)


def _note(escalation: Dict[str, Any], key: str, **values: Any) -> str:
    locale = resolve_locale(str(escalation["language"]), escalation.get("country"))
    text = str((locale.labels.get("handoff_notes") or {})[key])
    for name, value in values.items():
        text = text.replace("{" + name + "}", str(value))
    return text


def customer_events(done: Release) -> List[Dict[str, Any]]:
    """What the customer's conversation gets: the note in their language, and the assistant back unless they
    wait again (then the note carries the widget's waiting marker and their place in the queue)."""
    escalation = done.escalation
    if done.requeued:
        from bot.formatting import number

        locale = resolve_locale(str(escalation["language"]), escalation.get("country"))
        text = _note(escalation, "agent_gone_queue", position=number(done.position or 1, locale.code))
        return [{"event": "bot", "text": text, "timestamp": rasa_api._now(), "data": {},
                 "metadata": {"handoff": WAITING, "queue_position": done.position}}]
    note = {"event": "bot", "text": _note(escalation, "agent_gone_assistant"), "timestamp": rasa_api._now(),
            "data": {}, "metadata": {}}
    events = rasa_api.resume_events(str(escalation["language"]), escalation.get("country"),
                                    agent=done.agent_name or None)
    marker = [e for e in events if (e.get("metadata") or {}).get("agent")]
    return marker + [note] + [e for e in events if e not in marker]


def sweep_once(lifetimes: Lifetimes, now: dt.datetime | None = None,
               clock: Callable[[], dt.datetime] = current_time) -> List[Release]:
    """Sessions expire on the real clock (`now`); presence and support hours are read on the assistant's
    clock (`clock`: the test clock in browser tests, as the console's heartbeat writes it)."""
    from bot.db.engine import session_scope

    now = now or dt.datetime.now(dt.timezone.utc)
    released = []
    with session_scope() as session:
        for escalation in orphaned(session, lifetimes, now):
            done = release(session, escalation, clock())
            if done is not None:
                released.append(done)
    return released


async def tell(done: Release, bus: EventBus | None, api: rasa_api.RasaApi | None = None) -> None:
    """The customer's note (and the assistant back), and the console's views updated."""
    conversation = str(done.escalation["conversation_id"])
    try:
        await (api or rasa_api.RasaApi.from_env()).append_events(conversation, customer_events(done))
    except Exception as error:  # noqa: BLE001 - the state is decided; the widget's history call shows it later
        logger.warning("Could not tell %s that their colleague left: %s", conversation, error)
    if bus is not None:
        kind = "escalation_waiting" if done.requeued else "escalation_closed"
        await publish_quietly(bus, queue_topic(str(done.escalation["queue"])), {"type": kind,
                                                                             "escalation": done.escalation})
        await publish_quietly(bus, conversation_topic(conversation), {"type": kind, "escalation": done.escalation})


async def sweep_forever(bus: EventBus | None, every_s: float) -> None:
    """The web server's background task: one sweep every `every_s` seconds, errors logged, never fatal."""
    while True:
        try:
            for done in await asyncio.to_thread(sweep_once, Lifetimes.from_env()):
                logger.info("Escalation %s released (%s): its agent's session expired", done.escalation["id"],
                            "back to the queue" if done.requeued else "back to the assistant")
                await tell(done, bus)
        except Exception:  # noqa: BLE001 - a database hiccup must not stop the sweeper
            logger.exception("Handoff sweep failed")
        await asyncio.sleep(every_s)

"""Claims whose agent's console session expired (SQLite and PostgreSQL): back to the queue when another agent
of the queue is there and support is open, else back to the assistant; what the customer is told, in their
language; claims of agents still signed in are left alone; one release per claim."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from bot.console.sessions import Lifetimes
from bot.db.engine import session_scope
from bot.db.models import ConsoleSession, User
from bot.handoff import orphans, service
from bot.handoff.models import Escalation, EscalationEvent
from bot.locales import load_locales
from bot.render import render
from tests.handoff.agents import add_agents

LOCALES = load_locales()
NOW = dt.datetime(2026, 11, 30, 8, 0, tzinfo=dt.timezone.utc)  # Monday 10:00 in Romania: support is open
ROMANIAN_NOW = NOW.astimezone(dt.timezone(dt.timedelta(hours=2)))  # the test clock's form (CLOCK_OVERRIDE)
SUNDAY = dt.datetime(2026, 11, 29, 8, 0, tzinfo=dt.timezone.utc)
LIFETIMES = Lifetimes(idle=dt.timedelta(minutes=30), absolute=dt.timedelta(hours=12))


def claimed(url: str, conversation: str, agent: int, session_seen: dt.datetime | None) -> int:
    """A conversation claimed by `agent`, whose console session was last seen then (None: no session)."""
    add_agents(url, 7, 8, 9)
    with session_scope(url) as db:
        escalation = service.create_escalation(db, conversation_id=conversation, language="ro", country="RO",
                                               queue="contracts-RO", reason="customer_request", last_message="un om",
                                               now=NOW - dt.timedelta(hours=1))
        assert service.claim(db, escalation.id, agent, now=NOW - dt.timedelta(minutes=50))
        if session_seen is not None:
            db.add(ConsoleSession(token_hash=f"{conversation:0<64}"[:64], user_id=agent, csrf_token="x",
                                  created_at=session_seen - dt.timedelta(minutes=5), last_seen_at=session_seen))
        return int(escalation.id)


def sweep(url: str, clock: dt.datetime = NOW) -> list[orphans.Release]:
    return orphans.sweep_once(LIFETIMES, now=NOW, clock=lambda: clock)


def row(url: str, escalation_id: int) -> tuple[str, int | None]:
    with session_scope(url) as db:
        escalation = db.get(Escalation, escalation_id)
        return escalation.status, escalation.agent_id


def audit(url: str, escalation_id: int) -> tuple[str, str, str]:
    with session_scope(url) as db:
        last = db.execute(select(EscalationEvent).where(EscalationEvent.escalation_id == escalation_id)
                          .order_by(EscalationEvent.id.desc())).scalars().first()
        return last.old_status, last.new_status, last.actor


def test_back_to_the_queue_when_another_agent_is_there(db_url: str) -> None:
    gone = claimed(db_url, "orphan-q", 7, NOW - dt.timedelta(minutes=31))  # idle expiry passed
    with session_scope(db_url) as db:
        service.heartbeat(db, 8, ["contracts-RO"], now=NOW)
    released = sweep(db_url, clock=ROMANIAN_NOW)  # the same moment with another offset
    assert [(r.escalation["id"], r.requeued, r.position, r.agent_name) for r in released] == [
        (gone, True, 1, "Agent 7")]
    assert row(db_url, gone) == ("waiting", None)
    assert audit(db_url, gone) == ("claimed", "waiting", "system")
    [note] = orphans.customer_events(released[0])
    expected = LOCALES["ro-RO"].labels["handoff_notes"]["agent_gone_queue"].replace("{position}", "1")
    assert (note["event"], note["text"], note["metadata"]) == ("bot", expected,
                                                              {"handoff": "waiting", "queue_position": 1})
    assert sweep(db_url) == []  # waiting now: nothing more to release


def test_back_to_the_assistant_when_nobody_else_can_take_it(db_url: str) -> None:
    alone = claimed(db_url, "orphan-a", 7, None)  # signed out: no session at all
    other_closed = claimed(db_url, "orphan-sunday", 9, NOW - dt.timedelta(hours=13))  # absolute expiry
    with session_scope(db_url) as db:
        service.heartbeat(db, 8, ["contracts-BE"], now=NOW)  # someone, but for another queue
    released = {r.escalation["conversation_id"]: r for r in sweep(db_url)}
    assert set(released) == {"orphan-a", "orphan-sunday"}
    assert row(db_url, alone) == ("returned", 7) and row(db_url, other_closed) == ("returned", 9)
    assert audit(db_url, alone) == ("claimed", "returned", "system")
    events = orphans.customer_events(released["orphan-a"])
    assert [e["event"] for e in events] == ["bot", "bot", "resume", "bot", "action"]
    assert events[0]["metadata"] == {"agent": "Agent 7", "handoff": "left"}
    assert events[1]["text"] == LOCALES["ro-RO"].labels["handoff_notes"]["agent_gone_assistant"]
    assert events[3]["text"] == render(LOCALES["ro-RO"], "utter_handoff_back").text


def test_outside_support_hours_it_goes_back_to_the_assistant(db_url: str) -> None:
    escalation = claimed(db_url, "orphan-closed", 7, None)
    with session_scope(db_url) as db:
        service.heartbeat(db, 8, ["contracts-RO"], now=SUNDAY)
    assert [r.requeued for r in sweep(db_url, clock=SUNDAY)] == [False]
    assert row(db_url, escalation)[0] == "returned"


def test_claims_of_signed_in_agents_stay_and_deactivated_ones_are_released(db_url: str) -> None:
    kept = claimed(db_url, "still-here", 7, NOW - dt.timedelta(minutes=5))
    deactivated = claimed(db_url, "deactivated", 8, NOW - dt.timedelta(minutes=5))
    with session_scope(db_url) as db:
        db.get(User, 8).active = False
    assert [r.escalation["id"] for r in sweep(db_url)] == [deactivated]
    assert row(db_url, kept) == ("claimed", 7)


def test_a_claim_handed_on_meanwhile_is_not_released_twice(db_url: str) -> None:
    escalation = claimed(db_url, "raced", 7, None)
    with session_scope(db_url) as db:
        found = orphans.orphaned(db, LIFETIMES, NOW)
        assert [e.id for e in found] == [escalation]
        assert service.hand_back(db, escalation, 7)  # the agent came back and handed it back first
        assert orphans.release(db, found[0], NOW) is None
    assert row(db_url, escalation)[0] == "returned"


@pytest.mark.parametrize("key", ["agent_gone_queue", "agent_gone_assistant"])
def test_every_locale_has_the_notes(key: str) -> None:
    for code, locale in LOCALES.items():
        text = locale.labels["handoff_notes"][key]
        assert text.strip() and ("{position}" in text) == (key == "agent_gone_queue"), code

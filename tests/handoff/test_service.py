"""Escalation service on SQLite and PostgreSQL (db_url): lifecycle, audit, queue order, presence, races."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from sqlalchemy import select

from bot.db.engine import session_scope
from bot.handoff import service
from bot.handoff.models import Escalation, EscalationEvent
from tests.handoff.agents import add_agents

T0 = dt.datetime(2026, 11, 30, 9, 0, tzinfo=dt.timezone.utc)


@pytest.fixture(autouse=True)
def agents(db_url: str) -> None:
    add_agents(db_url, *range(1, 12))


def escalate(url: str, conversation: str, queue: str = "contracts-RO", reason: str = "customer_request",
             now: dt.datetime = T0) -> int:
    with session_scope(url) as session:
        escalation = service.create_escalation(session, conversation_id=conversation, language="ro", country="RO",
                                               queue=queue, reason=reason, last_message="Vreau un om", now=now)
        return int(escalation.id)


def audit(url: str, escalation_id: int) -> list[tuple[str | None, str, str]]:
    with session_scope(url) as session:
        rows = session.execute(select(EscalationEvent).where(EscalationEvent.escalation_id == escalation_id)
                               .order_by(EscalationEvent.id)).scalars()
        return [(r.old_status, r.new_status, r.actor) for r in rows]


def test_lifecycle_claim_hand_back_is_audited(db_url: str) -> None:
    first = escalate(db_url, "c-1")
    assert escalate(db_url, "c-1") == first  # one open escalation per conversation
    with session_scope(db_url) as session:
        assert service.claim(session, first, agent_id=7, now=T0 + dt.timedelta(minutes=2))
        assert not service.claim(session, first, agent_id=8)
        assert not service.hand_back(session, first, agent_id=8)  # not the claiming agent
        assert service.hand_back(session, first, agent_id=7)
        assert service.active_escalation(session, "c-1") is None
        row = session.get(Escalation, first)
        assert (row.status, row.agent_id, row.reason) == ("returned", 7, "customer_request")
        assert row.claimed_at is not None and row.closed_at is not None
    assert audit(db_url, first) == [(None, "waiting", "assistant"), ("waiting", "claimed", "agent:7"),
                                    ("claimed", "returned", "agent:7")]
    assert escalate(db_url, "c-1") != first  # a later escalation of the same conversation is a new one


def test_resolve_with_note(db_url: str) -> None:
    claimed, unclaimed = escalate(db_url, "c-2"), escalate(db_url, "c-3")
    with session_scope(db_url) as session:
        assert service.claim(session, claimed, agent_id=1)
        assert not service.resolve(session, claimed, agent_id=2, note="not mine")
        assert service.resolve(session, claimed, agent_id=1, note="  Copy sent by e-mail ")
        assert service.resolve(session, unclaimed, agent_id=2, note="customer left")
        assert session.get(Escalation, claimed).note == "Copy sent by e-mail"
        assert session.get(Escalation, unclaimed).status == "resolved"
    assert audit(db_url, claimed)[-1] == ("claimed", "resolved", "agent:1")
    assert audit(db_url, unclaimed)[-1] == ("waiting", "resolved", "agent:2")


def test_the_customer_cancels_only_while_waiting(db_url: str) -> None:
    waiting, claimed = escalate(db_url, "c-4"), escalate(db_url, "c-5")
    with session_scope(db_url) as session:
        assert service.claim(session, claimed, agent_id=3)
        assert not service.cancel(session, claimed)  # a colleague has it: the message goes to them
        assert service.cancel(session, waiting, note="left the queue")
        assert not service.cancel(session, waiting)  # once
        assert service.active_escalation(session, "c-4") is None
        assert [e.id for e in service.waiting(session, ["contracts-RO"])] == []
        row = session.get(Escalation, waiting)
        assert (row.status, row.agent_id) == ("cancelled", None) and row.closed_at is not None
    assert audit(db_url, waiting) == [(None, "waiting", "assistant"), ("waiting", "cancelled", "customer")]
    assert audit(db_url, claimed)[-1] == ("waiting", "claimed", "agent:3")


def test_unknown_reason_is_refused(db_url: str) -> None:
    with pytest.raises(ValueError), session_scope(db_url) as session:
        service.create_escalation(session, conversation_id="x", language="es", country="ES", queue="contracts-ES",
                                  reason="bored", last_message=None)


def test_queue_positions_and_waiting_list(db_url: str) -> None:
    a, b = escalate(db_url, "q-a"), escalate(db_url, "q-b")
    other = escalate(db_url, "q-c", queue="renewals-RO", reason="quote_lookup_limit")
    with session_scope(db_url) as session:
        positions = [service.queue_position(session, session.get(Escalation, i)) for i in (a, b, other)]
        assert positions == [1, 2, 1]
        assert [e.id for e in service.waiting(session, ["contracts-RO"])] == [a, b]
        assert [e.id for e in service.waiting(session, ["contracts-RO", "renewals-RO"])] == [a, b, other]
        assert service.waiting(session, []) == []
        service.claim(session, a, agent_id=3)
    with session_scope(db_url) as session:
        assert service.queue_position(session, session.get(Escalation, b)) == 1


def test_agent_available_needs_a_recent_heartbeat_for_the_queue(db_url: str) -> None:
    with session_scope(db_url) as session:
        assert not service.agent_available(session, "contracts-RO", T0)
        service.heartbeat(session, 5, ["contracts-RO", "renewals-RO"], now=T0)
    with session_scope(db_url) as session:
        assert service.agent_available(session, "contracts-RO", T0 + dt.timedelta(seconds=29))
        assert not service.agent_available(session, "contracts-ES", T0 + dt.timedelta(seconds=5))
        assert not service.agent_available(session, "contracts-RO", T0 + dt.timedelta(seconds=31))
        service.heartbeat(session, 5, ["renewals-RO"], now=T0 + dt.timedelta(seconds=40))
    with session_scope(db_url) as session:
        assert service.agent_available(session, "renewals-RO", T0 + dt.timedelta(seconds=41))
        assert not service.agent_available(session, "contracts-RO", T0 + dt.timedelta(seconds=41))


def test_customer_messages_update_the_open_escalation(db_url: str) -> None:
    escalation_id = escalate(db_url, "m-1")
    later = T0 + dt.timedelta(minutes=1)
    with session_scope(db_url) as session:
        assert service.record_customer_message(session, "m-1", "Mai sunteți acolo?", now=later) is not None
        assert service.record_customer_message(session, "nobody", "hello") is None
    with session_scope(db_url) as session:
        row = session.get(Escalation, escalation_id)
        assert row.last_customer_message == "Mai sunteți acolo?"
        assert service.summary(row)["last_activity_at"] == later.isoformat()


def test_the_per_turn_check_sees_exactly_the_open_escalations(db_url: str) -> None:
    from bot.db.engine import get_engine

    def open_now(conversation: str) -> bool:
        with get_engine(db_url).connect() as connection:
            return service.has_open_escalation(connection, conversation)

    waiting, claimed = escalate(db_url, "o-1"), escalate(db_url, "o-2")
    assert not open_now("o-3") and not open_now("o-1'; --")
    with session_scope(db_url) as session:
        assert service.claim(session, claimed, agent_id=3)
    assert open_now("o-1") and open_now("o-2")
    with session_scope(db_url) as session:
        assert service.resolve(session, waiting, agent_id=3, note="done")
        assert service.hand_back(session, claimed, agent_id=3)
    assert not open_now("o-1") and not open_now("o-2")


def race_claims(url: str, escalation_id: int, agents: int) -> dict[int, bool]:
    """Every agent claims in its own thread and transaction, released at the same moment."""
    barrier = threading.Barrier(agents)
    results: dict[int, bool] = {}
    errors: list[BaseException] = []

    def claim(agent: int) -> None:
        try:
            barrier.wait(timeout=10)
            with session_scope(url) as session:
                results[agent] = service.claim(session, escalation_id, agent)
        except BaseException as error:  # noqa: BLE001 - reported by the assertion below
            errors.append(error)

    threads = [threading.Thread(target=claim, args=(agent,)) for agent in range(1, agents + 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    return results


def test_concurrent_claims_have_exactly_one_winner(db_url: str) -> None:
    for round_ in range(3):
        escalation_id = escalate(db_url, f"race-{round_}")
        results = race_claims(db_url, escalation_id, agents=8)
        winners = [agent for agent, won in results.items() if won]
        assert len(results) == 8 and len(winners) == 1
        with session_scope(db_url) as session:
            assert session.get(Escalation, escalation_id).agent_id == winners[0]
        assert [row[1] for row in audit(db_url, escalation_id)] == ["waiting", "claimed"]

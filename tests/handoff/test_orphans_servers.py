"""The session-expiry release with the real servers (Rasa, action server, web/console server with its
sweeper every second): a paused conversation whose agent's console session expired goes back to the
assistant - note and greeting in the customer's language, no longer paused, the next question answered - or,
with another agent of the queue present, back to the queue, still paused, with the new place in the queue."""

from __future__ import annotations

import datetime as dt
import os
import time
from typing import Any, Iterator

import pytest
from sqlalchemy import select

from bot.db.engine import session_scope
from bot.db.models import ConsoleSession
from bot.handoff import service
from bot.handoff.models import Escalation
from bot.local_servers import MODEL, TOKEN, Servers, http
from bot.locales import load_locales
from bot.render import render
from tests.handoff.agents import add_agents

pytestmark = pytest.mark.skipif(not MODEL.exists(), reason="no trained model: run `make model` first")
MONDAY = dt.datetime(2026, 11, 30, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=2)))
LOCALES = load_locales()
METADATA = {"language": "ro", "country": "RO"}
ASK = "Vreau să vorbesc cu un coleg, vă rog"


@pytest.fixture(scope="module")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Servers]:
    folder = tmp_path_factory.mktemp("orphans")
    running = Servers(tracker_store_url=f"sqlite:///{folder / 'tracker.db'}", logs=folder)
    saved = {name: os.environ.get(name) for name in ("CLOCK_OVERRIDE", "HANDOFF_SWEEP_SECONDS")}
    os.environ.update({"CLOCK_OVERRIDE": MONDAY.isoformat(), "HANDOFF_SWEEP_SECONDS": "1"})
    try:
        running.start(("actions", "rasa", "web"))
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
    yield running
    running.stop()


def online(servers: Servers, *agents: int) -> None:
    add_agents(servers.settings.database_url, *agents)
    with session_scope(servers.settings.database_url) as db:
        for agent in agents:
            service.heartbeat(db, agent, ["contracts-RO"], now=MONDAY)


def escalate_and_claim(servers: Servers, sender: str, agent: int) -> int:
    replies = servers.say(sender, ASK, METADATA)
    assert [r.get("text") for r in replies] == [render(LOCALES["ro-RO"], "utter_handoff_waiting", position="1").text]
    with session_scope(servers.settings.database_url) as db:
        escalation_id = int(db.execute(select(Escalation.id).where(Escalation.conversation_id == sender))
                            .scalar_one())
        assert service.claim(db, escalation_id, agent)
        # The agent's console session: idle for longer than CONSOLE_IDLE_MINUTES (30) on the real clock.
        last_seen = dt.datetime.now(dt.timezone.utc) - dt.timedelta(minutes=31)
        db.add(ConsoleSession(token_hash=f"{sender:x<64}"[:64], user_id=agent, csrf_token="x",
                              created_at=last_seen, last_seen_at=last_seen))
    return escalation_id


def wait_for_status(servers: Servers, escalation_id: int, status: str, timeout_s: float = 30) -> None:
    deadline = time.monotonic() + timeout_s
    while True:
        with session_scope(servers.settings.database_url) as db:
            if db.get(Escalation, escalation_id).status == status:
                return
        assert time.monotonic() < deadline, f"escalation {escalation_id} never became {status}"
        time.sleep(0.3)


def tracker(servers: Servers, sender: str) -> dict[str, Any]:
    status, body = http("GET", f"{servers.rasa}/conversations/{sender}/tracker?token={TOKEN}")
    assert status == 200
    return dict(body)


def bot_texts_after_claim(state: dict[str, Any]) -> list[str]:
    return [e.get("text") or "" for e in state["events"] if e.get("event") == "bot"
            and not (e.get("metadata") or {}).get("agent")][1:]  # after the waiting message


def test_expired_agent_session_gives_the_conversation_back_to_the_assistant(servers: Servers) -> None:
    online(servers, 7)
    escalation_id = escalate_and_claim(servers, "orphan-assistant", 7)
    wait_for_status(servers, escalation_id, "returned")
    notes = LOCALES["ro-RO"].labels["handoff_notes"]
    deadline = time.monotonic() + 15
    while not bot_texts_after_claim(state := tracker(servers, "orphan-assistant")) and time.monotonic() < deadline:
        time.sleep(0.3)
    assert bot_texts_after_claim(state) == [notes["agent_gone_assistant"],
                                            render(LOCALES["ro-RO"], "utter_handoff_back").text]
    assert state["paused"] is False
    replies = servers.say("orphan-assistant", "Cum pot obtine o copie a contractului meu?", METADATA)
    assert [r.get("text") for r in replies] == [render(LOCALES["ro-RO"], "utter_faq/contract_copy").text]


def test_expired_agent_session_with_a_colleague_present_goes_back_to_the_queue(servers: Servers) -> None:
    online(servers, 7, 8)
    escalation_id = escalate_and_claim(servers, "orphan-queue", 7)
    wait_for_status(servers, escalation_id, "waiting")
    with session_scope(servers.settings.database_url) as db:
        assert db.get(Escalation, escalation_id).agent_id is None
    note = LOCALES["ro-RO"].labels["handoff_notes"]["agent_gone_queue"].replace("{position}", "1")
    deadline = time.monotonic() + 15
    while not bot_texts_after_claim(state := tracker(servers, "orphan-queue")) and time.monotonic() < deadline:
        time.sleep(0.3)
    assert bot_texts_after_claim(state) == [note]
    assert state["paused"] is True
    assert servers.say("orphan-queue", "Mai este cineva acolo?", METADATA) == []  # still waiting: silent
    with session_scope(servers.settings.database_url) as db:
        assert service.claim(db, escalation_id, 8)  # the colleague present takes it

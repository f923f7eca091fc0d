"""End to end with real servers (bot/local_servers.py): request_human pauses the conversation when an agent
of the queue has the console open and offers a request when none has; an agent's message pushed through
Rasa's API lands in the tracker and in the customer's socket.io session; hand back resumes the assistant."""

from __future__ import annotations

import asyncio
import os
import uuid
from typing import Any, Iterator

import pytest
from sqlalchemy import select

from bot.db.engine import session_scope
from bot.handoff import rasa_api, service
from bot.handoff.models import Escalation
from bot.local_servers import MODEL, TOKEN, Servers, http
from bot.locales import load_locales
from bot.render import render
from tests.handoff.agents import signed_in

pytestmark = pytest.mark.skipif(not MODEL.exists(), reason="no trained model: run `make model` first")
LOCALES = load_locales()
# Monday 10:00 in Bucharest and 09:00 in Brussels: within both countries' support hours.
MONDAY = "2026-11-30T10:00:00+02:00"
ASK_HUMAN = {"ro": "Vreau să vorbesc cu un coleg, vă rog", "nl": "Ik wil graag met een medewerker spreken"}


@pytest.fixture(scope="module")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Servers]:
    folder = tmp_path_factory.mktemp("handoff")
    running = Servers(tracker_store_url=f"sqlite:///{folder / 'tracker.db'}", logs=folder,
                      # The sweeper every second: a claim whose agent has no console session is released.
                      env={"HANDOFF_SWEEP_SECONDS": "1"})
    previous = os.environ.get("CLOCK_OVERRIDE")
    os.environ["CLOCK_OVERRIDE"] = MONDAY  # the action server's clock (refused in production)
    try:
        running.start(("actions", "rasa", "web"))
    finally:
        if previous is None:
            os.environ.pop("CLOCK_OVERRIDE", None)
        else:
            os.environ["CLOCK_OVERRIDE"] = previous
    yield running
    running.stop()


@pytest.fixture
def api(servers: Servers) -> rasa_api.RasaApi:
    return rasa_api.RasaApi(servers.rasa, TOKEN)


def text(locale: str, response: str, **values: Any) -> str:
    return render(LOCALES[locale], response, **values).text


def heartbeat(servers: Servers, queue: str) -> None:
    import datetime as dt

    from bot.settings import clock_override

    now = clock_override({"CLOCK_OVERRIDE": MONDAY}) or dt.datetime.now(dt.timezone.utc)
    signed_in(servers.settings.database_url, 42)
    with session_scope(servers.settings.database_url) as session:
        service.heartbeat(session, 42, [queue], now=now)


def tracker(servers: Servers, conversation: str) -> dict:
    status, body = http("GET", f"{servers.rasa}/conversations/{conversation}/tracker?token={TOKEN}")
    assert status == 200
    return dict(body)


def test_request_human_pauses_when_an_agent_is_online(servers: Servers, api: rasa_api.RasaApi) -> None:
    heartbeat(servers, "contracts-RO")
    conversation = f"e2e-{uuid.uuid4().hex[:10]}"
    metadata = {"language": "ro", "country": "RO"}
    replies = servers.say(conversation, ASK_HUMAN["ro"], metadata)
    assert [r.get("text") for r in replies] == [text("ro-RO", "utter_handoff_waiting", position="1")]
    assert tracker(servers, conversation)["paused"] is True

    # While paused: no answer at all (not the technical-problem one), the message is on the escalation.
    assert servers.say(conversation, "Mai sunteți acolo?", metadata) == []
    with session_scope(servers.settings.database_url) as session:
        escalation = session.execute(select(Escalation).where(Escalation.conversation_id == conversation)).scalar_one()
        assert (escalation.queue, escalation.reason, escalation.status) == ("contracts-RO", "customer_request",
                                                                             "waiting")
        assert escalation.last_customer_message == "Mai sunteți acolo?"
        assert service.claim(session, escalation.id, 42)

    asyncio.run(rasa_api.agent_joined(conversation, "Ana", api=api))
    asyncio.run(rasa_api.send_agent_message(conversation, "Bună ziua, sunt Ana. Cu ce vă pot ajuta?", "Ana", api=api))
    events = tracker(servers, conversation)["events"]
    agent_events = [e for e in events if e["event"] == "bot" and (e.get("metadata") or {}).get("agent") == "Ana"]
    assert [e["text"] for e in agent_events] == ["", "Bună ziua, sunt Ana. Cu ce vă pot ajuta?"]
    transcript = asyncio.run(rasa_api.transcript(conversation, api=api))
    assert [(e["from"], e["text"]) for e in transcript][-3:] == [
        ("customer", "Mai sunteți acolo?"), ("agent", ""), ("agent", "Bună ziua, sunt Ana. Cu ce vă pot ajuta?")]

    greeting = asyncio.run(rasa_api.resume(conversation, "ro", "RO", agent="Ana", api=api))
    assert greeting == text("ro-RO", "utter_handoff_back")
    assert tracker(servers, conversation)["paused"] is False
    replies = servers.say(conversation, "Cum pot obține o copie a contractului meu?", metadata)
    assert len(replies) == 1 and replies[0]["text"] == text("ro-RO", "utter_faq/contract_copy")


def test_nobody_online_offers_a_request_and_nothing_waits(servers: Servers) -> None:
    conversation = f"e2e-{uuid.uuid4().hex[:10]}"
    replies = servers.say(conversation, ASK_HUMAN["nl"], {"language": "nl", "country": "BE"})
    assert [r.get("text") for r in replies] == [text("nl-BE", "utter_handoff_nobody_available")]
    assert [b["payload"] for b in replies[0]["buttons"]] == ["/file_request", "/deny"]
    assert tracker(servers, conversation)["paused"] is False
    with session_scope(servers.settings.database_url) as session:
        assert session.execute(select(Escalation).where(Escalation.conversation_id == conversation)).first() is None


def test_agent_message_reaches_the_widget_and_its_history(servers: Servers, api: rasa_api.RasaApi) -> None:
    """A socket.io client as the widget: live delivery with the agent's name, then the history route."""
    import socketio

    heartbeat(servers, "contracts-BE")
    received: asyncio.Queue[dict] = asyncio.Queue()

    async def scenario() -> tuple[str, list[dict]]:
        client = socketio.AsyncClient()
        session_id = ""
        confirmed = asyncio.Event()

        @client.on("session_confirm")
        async def on_confirm(data: Any) -> None:
            nonlocal session_id
            session_id = str(data)
            confirmed.set()

        @client.on("bot_uttered")
        async def on_bot(data: dict) -> None:
            await received.put(data)

        await client.connect(servers.rasa, transports=["websocket"])
        try:
            await client.emit("session_request", {"session_id": None})
            await asyncio.wait_for(confirmed.wait(), 10)
            await client.emit("user_uttered", {"message": ASK_HUMAN["nl"], "session_id": session_id,
                                               "metadata": {"language": "nl", "country": "BE"}})
            waiting = await asyncio.wait_for(received.get(), 30)
            await rasa_api.send_agent_message(session_id, "Goedendag, u spreekt met Jan.", "Jan", api=api)
            agent = await asyncio.wait_for(received.get(), 10)
            return session_id, [waiting, agent]
        finally:
            await client.disconnect()

    session_id, messages = asyncio.run(scenario())
    assert messages[0]["text"] == text("nl-BE", "utter_handoff_waiting", position="1")
    assert (messages[1]["text"], messages[1]["agent"]) == ("Goedendag, u spreekt met Jan.", "Jan")
    status, body = http("GET", f"{servers.rasa}/webhooks/socketio/history?session_id={session_id}&since=0")
    assert status == 200
    assert [(m["from"], m.get("agent"), m["text"]) for m in body["messages"] if m["from"] == "agent"] == [
        ("agent", "Jan", "Goedendag, u spreekt met Jan.")]
    since = messages[1]["timestamp"]
    status, body = http("GET", f"{servers.rasa}/webhooks/socketio/history?session_id={session_id}&since={since}")
    assert body["messages"] == []
    assert http("GET", f"{servers.rasa}/webhooks/socketio/history?session_id=e2e-guess&since=0")[0] == 404


def test_typing_route_needs_the_token(servers: Servers) -> None:
    body = {"conversation_id": "x", "agent": "Jan", "typing": True}
    assert http("POST", f"{servers.rasa}/webhooks/socketio/handoff/typing", body)[0] == 401
    ok = http("POST", f"{servers.rasa}/webhooks/socketio/handoff/typing", body, {"Authorization": f"Bearer {TOKEN}"})
    assert ok[0] == 200



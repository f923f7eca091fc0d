"""The channels during a handoff: no technical-problem answer while paused, messages reach the bus,
agent messages keep their agent's name on the way to the widget, the widget's history."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from rasa.core.channels.channel import CollectingOutputChannel, UserMessage

from bot.channels import with_fallback
from bot.db.engine import session_scope
from bot.handoff import service
from bot.handoff.bus import bus_from_env, conversation_topic, queue_topic
from bot.handoff.channel import HandoffSocketIOOutput, history_entries
from bot.locales import load_locales
from bot.render import render


async def silent_turn(message: UserMessage) -> None:
    """Rasa with a paused tracker: it stores the message and predicts nothing."""


def turn(sender: str, text: str) -> tuple[list[dict], Any]:
    output = CollectingOutputChannel()
    message = UserMessage(text, output, sender, metadata={"language": "ro", "country": "RO"})
    return output.messages, message


def test_paused_conversation_gets_no_technical_problem_answer(db_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("EVENT_BUS_URL", raising=False)
    with session_scope(db_url) as session:
        service.create_escalation(session, conversation_id="paused", language="ro", country="RO",
                                  queue="contracts-RO", reason="customer_request", last_message="un om")
    sent, message = turn("paused", "Mai sunteți acolo?")

    async def scenario() -> tuple[dict, dict]:
        subscription = bus_from_env().subscribe(conversation_topic("paused"))
        queue = bus_from_env().subscribe(queue_topic("contracts-RO"))
        await with_fallback(silent_turn)(message)
        try:
            return (await asyncio.wait_for(subscription.__anext__(), 5),
                    await asyncio.wait_for(queue.__anext__(), 5))
        finally:
            await subscription.aclose()
            await queue.aclose()

    event, queue_event = asyncio.run(scenario())
    assert sent == []
    assert (queue_event["type"], queue_event["escalation"]["last_customer_message"]) == (
        "escalation_updated", "Mai sunteți acolo?")
    assert (event["type"], event["text"], event["conversation_id"]) == ("customer_message", "Mai sunteți acolo?",
                                                                         "paused")
    with session_scope(db_url) as session:
        assert service.active_escalation(session, "paused").last_customer_message == "Mai sunteți acolo?"


def test_silent_turn_without_escalation_still_gets_the_guarantee(db_url: str) -> None:
    sent, message = turn("not-paused", "Bună ziua")
    asyncio.run(with_fallback(silent_turn)(message))
    assert [m["text"] for m in sent] == [render(load_locales()["ro-RO"], "utter_technical_problem").text]


class FakeSocketServer:
    def __init__(self) -> None:
        self.emitted: list[tuple[str, dict, str]] = []

    async def emit(self, event: str, data: dict, room: str) -> None:
        self.emitted.append((event, data, room))


def test_agent_messages_reach_the_room_with_the_agents_name() -> None:
    sio = FakeSocketServer()
    output = HandoffSocketIOOutput(sio, "bot_uttered")  # type: ignore[arg-type]
    asyncio.run(output.send_response("abc", {"text": "Bună ziua, sunt Ana.", "agent": "Ana", "timestamp": 1.5}))
    asyncio.run(output.send_response("abc", {"text": "", "agent": "Ana", "handoff": "joined", "timestamp": 1.0}))
    asyncio.run(output.send_response("abc", {"text": "Asistentul", "timestamp": 2.0}))
    assert sio.emitted == [
        ("bot_uttered", {"text": "Bună ziua, sunt Ana.", "agent": "Ana", "handoff": None, "timestamp": 1.5}, "abc"),
        ("bot_uttered", {"text": "", "agent": "Ana", "handoff": "joined", "timestamp": 1.0}, "abc"),
        ("bot_uttered", {"text": "Asistentul", "timestamp": 2.0}, "abc")]


def test_assistant_messages_carry_their_timestamp_and_the_waiting_marker() -> None:
    """The widget matches live messages with the history by the tracker timestamp; the waiting message
    starts its "waiting for a colleague" state. Rasa splits a text at blank lines: each part keeps both."""
    sio = FakeSocketServer()
    output = HandoffSocketIOOutput(sio, "bot_uttered")  # type: ignore[arg-type]
    asyncio.run(output.send_response("abc", {"text": "Un moment.\n\nPoziția 2.", "timestamp": 3.0,
                                             "handoff": "waiting", "queue_position": 2, "utter_action": None}))
    asyncio.run(output.send_response("abc", {"text": "Alegeți:", "timestamp": 4.0,
                                             "buttons": [{"title": "Da", "payload": "/affirm"}]}))
    assert [data for _, data, _ in sio.emitted] == [
        {"text": "Un moment.", "timestamp": 3.0, "handoff": "waiting", "queue_position": 2},
        {"text": "Poziția 2.", "timestamp": 3.0, "handoff": "waiting", "queue_position": 2},
        {"text": "Alegeți:", "timestamp": 4.0,
         "quick_replies": [{"content_type": "text", "title": "Da", "payload": "/affirm"}]}]
    asyncio.run(output.send_response("abc", {"text": "Fără marcaj"}))
    assert sio.emitted[-1][1] == {"text": "Fără marcaj"}  # nothing left over from the previous message


def test_history_since_a_timestamp() -> None:
    events = [{"event": "user", "text": "hola", "timestamp": 10.0},
              {"event": "bot", "text": "Hola", "timestamp": 11.0, "data": {"buttons": [{"title": "A", "payload": "/a"}]}},
              {"event": "action", "name": "action_listen", "timestamp": 11.5},
              {"event": "bot", "text": "", "timestamp": 12.0, "metadata": {"agent": "Luis", "handoff": "joined"}},
              {"event": "bot", "text": "Soy Luis", "timestamp": 13.0, "metadata": {"agent": "Luis"}}]
    assert history_entries(events, since=11.0) == [
        {"from": "agent", "text": "", "timestamp": 12.0, "agent": "Luis", "handoff": "joined", "buttons": []},
        {"from": "agent", "text": "Soy Luis", "timestamp": 13.0, "agent": "Luis", "handoff": None, "buttons": []}]
    assert [e["from"] for e in history_entries(events, since=0)] == ["customer", "assistant", "agent", "agent"]
    waiting = [{"event": "bot", "text": "Așteptați", "timestamp": 14.0,
                "metadata": {"handoff": "waiting", "queue_position": 1}}]
    assert history_entries(waiting, since=0) == [
        {"from": "assistant", "text": "Așteptați", "timestamp": 14.0, "handoff": "waiting", "buttons": []}]

"""A customer waiting for a colleague: a cancel word takes the conversation out of the queue and back to the
assistant (in the Rasa process, with Rasa's own tracker store, lock store and event types); anything else,
or a cancel word once a colleague has it, reaches the colleague. The widget's view of the wait."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace
from typing import Any

import pytest
from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.lock_store import InMemoryLockStore
from rasa.core.processor import MessageProcessor
from rasa.core.tracker_store import InMemoryTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ConversationPaused, UserUttered
from sqlalchemy import select

from bot.channels import with_fallback
from bot.db.engine import session_scope
from bot.handoff import service
from bot.handoff.bus import bus_from_env, queue_topic
from bot.handoff.models import Escalation, EscalationEvent
from bot.handoff.waiting import handoff_state, is_cancel
from bot.locales import load_locales
from bot.render import render
from tests.handoff.agents import add_agents

LOCALES = load_locales()


class Processor:
    """The two processor calls the in-process resume makes, on a real tracker store."""

    def __init__(self, store: InMemoryTrackerStore) -> None:
        self.store = store

    async def get_tracker(self, conversation_id: str) -> Any:
        return await self.store.get_or_create_tracker(conversation_id)

    async def execute_side_effects(self, events: list, tracker: Any, output: Any) -> None:
        await MessageProcessor._send_bot_messages(events, tracker, output)


def rasa_channel() -> tuple[Any, InMemoryTrackerStore]:
    store = InMemoryTrackerStore(Domain.empty())
    agent = SimpleNamespace(tracker_store=store, lock_store=InMemoryLockStore(), processor=Processor(store))
    return SimpleNamespace(app=SimpleNamespace(ctx=SimpleNamespace(agent=agent))), store


def paused_conversation(store: InMemoryTrackerStore, conversation_id: str) -> None:
    async def pause() -> None:
        tracker = await store.get_or_create_tracker(conversation_id)
        tracker.update(ConversationPaused())
        await store.save(tracker)

    asyncio.run(pause())


def escalate(url: str, conversation_id: str, language: str = "ro", country: str = "RO") -> int:
    add_agents(url, 5)
    with session_scope(url) as session:
        return int(service.create_escalation(session, conversation_id=conversation_id, language=language,
                                             country=country, queue=f"contracts-{country}",
                                             reason="customer_request", last_message="un om").id)


async def stored_by_paused_rasa(store: InMemoryTrackerStore, message: UserMessage) -> None:
    """What Rasa does with a message of a paused conversation: stores it, predicts nothing."""
    tracker = await store.get_or_create_tracker(message.sender_id)
    tracker.update(UserUttered(message.text))
    await store.save(tracker)


def customer_says(channel: Any, store: InMemoryTrackerStore, conversation_id: str, text: str,
                  language: str = "ro") -> list[dict]:
    output = CollectingOutputChannel()
    message = UserMessage(text, output, conversation_id, metadata={"language": language})
    asyncio.run(with_fallback(lambda m: stored_by_paused_rasa(store, m), channel)(message))
    return output.messages


@pytest.mark.parametrize("word", ["abbrechen", "Anulează!", "annuleren", "cancelar", "  ich möchte abbrechen "])
def test_cancel_words_of_every_locale(word: str) -> None:
    assert is_cancel(word)


@pytest.mark.parametrize("text", ["anulează contractul meu", "Wann kommt jemand?", "", "stopper"])
def test_other_messages_are_for_the_colleague(text: str) -> None:
    assert not is_cancel(text)


def test_a_waiting_customer_cancels_and_the_assistant_is_back(db_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("EVENT_BUS_URL", raising=False)
    channel, store = rasa_channel()
    escalation_id = escalate(db_url, "leaving")
    paused_conversation(store, "leaving")
    assert handoff_state("leaving") == {"status": "waiting", "position": 1}

    async def scenario() -> tuple[list[dict], dict]:
        queue = bus_from_env().subscribe(queue_topic("contracts-RO"))
        try:
            await asyncio.sleep(0)
            output = CollectingOutputChannel()
            message = UserMessage("Anulează!", output, "leaving", metadata={"language": "ro"})
            await with_fallback(lambda m: stored_by_paused_rasa(store, m), channel)(message)
            return output.messages, await asyncio.wait_for(queue.__anext__(), 5)
        finally:
            await queue.aclose()

    sent, queue_event = asyncio.run(scenario())
    greeting = render(LOCALES["ro-RO"], "utter_handoff_back").text
    assert [m["text"] for m in sent] == [greeting]
    assert (queue_event["type"], queue_event["escalation"]["status"]) == ("escalation_closed", "cancelled")
    tracker = asyncio.run(store.retrieve("leaving"))
    assert not tracker.is_paused()
    assert [e.as_dict()["event"] for e in tracker.events][-4:] == ["user", "resume", "bot", "action"]
    assert tracker.events[-2].text == greeting and tracker.latest_message.text == "Anulează!"
    with session_scope(db_url) as session:
        assert session.get(Escalation, escalation_id).status == "cancelled"
        actors = session.execute(select(EscalationEvent.actor).where(
            EscalationEvent.escalation_id == escalation_id).order_by(EscalationEvent.id)).scalars().all()
        assert actors == ["assistant", "customer"]
    assert handoff_state("leaving") is None


def test_a_sentence_or_a_claimed_conversation_is_not_cancelled(db_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("EVENT_BUS_URL", raising=False)
    channel, store = rasa_channel()
    waiting, claimed = escalate(db_url, "waits"), escalate(db_url, "talks", "es", "ES")
    with session_scope(db_url) as session:
        assert service.claim(session, claimed, 5)
    paused_conversation(store, "waits")
    paused_conversation(store, "talks")

    assert customer_says(channel, store, "waits", "anulează contractul meu") == []
    assert customer_says(channel, store, "talks", "cancelar", "es") == []  # the colleague reads it
    assert handoff_state("talks") == {"status": "claimed"}
    with session_scope(db_url) as session:
        assert session.get(Escalation, waiting).status == "waiting"
        assert session.get(Escalation, claimed).status == "claimed"
        assert session.get(Escalation, claimed).last_customer_message == "cancelar"
    assert asyncio.run(store.retrieve("waits")).is_paused()

"""Event bus: in-process fan-out, the embedded hub across processes (real web server), Redis pub/sub."""

from __future__ import annotations

import asyncio
import os
import uuid
from pathlib import Path
from typing import Iterator

import pytest

from bot.handoff.bus import HttpBus, InProcessBus, RedisBus, bus_from_env, conversation_topic, publish_quietly
from bot.local_servers import TOKEN, Servers, http


async def receive(subscription, count: int, timeout: float = 5.0) -> list[dict]:  # type: ignore[no-untyped-def]
    return [await asyncio.wait_for(subscription.__anext__(), timeout) for _ in range(count)]


def test_in_process_bus_fans_out_per_topic() -> None:
    async def scenario() -> None:
        bus = InProcessBus()
        first, second = bus.subscribe("conversation:a"), bus.subscribe("conversation:a")
        other = bus.subscribe("conversation:b")
        await bus.publish("conversation:a", {"type": "customer_message", "text": "hola"})
        await bus.publish("conversation:a", {"type": "typing"})
        assert await receive(first, 2) == [{"type": "customer_message", "text": "hola"}, {"type": "typing"}]
        assert await receive(second, 2) == [{"type": "customer_message", "text": "hola"}, {"type": "typing"}]
        assert other.queue.empty()
        await first.aclose()
        await second.aclose()
        await other.aclose()
        assert bus.subscriber_count("conversation:a") == 0

    asyncio.run(scenario())


def test_bus_from_env_picks_the_implementation() -> None:
    token = "x" * 32
    assert isinstance(bus_from_env({}), InProcessBus)
    hub_url = "http://127.0.0.1:1/internal/bus"
    assert isinstance(bus_from_env({"EVENT_BUS_URL": hub_url, "RASA_AUTH_TOKEN": token}), HttpBus)
    assert isinstance(bus_from_env({"EVENT_BUS_URL": hub_url}, hub=True), InProcessBus)
    assert isinstance(bus_from_env({"EVENT_BUS_URL": "redis://127.0.0.1:1/0"}), RedisBus)
    with pytest.raises(ValueError):
        bus_from_env({"EVENT_BUS_URL": hub_url, "RASA_AUTH_TOKEN": ""})


def test_publishing_to_a_bus_that_is_down_never_raises() -> None:
    bus = HttpBus("http://127.0.0.1:9/internal/bus", "y" * 32)
    assert asyncio.run(publish_quietly(bus, "conversation:x", {"type": "typing"})) is False


@pytest.fixture(scope="module")
def web(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Servers]:
    folder = tmp_path_factory.mktemp("hub")
    running = Servers(tracker_store_url=f"sqlite:///{folder / 'tracker.db'}", logs=folder)
    running.start(("web",), timeout=60)
    yield running
    running.stop()


def test_embedded_hub_carries_events_between_processes(web: Servers) -> None:
    """This test process publishes and subscribes over HTTP, as Rasa and the action server do."""
    bus = HttpBus(f"{web.web}/internal/bus", TOKEN)
    topic = conversation_topic(f"c-{uuid.uuid4().hex[:8]}")

    async def scenario() -> list[dict]:
        subscription = bus.subscribe(topic)
        await subscription.ready()
        await bus.publish(topic, {"type": "customer_message", "text": "Bună ziua"})
        await bus.publish("conversation:other", {"type": "typing"})
        await bus.publish(topic, {"type": "agent_typing", "typing": True})
        try:
            return await receive(subscription, 2)
        finally:
            await subscription.aclose()

    assert asyncio.run(scenario()) == [{"type": "customer_message", "text": "Bună ziua"},
                                       {"type": "agent_typing", "typing": True}]


def test_hub_refuses_callers_without_the_token(web: Servers) -> None:
    body = {"topic": "conversation:x", "payload": {"type": "typing"}}
    assert http("POST", f"{web.web}/internal/bus/publish", body)[0] == 401
    assert http("POST", f"{web.web}/internal/bus/publish", body, {"Authorization": "Bearer wrong"})[0] == 401
    assert http("GET", f"{web.web}/internal/bus/subscribe?topic=conversation:x")[0] == 401
    auth = {"Authorization": f"Bearer {TOKEN}"}
    assert http("POST", f"{web.web}/internal/bus/publish", {"topic": "../x", "payload": {}}, auth)[0] == 400
    assert http("POST", f"{web.web}/internal/bus/publish", body, auth)[0] == 200


def test_redis_bus(tmp_path: Path) -> None:
    url = os.environ.get("TEST_REDIS_URL")
    if not url:
        pytest.skip("TEST_REDIS_URL is not set (CI sets it to the local Redis)")

    async def scenario() -> list[dict]:
        bus = RedisBus(url)
        topic = conversation_topic(f"redis-{uuid.uuid4().hex[:8]}")
        subscription = bus.subscribe(topic)
        await subscription.ready()
        await bus.publish(topic, {"type": "agent_message", "text": "Goedemiddag"})
        await bus.publish(topic, {"type": "agent_left"})
        try:
            return await receive(subscription, 2)
        finally:
            await subscription.aclose()
            await bus.close()

    assert asyncio.run(scenario()) == [{"type": "agent_message", "text": "Goedemiddag"}, {"type": "agent_left"}]

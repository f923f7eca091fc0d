"""Events kept while RabbitMQ was unreachable are published by the retry loop, without waiting for another
reconnection; the production endpoints load this broker (not Rasa's silent "no broker" on a typo)."""

from __future__ import annotations

import asyncio
import json
import os
import uuid
from pathlib import Path

import aio_pika
import pytest
from rasa.core.brokers.broker import EventBroker
from rasa.utils.endpoints import read_endpoint_config

from bot.events import broker as broker_module
from bot.events.broker import RetryingPikaEventBroker

AMQP = os.environ.get("TEST_AMQP_URL")
ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.skipif(not AMQP, reason="TEST_AMQP_URL is not set (CI sets it to the local RabbitMQ)")


def test_kept_events_are_published_by_the_retry_loop(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(broker_module, "RETRY_EVERY_S", 0.2)
    suffix = uuid.uuid4().hex[:8]
    exchange, queue_name = f"test-broker-{suffix}", f"test_broker_{suffix}"

    async def scenario() -> list[dict]:
        broker = RetryingPikaEventBroker(AMQP, username="guest", password="guest", queues=[queue_name],
                                         exchange_name=exchange, event_loop=asyncio.get_running_loop())
        await broker.connect()
        try:
            kept = [{"sender_id": "c1", "event": "user", "timestamp": float(i), "text": f"m{i}"} for i in range(5)]
            broker._unpublished_events.extend(kept)  # as after publications failed during an outage
            await asyncio.sleep(1.5)
            connection = await aio_pika.connect(AMQP)
            async with connection:
                channel = await connection.channel()
                queue = await channel.get_queue(queue_name)
                received = []
                while (message := await queue.get(no_ack=True, fail=False)) is not None:
                    received.append(json.loads(message.body))
                await channel.queue_delete(queue_name)
                await channel.exchange_delete(exchange)
            return received
        finally:
            await broker.close()

    received = asyncio.run(scenario())
    assert sorted(e["text"] for e in received) == [f"m{i}" for i in range(5)]


def test_production_endpoints_use_the_retrying_broker(monkeypatch: pytest.MonkeyPatch) -> None:
    from bot.production.config import amqp_parts

    for name, value in {**amqp_parts(AMQP or ""), "AMQP_URL": AMQP or "", "EVENTS_QUEUE": "test_unused_events",
                        "EVENTS_EXCHANGE": f"test-unused-{uuid.uuid4().hex[:6]}", "ACTION_SERVER_URL": "http://x",
                        "ACTION_SERVER_TOKEN": "t" * 32, "TRACKER_STORE_URL": "sqlite://", "REDIS_HOST": "x",
                        "REDIS_PORT": "6379", "REDIS_DB": "0", "REDIS_PASSWORD": ""}.items():
        monkeypatch.setenv(name, value)
    config = read_endpoint_config(str(ROOT / "endpoints.production.yml"), "event_broker")

    async def create() -> str:
        broker = await EventBroker.create(config, asyncio.get_running_loop())
        name = type(broker).__name__
        connection = await aio_pika.connect(AMQP)
        async with connection:
            channel = await connection.channel()
            await channel.queue_delete("test_unused_events")
            await channel.exchange_delete(os.environ["EVENTS_EXCHANGE"])
        if broker:
            await broker.close()
        return name

    assert asyncio.run(create()) == "RetryingPikaEventBroker"

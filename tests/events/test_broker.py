"""The spooling event broker against the real RabbitMQ: every event published once and in order, kept on
disk while RabbitMQ is unreachable (across a restart of the Rasa process), the spool bounded; a real
RabbitMQ stop/start loses nothing and the consumer records every event exactly once. The production
endpoints load this broker."""

from __future__ import annotations

import asyncio
import json
import os
import time
import uuid
from pathlib import Path

import aio_pika
import pytest
import sqlalchemy as sa
from rasa.core.brokers.broker import EventBroker
from rasa.utils.endpoints import read_endpoint_config

from bench.faults import ensure_rabbitmq, stop_rabbitmq
from bot.db.engine import session_scope
from bot.events import broker as broker_module
from bot.events import tables
from bot.events.broker import SpoolingPikaEventBroker
from bot.events.consumer import consume_forever
from bot.events.spool import EventSpool
from bot.local_servers import free_port

AMQP = os.environ.get("TEST_AMQP_URL")
ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.skipif(not AMQP, reason="TEST_AMQP_URL is not set (CI sets it to the local RabbitMQ)")


def names() -> tuple[str, str]:
    suffix = uuid.uuid4().hex[:8]
    return f"test-broker-{suffix}", f"test_broker_{suffix}"


def event(i: int, sender: str = "c1") -> dict:
    return {"sender_id": sender, "event": "user", "timestamp": 1_800_000_000.0 + i, "text": f"m{i}",
            "metadata": {"language": "de"}, "parse_data": {"intent": {"name": "greet", "confidence": 0.9}}}


def make_broker(exchange: str, queues: list[str], url: str | None = None) -> SpoolingPikaEventBroker:
    return SpoolingPikaEventBroker(url or AMQP, username="guest", password="guest", queues=queues,
                                   exchange_name=exchange, event_loop=asyncio.get_running_loop())


async def drain_queue(queue_name: str, exchange: str | None = None) -> list[str]:
    """Every message's text, in queue order; deletes the queue (and the exchange)."""
    connection = await aio_pika.connect(AMQP)
    async with connection:
        channel = await connection.channel()
        queue = await channel.declare_queue(queue_name, durable=True)
        received = []
        while (message := await queue.get(no_ack=True, fail=False)) is not None:
            received.append(json.loads(message.body)["text"])
        await channel.queue_delete(queue_name)
        if exchange:
            await channel.exchange_delete(exchange)
    return received


async def wait_until_sent(broker: SpoolingPikaEventBroker, timeout_s: float = 30) -> None:
    deadline = time.monotonic() + timeout_s
    while broker.spool is not None and len(broker.spool) and time.monotonic() < deadline:
        await asyncio.sleep(0.1)


def test_events_are_published_in_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EVENT_SPOOL_PATH", str(tmp_path / "spool.sqlite"))
    exchange, queue = names()

    async def scenario() -> list[str]:
        broker = make_broker(exchange, [queue])
        await broker.connect()
        for i in range(300):
            broker.publish(event(i))
        await wait_until_sent(broker)
        assert len(broker.spool or []) == 0
        await broker.close()
        return await drain_queue(queue, exchange)

    assert asyncio.run(scenario()) == [f"m{i}" for i in range(300)]


def test_events_wait_in_the_spool_across_a_restart_while_rabbitmq_is_unreachable(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EVENT_SPOOL_PATH", str(tmp_path / "spool.sqlite"))
    monkeypatch.setattr(broker_module, "CONNECT_TIMEOUT_S", 1.0)
    exchange, queue = names()
    nowhere = f"amqp://guest:guest@127.0.0.1:{free_port()}/%2F"  # nothing listens: RabbitMQ is down

    async def scenario() -> list[str]:
        down = make_broker(exchange, [queue], url=nowhere)
        await down.connect()
        for i in range(20):
            down.publish(event(i))
        await asyncio.sleep(1.5)
        assert not down.is_ready() and len(down.spool or []) == 20
        await down.close()  # the Rasa process stops (or is killed): the events stay on disk

        up = make_broker(exchange, [queue])
        await up.connect()
        up.publish(event(20))
        await wait_until_sent(up)
        await up.close()
        return await drain_queue(queue, exchange)

    assert asyncio.run(scenario()) == [f"m{i}" for i in range(21)]


def test_the_spool_is_bounded_and_counts_what_it_refused(tmp_path: Path) -> None:
    spool = EventSpool(tmp_path / "spool.sqlite", max_events=5)
    try:
        accepted = [spool.append(json.dumps(event(i)).encode()) for i in range(8)]
        assert accepted == [True] * 5 + [False] * 3 and spool.refused == 3 and len(spool) == 5
        head = spool.head(10)
        assert [json.loads(body)["text"] for _, body in head] == [f"m{i}" for i in range(5)]
        spool.remove_through(head[1][0])
        assert len(spool) == 3 and spool.append(b"{}")
    finally:
        spool.close()


def test_a_spool_is_used_by_one_process_at_a_time(tmp_path: Path) -> None:
    from bot.events.spool import SpoolInUse

    first = EventSpool(tmp_path / "spool.sqlite")
    try:
        with pytest.raises(SpoolInUse):
            EventSpool(tmp_path / "spool.sqlite")
    finally:
        first.close()
    EventSpool(tmp_path / "spool.sqlite").close()  # free again once closed


def test_rabbitmq_stopped_and_started_loses_no_event(db_url: str, tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """The real RabbitMQ stopped for a few seconds while events are published and consumed: every event
    reaches a second queue in publication order, and the consumer records each exactly once."""
    if not db_url.startswith("postgresql"):
        pytest.skip("the consumer runs against PostgreSQL in production")
    monkeypatch.setenv("EVENT_SPOOL_PATH", str(tmp_path / "spool.sqlite"))
    exchange, queue = names()
    ordered = f"{queue}_order"
    sender = f"outage-{uuid.uuid4().hex[:6]}"

    async def scenario() -> tuple[int, int]:
        stop = asyncio.Event()
        consumer = asyncio.create_task(consume_forever(AMQP or "", queue, stop, db_url, exchange, max_backoff_s=2))
        broker = make_broker(exchange, [queue, ordered])
        await broker.connect()
        published = 0

        async def publish_for(seconds: float) -> None:
            nonlocal published
            end = time.monotonic() + seconds
            while time.monotonic() < end:
                broker.publish(event(published, sender))
                published += 1
                await asyncio.sleep(0.05)

        try:
            await publish_for(2)
            try:
                await asyncio.to_thread(stop_rabbitmq)
                await publish_for(5)
            finally:
                await asyncio.to_thread(ensure_rabbitmq)
            await publish_for(2)
            await wait_until_sent(broker, timeout_s=60)
            kept = len(broker.spool or [])
            deadline = time.monotonic() + 60
            while recorded(db_url, sender) < published and time.monotonic() < deadline:
                await asyncio.sleep(0.5)
        finally:
            stop.set()
            await asyncio.wait_for(consumer, 30)
            await broker.close()
        assert kept == 0
        texts = await drain_queue(ordered)
        await drain_queue(queue, exchange)
        deduplicated = list(dict.fromkeys(texts))  # a publication whose confirm was lost comes twice
        assert deduplicated == [f"m{i}" for i in range(published)]
        return published, recorded(db_url, sender)

    published, counted = asyncio.run(scenario())
    assert counted == published > 100


def recorded(url: str, sender: str) -> int:
    with session_scope(url) as session:
        return int(session.execute(sa.select(sa.func.count()).select_from(tables.messages)
                                   .where(tables.messages.c.conversation_id == sender)).scalar_one())


def test_production_endpoints_use_the_spooling_broker(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from bot.production.config import amqp_parts

    exchange, queue = names()
    for name, value in {**amqp_parts(AMQP or ""), "AMQP_URL": AMQP or "", "EVENTS_QUEUE": queue,
                        "EVENTS_EXCHANGE": exchange, "ACTION_SERVER_URL": "http://x",
                        "ACTION_SERVER_TOKEN": "t" * 32, "TRACKER_STORE_URL": "sqlite://", "REDIS_HOST": "x",
                        "REDIS_PORT": "6379", "REDIS_DB": "0", "REDIS_PASSWORD": "",
                        "EVENT_SPOOL_PATH": str(tmp_path / "spool.sqlite")}.items():
        monkeypatch.setenv(name, value)
    config = read_endpoint_config(str(ROOT / "endpoints.production.yml"), "event_broker")

    async def create() -> str:
        broker = await EventBroker.create(config, asyncio.get_running_loop())
        assert broker is not None
        broker.publish(event(0))
        await wait_until_sent(broker)  # type: ignore[arg-type]
        await broker.close()
        assert await drain_queue(queue, exchange) == ["m0"]
        return type(broker).__name__

    assert asyncio.run(create()) == "SpoolingPikaEventBroker"

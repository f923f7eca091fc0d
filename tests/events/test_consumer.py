"""The consumer against the real RabbitMQ and PostgreSQL: published events recorded once, redeliveries and
re-publications skipped, nothing left in the queue."""

from __future__ import annotations

import asyncio
import os
import uuid

import aio_pika
import pytest
import sqlalchemy as sa

from bot.db.engine import session_scope
from bot.events import tables
from bot.events.consumer import consume
from tests.events.test_analytics import stream

AMQP = os.environ.get("TEST_AMQP_URL")
pytestmark = pytest.mark.skipif(not AMQP, reason="TEST_AMQP_URL is not set (CI sets it to the local RabbitMQ)")


async def publish(exchange_name: str, queue_name: str, bodies: list[bytes]) -> None:
    connection = await aio_pika.connect_robust(AMQP)
    async with connection:
        channel = await connection.channel()
        exchange = await channel.declare_exchange(exchange_name, aio_pika.ExchangeType.FANOUT, durable=True)
        queue = await channel.declare_queue(queue_name, durable=True)
        await queue.bind(exchange, "")
        for body in bodies:
            await exchange.publish(aio_pika.Message(body, delivery_mode=aio_pika.DeliveryMode.PERSISTENT), "")


async def take_without_ack(queue_name: str, count: int) -> None:
    """A consumer that dies before acknowledging: RabbitMQ delivers these messages again."""
    connection = await aio_pika.connect_robust(AMQP)
    async with connection:
        channel = await connection.channel()
        queue = await channel.get_queue(queue_name)
        for _ in range(count):
            assert await queue.get(no_ack=False, timeout=5) is not None


async def delete(exchange_name: str, queue_name: str) -> None:
    connection = await aio_pika.connect_robust(AMQP)
    async with connection:
        channel = await connection.channel()
        await channel.queue_delete(queue_name)
        await channel.exchange_delete(exchange_name)


def counts(url: str, table: sa.Table) -> int:
    with session_scope(url) as session:
        return int(session.execute(sa.select(sa.func.count()).select_from(table)).scalar_one())


def test_consumer_records_each_event_once(db_url: str) -> None:
    if not db_url.startswith("postgresql"):
        pytest.skip("the consumer runs against PostgreSQL in production")
    suffix = uuid.uuid4().hex[:8]
    exchange, queue = f"test-exchange-{suffix}", f"test_events_{suffix}"
    events = stream()
    try:
        asyncio.run(publish(exchange, queue, events))
        asyncio.run(take_without_ack(queue, 3))  # redelivered after that consumer's connection closes
        first = asyncio.run(consume(AMQP, queue, db_url, until_idle_s=1.5, exchange_name=exchange))
        assert (first.recorded, first.duplicates, first.invalid) == (len(events), 0, 0)

        asyncio.run(publish(exchange, queue, events[:4] + [b"not json"]))  # published twice by a retrying broker
        second = asyncio.run(consume(AMQP, queue, db_url, until_idle_s=1.5, exchange_name=exchange))
        assert (second.recorded, second.duplicates, second.invalid) == (0, 4, 1)
    finally:
        asyncio.run(delete(exchange, queue))
    assert counts(db_url, tables.processed_events) == len(events)
    assert counts(db_url, tables.messages) == 5
    assert counts(db_url, tables.unanswered) == 3
    assert counts(db_url, tables.escalations) == 1

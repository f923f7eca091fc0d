"""`python -m bot events consume`: reads Rasa's events from RabbitMQ and records them (bot/events/analytics.py).

A message is acknowledged only after its rows are committed; while the database is unreachable it is
returned to the queue and retried with back-off, so nothing is lost, and the ledger of processed events
makes the redelivery harmless. The queue is declared and bound to Rasa's exchange as Rasa does, so events
published while the consumer is down wait in the queue.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
from dataclasses import dataclass

import aio_pika
from aiormq.exceptions import ChannelInvalidStateError
from sqlalchemy.exc import DBAPIError, OperationalError

from bot.db.engine import session_scope
from bot.events.analytics import record

logger = logging.getLogger(__name__)
RASA_EXCHANGE = "rasa-exchange"  # rasa.core.brokers.pika.RABBITMQ_EXCHANGE
MAX_BACKOFF_S = 30.0


@dataclass
class Counts:
    recorded: int = 0
    duplicates: int = 0
    invalid: int = 0


def apply(body: bytes, database_url: str | None) -> bool:
    with session_scope(database_url) as session:
        return record(session, body)


async def consume(amqp_url: str, queue_name: str, database_url: str | None = None,
                  until_idle_s: float | None = None, stop: asyncio.Event | None = None,
                  exchange_name: str = RASA_EXCHANGE) -> Counts:
    """Consumes until `stop` is set, or until the queue was empty for `until_idle_s` seconds."""
    counts = Counts()
    stop = stop or asyncio.Event()
    connection = await aio_pika.connect_robust(amqp_url)
    async with connection:
        channel = await connection.channel()
        await channel.set_qos(prefetch_count=100)
        # durable, as bot.events.broker declares it: bindings survive a RabbitMQ restart
        exchange = await channel.declare_exchange(exchange_name, aio_pika.ExchangeType.FANOUT, durable=True)
        queue = await channel.declare_queue(queue_name, durable=True)
        await queue.bind(exchange, "")
        backoff = 1.0
        loop = asyncio.get_running_loop()
        idle_since = loop.time()
        while not stop.is_set():
            try:
                message = await queue.get(no_ack=False, fail=False, timeout=5)
            except (aio_pika.exceptions.AMQPError, ConnectionError, asyncio.TimeoutError) as exc:
                # the robust connection reconnects by itself (RabbitMQ restart); unacknowledged
                # messages come back from the queue, and the ledger skips what was already recorded
                logger.warning("RabbitMQ connection lost (%s); waiting for it", type(exc).__name__)
                await asyncio.sleep(1)
                continue
            except ChannelInvalidStateError as exc:  # the channel did not come back: start afresh
                raise ConnectionError(f"RabbitMQ channel closed: {exc}") from exc
            if message is None:
                if until_idle_s is not None and loop.time() - idle_since >= until_idle_s:
                    break
                await asyncio.sleep(0.2)
                continue
            idle_since = loop.time()
            try:
                new = await asyncio.to_thread(apply, message.body, database_url)
            except (OperationalError, DBAPIError) as exc:
                logger.warning("database unavailable (%s); event returned to the queue, retry in %.0f s",
                               type(exc).__name__, backoff)
                await message.nack(requeue=True)
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, MAX_BACKOFF_S)
                continue
            except ValueError:
                logger.error("dropping an event that is not JSON: %r", message.body[:200])
                counts.invalid += 1
                await message.reject(requeue=False)
                continue
            backoff = 1.0
            try:
                await message.ack()
            except (aio_pika.exceptions.AMQPError, ChannelInvalidStateError, ConnectionError) as exc:
                logger.warning("acknowledgement lost (%s): the event will come again and be skipped", exc)
            if new:
                counts.recorded += 1
            else:
                counts.duplicates += 1
    return counts


def main() -> int:
    logging.basicConfig(level=os.environ.get("LOG_LEVEL", "INFO"))
    amqp_url = os.environ.get("AMQP_URL")
    if not amqp_url:
        raise SystemExit("AMQP_URL is not set (e.g. amqp://user:password@rabbitmq:5672/%2F)")
    queue_name = os.environ.get("EVENTS_QUEUE", "rasa_events")
    exchange_name = os.environ.get("EVENTS_EXCHANGE", RASA_EXCHANGE)

    async def run() -> Counts:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
        while not stop.is_set():
            try:
                return await consume(amqp_url, queue_name, stop=stop, exchange_name=exchange_name)
            except (aio_pika.exceptions.AMQPConnectionError, ConnectionError, OSError) as exc:
                logger.warning("RabbitMQ unreachable (%s); retrying in 5 s", exc)
                try:
                    await asyncio.wait_for(stop.wait(), timeout=5)
                except asyncio.TimeoutError:
                    pass
        return Counts()

    counts = asyncio.run(run())
    logger.info("stopped: %s", counts)
    return 0

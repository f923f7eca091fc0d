"""`python -m bot events consume`: reads Rasa's events from RabbitMQ and records them (bot/events/analytics.py).

A message is acknowledged only after its rows are committed; while the database is unreachable it is
returned to the queue and retried with back-off, so nothing is lost, and the ledger of processed events
makes the redelivery harmless. The queue is declared and bound to Rasa's exchange as Rasa does, so events
published while the consumer is down wait in the queue.

The connection is a plain one, not aio-pika's "robust" connection, and every call has a time limit: after
a RabbitMQ restart the robust connection's queue.get waited through the whole outage and then failed on
the old channel, and the consumer that closed it and connected anew could hang there (found with the
topology test that saw no event arrive after the RabbitMQ fault test). Now any failure ends `consume`, and
`main` connects again with back-off; unacknowledged messages come back from the queue.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
from dataclasses import dataclass
from typing import Awaitable

import aio_pika
from sqlalchemy.exc import DBAPIError, OperationalError

from bot.db.engine import session_scope
from bot.events.analytics import record

logger = logging.getLogger(__name__)
RASA_EXCHANGE = "rasa-exchange"  # rasa.core.brokers.pika.RABBITMQ_EXCHANGE
MAX_BACKOFF_S = 10.0
CALL_TIMEOUT_S = 15.0
STABLE_AFTER_S = 60.0  # a connection that lasted this long resets the reconnection back-off


@dataclass
class Counts:
    recorded: int = 0
    duplicates: int = 0
    invalid: int = 0


def apply(body: bytes, database_url: str | None) -> bool:
    with session_scope(database_url) as session:
        return record(session, body)


async def _settle(call: Awaitable[object]) -> None:
    """An ack/nack/reject with a time limit; a failure means the connection is gone."""
    try:
        await asyncio.wait_for(call, CALL_TIMEOUT_S)
    except (aio_pika.exceptions.AMQPError, RuntimeError, OSError, asyncio.TimeoutError) as exc:
        raise ConnectionError(f"RabbitMQ connection lost while settling a message ({exc})") from exc


async def consume(amqp_url: str, queue_name: str, database_url: str | None = None,
                  until_idle_s: float | None = None, stop: asyncio.Event | None = None,
                  exchange_name: str = RASA_EXCHANGE) -> Counts:
    """Consumes until `stop` is set, or until the queue was empty for `until_idle_s` seconds."""
    counts = Counts()
    stop = stop or asyncio.Event()
    connection = await aio_pika.connect(amqp_url, timeout=CALL_TIMEOUT_S)
    try:
        channel = await asyncio.wait_for(connection.channel(), CALL_TIMEOUT_S)
        await asyncio.wait_for(channel.set_qos(prefetch_count=100), CALL_TIMEOUT_S)
        # durable, as bot.events.broker declares it: bindings survive a RabbitMQ restart
        exchange = await asyncio.wait_for(
            channel.declare_exchange(exchange_name, aio_pika.ExchangeType.FANOUT, durable=True), CALL_TIMEOUT_S)
        queue = await asyncio.wait_for(channel.declare_queue(queue_name, durable=True), CALL_TIMEOUT_S)
        await asyncio.wait_for(queue.bind(exchange, ""), CALL_TIMEOUT_S)
        backoff = 1.0
        loop = asyncio.get_running_loop()
        idle_since = loop.time()
        while not stop.is_set():
            try:
                message = await asyncio.wait_for(queue.get(no_ack=False, fail=False, timeout=5), CALL_TIMEOUT_S)
            except (aio_pika.exceptions.AMQPError, RuntimeError, OSError, asyncio.TimeoutError) as exc:
                # RuntimeError: aiormq's ChannelInvalidStateError, the channel died with the connection
                raise ConnectionError(f"RabbitMQ connection lost ({type(exc).__name__}: {exc})") from exc
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
                await _settle(message.nack(requeue=True))
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, MAX_BACKOFF_S)
                continue
            except ValueError:
                logger.error("dropping an event that is not JSON: %r", message.body[:200])
                counts.invalid += 1
                await _settle(message.reject(requeue=False))
                continue
            backoff = 1.0
            if new:
                counts.recorded += 1
            else:
                counts.duplicates += 1
            await _settle(message.ack())  # if lost, the event comes again and the ledger skips it
    finally:
        await asyncio.gather(asyncio.wait_for(connection.close(), CALL_TIMEOUT_S), return_exceptions=True)
    return counts


async def consume_forever(amqp_url: str, queue_name: str, stop: asyncio.Event, database_url: str | None = None,
                          exchange_name: str = RASA_EXCHANGE, max_backoff_s: float = MAX_BACKOFF_S) -> Counts:
    """`consume` again after every lost connection (RabbitMQ restarted or unreachable) until `stop` is set."""
    loop = asyncio.get_running_loop()
    total = Counts()
    backoff = 1.0
    while not stop.is_set():
        started = loop.time()
        try:
            counts = await consume(amqp_url, queue_name, database_url, stop=stop, exchange_name=exchange_name)
        except (aio_pika.exceptions.AMQPError, ConnectionError, OSError, asyncio.TimeoutError) as exc:
            if loop.time() - started > STABLE_AFTER_S:
                backoff = 1.0
            logger.warning("RabbitMQ unreachable (%s); connecting again in %.0f s", exc, backoff)
            try:
                await asyncio.wait_for(stop.wait(), timeout=backoff)
            except asyncio.TimeoutError:
                pass
            backoff = min(backoff * 2, max_backoff_s)
            continue
        total.recorded += counts.recorded
        total.duplicates += counts.duplicates
        total.invalid += counts.invalid
    return total


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
        return await consume_forever(amqp_url, queue_name, stop, exchange_name=exchange_name)

    counts = asyncio.run(run())
    logger.info("stopped: %s", counts)
    return 0

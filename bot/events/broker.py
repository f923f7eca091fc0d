"""Rasa's RabbitMQ event broker, rebuilt so that no event is lost: spooled on disk, published in order.

Rasa's PikaEventBroker keeps unpublished events in memory and relies on aio-pika's "robust" connection to
come back after a RabbitMQ restart. Measured here, that loses events three ways: the memory is gone when the
Rasa process dies; events whose publication fails while the robust connection is being restored wait for a
reconnection that already happened; and a robust connection whose reconnection attempt ends in an error
aio-pika does not expect (asyncio.TimeoutError on Python 3.10 is none of its CONNECTION_EXCEPTIONS) stops
reconnecting for good while still reporting itself open.

This broker appends every event to a bounded SQLite spool (bot/events/spool.py) and returns at once: a
customer's turn never waits for RabbitMQ. One publisher task sends the spool's events in order over a plain
connection with publisher confirms, and removes them only once RabbitMQ has confirmed them. Any failure
closes the connection; the task reconnects with back-off, declares the exchange and queues again and goes
on where it stopped. An event may therefore be published twice (confirm lost), never lost or reordered; the
consumer skips the repetition (the event key is the hash of the body, which the spool keeps byte for byte).

endpoints.production.yml: `event_broker: type: bot.events.broker.SpoolingPikaEventBroker`.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from typing import Any

import aio_pika
import rasa.shared.core.events  # noqa: F401  (Rasa's pika module uses it without importing it)
from rasa.core.brokers.pika import PikaEventBroker, _create_rabbitmq_ssl_options

from bot.events.spool import EventSpool, max_events, spool_path
from bot.paths import VAR_DIR

logger = logging.getLogger(__name__)
BATCH = 200
CONNECT_TIMEOUT_S = 10.0
PUBLISH_TIMEOUT_S = 10.0
IDLE_CHECK_S = 5.0
MAX_BACKOFF_S = 10.0
CLOSE_FLUSH_S = 5.0
REFUSED_LOG_EVERY_S = 10.0


class SpoolingPikaEventBroker(PikaEventBroker):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.spool: EventSpool | None = None
        self._wake = asyncio.Event()
        self._publisher: asyncio.Task | None = None
        self._connected = False
        self._refused_logged_at = 0.0
        self._flush_scheduled = False

    async def connect(self) -> None:
        """Opens the spool and starts publishing; does not wait for RabbitMQ (events wait in the spool)."""
        self.spool = EventSpool(spool_path(VAR_DIR), max_events())
        if len(self.spool):
            logger.warning("%d event(s) kept in %s from an earlier run will be published", len(self.spool),
                           self.spool.path)
        self._publisher = asyncio.get_running_loop().create_task(self._publish_forever())

    def is_ready(self) -> bool:
        return self._connected

    def publish(self, event: dict[str, Any], headers: dict[str, str] | None = None) -> None:
        """Spools the event (Rasa calls this synchronously for every new tracker event)."""
        if self.spool is None:
            raise RuntimeError("the event broker is not connected")
        if not self._flush_scheduled:  # one write for all events of this loop turn (a turn saves several)
            self._flush_scheduled = True
            asyncio.get_running_loop().call_soon(self._flush)
        if not self.spool.append(json.dumps(event).encode("utf-8")):
            now = time.monotonic()
            if now - self._refused_logged_at > REFUSED_LOG_EVERY_S:
                self._refused_logged_at = now
                logger.error("event spool %s is full (%d events): %d event(s) dropped so far",
                             self.spool.path, self.spool.max_events, self.spool.refused)
        self._wake.set()

    def _flush(self) -> None:
        self._flush_scheduled = False
        if self.spool is not None:
            self.spool.flush()

    async def _publish_forever(self) -> None:
        backoff = 1.0
        while True:
            try:
                connection = await self._open_connection()
            except (asyncio.TimeoutError, OSError, aio_pika.exceptions.AMQPError) as exc:
                self._report_unreachable(exc, backoff)
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, MAX_BACKOFF_S)
                continue
            try:
                channel = await connection.channel(publisher_confirms=True, on_return_raises=True)
                exchange = await asyncio.wait_for(self._set_up_exchange(channel), PUBLISH_TIMEOUT_S)
                self._connected = True
                if backoff > 1.0 and self.spool is not None:
                    logger.warning("RabbitMQ reachable again: publishing %d kept event(s)", len(self.spool))
                backoff = 1.0
                await self._drain(exchange, connection)
            except Exception as exc:  # noqa: BLE001  (this task must outlive any failure: events wait on it)
                self._report_unreachable(exc, backoff)
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, MAX_BACKOFF_S)
            finally:
                self._connected = False
                await asyncio.gather(asyncio.wait_for(connection.close(), 5), return_exceptions=True)

    async def _open_connection(self) -> aio_pika.Connection:
        """A plain (not "robust") connection: a failure surfaces here and the caller reconnects."""
        ssl_options = _create_rabbitmq_ssl_options(self.host)
        connection = await aio_pika.connect(
            url=self._configure_url(), host=self.host, port=self.port, login=self.username,
            password=self.password, ssl=ssl_options is not None, ssl_options=ssl_options, timeout=CONNECT_TIMEOUT_S)
        return connection  # type: ignore[return-value]

    def _report_unreachable(self, exc: BaseException, backoff: float) -> None:
        kept = len(self.spool) if self.spool else 0
        logger.warning("RabbitMQ unreachable (%s: %s); %d event(s) kept in the spool; retrying in %.0f s",
                       type(exc).__name__, exc, kept, backoff)

    async def _set_up_exchange(self, channel: aio_pika.abc.AbstractChannel) -> aio_pika.abc.AbstractExchange:
        """Durable exchange (Rasa's is not: a RabbitMQ restart would drop it with its bindings), durable queues."""
        exchange = await channel.declare_exchange(self.exchange_name, type=aio_pika.ExchangeType.FANOUT,
                                                  durable=True)
        for queue_name in self.queues:
            queue = await channel.declare_queue(queue_name, durable=True)
            await queue.bind(exchange, "")
        return exchange

    async def _drain(self, exchange: aio_pika.abc.AbstractExchange, connection: aio_pika.Connection) -> None:
        """Publishes the spool in order, batch by batch, removing what RabbitMQ confirmed; waits for more."""
        assert self.spool is not None
        while True:
            batch = self.spool.head(BATCH)
            if not batch:
                self._wake.clear()
                try:
                    await asyncio.wait_for(self._wake.wait(), IDLE_CHECK_S)
                except asyncio.TimeoutError:
                    if not connection.connected.is_set():
                        raise ConnectionError("RabbitMQ closed the connection") from None
                continue
            messages = [aio_pika.Message(body, app_id=self.rasa_environment,
                                         delivery_mode=aio_pika.DeliveryMode.PERSISTENT) for _, body in batch]
            # Published together, confirmed together: the channel writes them in call order (one lock,
            # first come first served), so the order holds while the confirms' round trips overlap.
            results = await asyncio.gather(*(asyncio.wait_for(exchange.publish(m, ""), PUBLISH_TIMEOUT_S)
                                             for m in messages), return_exceptions=True)
            failed = next((i for i, r in enumerate(results) if isinstance(r, BaseException)), None)
            confirmed = len(batch) if failed is None else failed
            if confirmed:
                self.spool.remove_through(batch[confirmed - 1][0])
            if failed is not None:  # the rest goes again after reconnecting (once more if it had arrived)
                raise results[failed]  # type: ignore[misc]

    async def close(self) -> None:
        """Stops publishing after a short last flush; what is left stays in the spool for the next start."""
        if self._publisher is not None:
            if self.spool is not None and len(self.spool) and self._connected:
                deadline = time.monotonic() + CLOSE_FLUSH_S
                while len(self.spool) and self._connected and time.monotonic() < deadline:
                    await asyncio.sleep(0.1)
            self._publisher.cancel()
            await asyncio.gather(self._publisher, return_exceptions=True)
            self._publisher = None
        if self.spool is not None:
            if len(self.spool):
                logger.warning("%d event(s) stay in %s until the next start", len(self.spool), self.spool.path)
            self.spool.close()
            self.spool = None

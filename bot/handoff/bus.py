"""Live events of the handoff (queue changes, customer and agent messages, typing, joined/left).

Topics: `queue:<queue>` (escalation created / claimed / closed) and `conversation:<id>`. Payloads are JSON
objects with a `type`.

Implementations, picked by `bus_from_env()` from `EVENT_BUS_URL`:
- `redis://...`: `RedisBus`, Redis pub/sub; every process publishes and subscribes directly (production).
- `http://127.0.0.1:<WEB_PORT>/internal/bus` (what `make run` sets): the embedded default. `make run` starts
  Rasa, the action server and the web/console server as separate processes, so a purely in-memory bus in one
  of them would not see the others' events. The web/console server, where every subscriber lives (the
  console's live views), hosts the hub: an `InProcessBus` exposed at `/internal/bus/publish` and
  `/internal/bus/subscribe`, authenticated with RASA_AUTH_TOKEN. Rasa and the action server publish with
  `HttpBus`. Chosen over polling the database/tracker because an event reaches the console in milliseconds
  with no extra load, and over an embedded broker because it needs nothing beyond the servers that already run.
  The token is RASA_AUTH_TOKEN: whoever holds it can already write into any conversation through Rasa's API,
  so the bus grants nothing more, and there is no extra secret to provision.
- unset: `InProcessBus`, for one process (tests, the hub itself).
Delivery is best effort and at most once: a publish never fails the customer's turn; what must not be lost
(messages) is stored in the tracker, and the console and widget re-read it after a reconnect.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
from typing import Any, AsyncIterator, Mapping, Protocol

logger = logging.getLogger(__name__)
QUEUE_LIMIT = 1000  # events buffered per subscriber; a subscriber that falls this far behind loses the oldest
PUBLISH_TIMEOUT_S = 2.0


def queue_topic(queue: str) -> str:
    return f"queue:{queue}"


def conversation_topic(conversation_id: str) -> str:
    return f"conversation:{conversation_id}"


class Subscription(Protocol):
    """An async iterator of payloads; `ready()` returns once events published from now on will arrive."""

    async def ready(self) -> None: ...

    def __aiter__(self) -> AsyncIterator[dict]: ...

    async def __anext__(self) -> dict: ...

    async def aclose(self) -> None: ...


class EventBus(Protocol):
    async def publish(self, topic: str, payload: dict) -> None: ...

    def subscribe(self, topic: str) -> Subscription: ...


class _LocalSubscription:
    def __init__(self, bus: InProcessBus, topic: str) -> None:
        self._bus, self._topic = bus, topic
        self.queue: asyncio.Queue[dict] = asyncio.Queue(maxsize=QUEUE_LIMIT)
        bus._subscribers.setdefault(topic, set()).add(self)  # registered now: nothing published later is missed

    async def ready(self) -> None:
        return None

    def __aiter__(self) -> _LocalSubscription:
        return self

    async def __anext__(self) -> dict:
        return await self.queue.get()

    async def aclose(self) -> None:
        subscribers = self._bus._subscribers.get(self._topic)
        if subscribers is not None:
            subscribers.discard(self)
            if not subscribers:
                del self._bus._subscribers[self._topic]


class InProcessBus:
    """Fan-out to the subscribers of this process (one event loop)."""

    def __init__(self) -> None:
        self._subscribers: dict[str, set[_LocalSubscription]] = {}

    async def publish(self, topic: str, payload: dict) -> None:
        for subscription in list(self._subscribers.get(topic, ())):
            if subscription.queue.full():
                subscription.queue.get_nowait()
                logger.warning("Subscriber of %s is too slow; dropped its oldest event", topic)
            subscription.queue.put_nowait(payload)

    def subscribe(self, topic: str) -> _LocalSubscription:
        return _LocalSubscription(self, topic)

    def subscriber_count(self, topic: str) -> int:
        return len(self._subscribers.get(topic, ()))


class _RedisSubscription:
    def __init__(self, client: Any, topic: str) -> None:
        self._pubsub = client.pubsub(ignore_subscribe_messages=True)
        self._topic = topic
        self._subscribed = False

    async def ready(self) -> None:
        if not self._subscribed:
            await self._pubsub.subscribe(self._topic)
            self._subscribed = True

    def __aiter__(self) -> _RedisSubscription:
        return self

    async def __anext__(self) -> dict:
        await self.ready()
        while True:
            message = await self._pubsub.get_message(ignore_subscribe_messages=True, timeout=1.0)
            if message and message.get("type") == "message":
                return dict(json.loads(message["data"]))

    async def aclose(self) -> None:
        with contextlib.suppress(Exception):  # closing a broken connection must not mask the caller's error
            await self._pubsub.unsubscribe(self._topic)
        await self._pubsub.close()


class RedisBus:
    """Redis pub/sub (redis.asyncio): every process of every host sees every event."""

    def __init__(self, url: str) -> None:
        import redis.asyncio as redis_asyncio

        self._client = redis_asyncio.Redis.from_url(url, socket_connect_timeout=PUBLISH_TIMEOUT_S)

    async def publish(self, topic: str, payload: dict) -> None:
        await self._client.publish(topic, json.dumps(payload, ensure_ascii=False))

    def subscribe(self, topic: str) -> _RedisSubscription:
        return _RedisSubscription(self._client, topic)

    async def close(self) -> None:
        await self._client.close()


class _HttpSubscription:
    """Reads the hub's newline-delimited JSON stream of one topic."""

    def __init__(self, bus: HttpBus, topic: str) -> None:
        self._bus, self._topic = bus, topic
        self._session: Any = None
        self._response: Any = None

    async def ready(self) -> None:
        if self._response is None:
            import aiohttp

            self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=None, sock_connect=5))
            self._response = await self._session.get(f"{self._bus.url}/subscribe", params={"topic": self._topic},
                                                     headers=self._bus.headers)
            self._response.raise_for_status()
            await self._response.content.readline()  # the hub's first line confirms the subscription

    def __aiter__(self) -> _HttpSubscription:
        return self

    async def __anext__(self) -> dict:
        await self.ready()
        while True:
            line = await self._response.content.readline()
            if not line:
                raise StopAsyncIteration
            if line.strip():
                return dict(json.loads(line))

    async def aclose(self) -> None:
        if self._response is not None:
            self._response.close()
        if self._session is not None:
            await self._session.close()


class HttpBus:
    """Publishes to (and can subscribe at) the hub that the web/console server hosts."""

    def __init__(self, url: str, token: str) -> None:
        from bot.settings import check_secret

        self.url = url.rstrip("/")
        token = check_secret("RASA_AUTH_TOKEN", token)
        self.headers = {"Authorization": f"Bearer {token}"}

    async def publish(self, topic: str, payload: dict) -> None:
        import aiohttp

        timeout = aiohttp.ClientTimeout(total=PUBLISH_TIMEOUT_S)
        async with aiohttp.ClientSession(timeout=timeout) as session:
            async with session.post(f"{self.url}/publish", json={"topic": topic, "payload": payload},
                                    headers=self.headers) as response:
                response.raise_for_status()

    def subscribe(self, topic: str) -> _HttpSubscription:
        return _HttpSubscription(self, topic)


async def publish_quietly(bus: EventBus, topic: str, payload: dict) -> bool:
    """Publishes; a bus that is down is logged, never raised into the customer's turn."""
    try:
        await asyncio.wait_for(bus.publish(topic, payload), timeout=PUBLISH_TIMEOUT_S + 1)
        return True
    except Exception:  # noqa: BLE001 - any transport error; the message itself is safe in the tracker
        logger.exception("Could not publish %s event to %s", payload.get("type"), topic)
        return False


_hub: InProcessBus | None = None


def bus_from_env(env: Mapping[str, str] | None = None, *, hub: bool = False) -> EventBus:
    """The bus this process uses. `hub=True` in the web/console server: it hosts the embedded bus."""
    global _hub
    env = os.environ if env is None else env
    url = env.get("EVENT_BUS_URL", "")
    if url.startswith(("redis://", "rediss://")):
        return RedisBus(url)
    if url.startswith(("http://", "https://")) and not hub:
        return HttpBus(url, env.get("RASA_AUTH_TOKEN", ""))
    if _hub is None:
        _hub = InProcessBus()  # one per process, created on first use (no import-time state)
    return _hub

"""Customer channels for several Rasa servers: socket.io shared through Redis, and an answer even when a
turn fails outright (the tracker store unreachable during a database restart).

Rasa 3.6 creates its socket.io server without a client manager, so a message sent to a conversation (an
agent's reply, a proactive message through the HTTP API) reaches the widget only when it is sent through
the server holding that socket. This channel gives the server python-socketio's Redis client manager:
every emit to a session room is published on a Redis channel and delivered by whichever server holds the
socket. credentials.production.yml: `bot.channels_cluster.ClusterRest` and
`bot.channels_cluster.ClusterSocketIO` (with `redis_url`).
"""

from __future__ import annotations

import logging
import os
from typing import Any, Awaitable, Callable

from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Blueprint
from socketio import AsyncRedisManager
from socketio.asyncio_manager import AsyncManager

from bot.channel_replay import replay_resent_messages
from bot.channels import RestWithFallback, SocketIOWithFallback, fallback_language
from bot.locales import resolve_locale
from bot.render import render

logger = logging.getLogger(__name__)


def answer_on_error(on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Callable[[UserMessage], Awaitable[Any]]:
    """A turn that raises (database or lock store unreachable) still gets the localized technical-problem
    answer, instead of an empty reply; the customer can simply send the message again."""

    async def handle(message: UserMessage) -> Any:
        try:
            return await on_new_message(message)
        except Exception:
            logger.exception("Turn of %s failed; sending the technical-problem answer", message.sender_id)
            language, country = fallback_language(message)
            text = render(resolve_locale(language, country), "utter_technical_problem").text
            await message.output_channel.send_response(message.sender_id or "", {"text": text})
            return None

    return handle


def fail_turns_on_tracker_store_errors(app: Any) -> None:
    """Rasa wraps the tracker store in a FailSafeTrackerStore that, on a database error, silently carries
    on with an empty in-memory tracker: that turn forgets the conversation (language, form) and its events
    are never saved. With several servers sharing PostgreSQL a failing store must fail the turn instead:
    the customer gets the technical-problem answer (answer_on_error) and the conversation stays whole.
    Models loaded later (the model server) get the same store: Agent.load_model passes it on."""
    from rasa.core.tracker_store import FailSafeTrackerStore

    agent = getattr(app.ctx, "agent", None)
    store = getattr(agent, "tracker_store", None)
    if agent is not None and isinstance(store, FailSafeTrackerStore):
        agent.tracker_store = store._tracker_store
        if agent.processor is not None:
            agent.processor.tracker_store = store._tracker_store
        logger.info("Tracker store errors now fail the turn (no in-memory fallback)")


class ClusterRest(RestWithFallback):
    @classmethod
    def name(cls) -> str:
        return "rest"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        blueprint = super().blueprint(answer_on_error(replay_resent_messages(on_new_message)))

        @blueprint.listener("after_server_start")
        async def strict_tracker_store(app: Any, _: Any) -> None:
            fail_turns_on_tracker_store_errors(app)

        return blueprint


class LocalFallbackRedisManager(AsyncRedisManager):  # type: ignore[misc]
    """Publishes through Redis; while Redis is unreachable, still delivers to the sockets of this server
    (the widget's own replies are emitted by the server it is connected to), instead of dropping them."""

    async def emit(self, event: str, data: Any, namespace: str | None = None, room: str | None = None,
                   skip_sid: Any = None, callback: Any = None, **kwargs: Any) -> None:
        if kwargs.get("ignore_queue") or callback is not None:
            await super().emit(event, data, namespace=namespace, room=room, skip_sid=skip_sid,
                               callback=callback, **kwargs)
            return
        published = await self._publish({"method": "emit", "event": event, "data": data,
                                          "namespace": namespace or "/", "room": room, "skip_sid": skip_sid,
                                          "callback": None, "host_id": self.host_id})
        if published is None:
            logger.warning("Redis unreachable: delivering %s to this server's sockets only", event)
            await AsyncManager.emit(self, event, data, namespace=namespace or "/", room=room, skip_sid=skip_sid)


class ClusterSocketIO(SocketIOWithFallback):
    """SocketIOWithFallback (every customer message gets an answer) with emits shared through Redis."""

    def __init__(self, *args: Any, redis_url: str | None = None, redis_channel: str = "support-assistant-socketio",
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.redis_url = redis_url or os.environ.get("REDIS_URL") or ""
        self.redis_channel = redis_channel
        if not self.redis_url:
            raise ValueError("ClusterSocketIO needs `redis_url` in credentials (or REDIS_URL)")

    @classmethod
    def name(cls) -> str:
        return "socketio"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> InputChannel:
        credentials = credentials or {}
        return cls(
            credentials.get("user_message_evt", "user_uttered"),
            credentials.get("bot_message_evt", "bot_uttered"),
            credentials.get("namespace"),
            credentials.get("session_persistence", False),
            credentials.get("socketio_path", "/socket.io"),
            credentials.get("jwt_key"),
            credentials.get("jwt_method", "HS256"),
            credentials.get("metadata_key", "metadata"),
            redis_url=credentials.get("redis_url"),
            redis_channel=credentials.get("redis_channel", "support-assistant-socketio"),
        )

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        blueprint = super().blueprint(answer_on_error(replay_resent_messages(on_new_message)))
        sio = self.sio
        assert sio is not None  # set by Rasa's blueprint()
        manager = LocalFallbackRedisManager(self.redis_url, channel=self.redis_channel)
        manager.set_server(sio)
        sio.manager = manager  # no client has connected yet: nothing to carry over

        @blueprint.listener("after_server_start")
        async def listen_to_redis(*_: Any) -> None:
            # Normally started by the first connection; a server without sockets must still not miss the
            # emits of others (and it must be subscribed before a client of its own connects).
            if not sio.manager_initialized:
                sio.manager_initialized = True
                sio.manager.initialize()

        return blueprint

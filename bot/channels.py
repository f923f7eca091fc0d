"""Customer channels with one guarantee: every customer message gets an answer - except while a colleague
has the conversation (bot.handoff.channel): then Rasa is paused and the silence is intended.

When a turn produced no message at all - the action server is down or timed out, an action failed - the
customer gets the localized "technical problem" answer with the country's phone or online channel,
instead of silence. Configured in credentials.yml: `bot.channels.RestWithFallback` (webhook
`/webhooks/rest/webhook`) and `bot.channels.SocketIOWithFallback` (the website widget).

Both also enforce the size limits of bot.limits before any NLU runs: a huge body is refused, a long message cut,
and the rate limits of bot.rate_limit (per conversation and per client address): a customer over a limit gets
the localized "slow down" answer and the message goes no further. The client address is used only here; the
message carries on only its pseudonym `client_key` (for the actions' per-client quote-lookup limit).
"""

from __future__ import annotations

import json
import logging
from typing import Any, Awaitable, Callable

from rasa.core.channels.channel import OutputChannel, UserMessage
from rasa.core.channels.rest import RestInput
from rasa.core.channels.socketio import SocketIOInput, SocketIOOutput
from sanic import Blueprint
from sanic.request import Request

from bot import SUPPORTED_LANGUAGES
from bot.handoff.channel import HandoffSocketIOOutput, add_handoff_routes, handle_paused_turn
from bot.handoff.waiting import resume_in_process
from bot.limits import MAX_MESSAGE_CHARS, MAX_REQUEST_BYTES, TRUNCATED_FROM, cut
from bot.locales import resolve_locale
from bot.rate_limit import channel_limits, client_address
from bot.render import render

logger = logging.getLogger(__name__)
CLIENT_ADDRESS = "_client_address"  # set by the channel from the connection; removed before anything stores it
CLIENT_KEY = "client_key"  # the address's pseudonym, passed on (bot.rate_limit.ChannelLimits.client_key)


def fallback_language(message: UserMessage) -> tuple[str | None, str | None]:
    """The page's language if the channel sent it, else the language the text looks like."""
    metadata = message.metadata or {}
    language = str(metadata.get("language") or "").lower()[:2]
    if language in SUPPORTED_LANGUAGES:
        return language, metadata.get("country")
    from bot.language.detector import langdetect_restricted

    scores = langdetect_restricted(message.text or "")
    return (max(scores, key=scores.__getitem__) if scores else None), None


def limit_message(message: UserMessage) -> None:
    """Cut an over-long message before anything else sees it; the metadata keeps the original length."""
    text, original = cut(message.text)
    message.text = text
    if original is not None:
        metadata = message.metadata if isinstance(message.metadata, dict) else {}
        message.metadata = {**metadata, TRUNCATED_FROM: original}
        logger.info("Message of %s cut from %d to %d characters", message.sender_id, original, MAX_MESSAGE_CHARS)


def request_client(request: Request | None) -> str:
    if request is None:
        return "unknown"
    return client_address(request.ip, request.headers.get("x-forwarded-for"), channel_limits().trusted_proxies)


def with_client(metadata: Any, client: str) -> dict[str, Any]:
    """The message metadata with the connection's client address (overriding anything the client sent)."""
    if isinstance(metadata, str):
        try:
            metadata = json.loads(metadata)
        except ValueError:
            metadata = None
    return {**(metadata if isinstance(metadata, dict) else {}), CLIENT_ADDRESS: client}


def within_rate_limits(message: UserMessage) -> bool:
    """Applies the limits; the address leaves the metadata here, only its pseudonym stays."""
    metadata = dict(message.metadata) if isinstance(message.metadata, dict) else {}
    client = str(metadata.pop(CLIENT_ADDRESS, None) or "unknown")
    limits = channel_limits()
    metadata[CLIENT_KEY] = limits.client_key(client)
    message.metadata = metadata
    return limits.allow(message.sender_id or "", client)


async def send_localized(message: UserMessage, response: str) -> None:
    language, country = fallback_language(message)
    text = render(resolve_locale(language, country), response).text
    await message.output_channel.send_text_message(message.sender_id or "", text)


def with_fallback(on_new_message: Callable[[UserMessage], Awaitable[Any]],
                  channel: Any = None) -> Callable[[UserMessage], Awaitable[Any]]:
    """`channel.app` (the Rasa server, captured when it starts) lets a customer who leaves the queue get
    the assistant back in process."""

    async def handle(message: UserMessage) -> Any:
        limit_message(message)
        if not within_rate_limits(message):
            logger.warning("Rate limit: message of %s refused", message.sender_id)
            await send_localized(message, "utter_slow_down")
            return None
        output = message.output_channel
        sent = 0
        original = output.send_response

        async def counting(recipient_id: str, response: dict) -> None:
            nonlocal sent
            sent += 1
            await original(recipient_id, response)

        output.send_response = counting  # type: ignore[method-assign]
        # Before Rasa's turn (NLU takes a while): the colleague sees the message at once.
        paused = await handle_paused_turn(message.sender_id or "", message.text or "")
        result = await on_new_message(message)
        output.send_response = original  # type: ignore[method-assign]
        if paused.cancelled is not None:
            await back_to_assistant(channel, message, paused.cancelled)
            return result
        if not sent and not paused.with_colleague:
            logger.warning("Turn of %s produced no reply; sending the technical-problem answer", message.sender_id)
            await send_localized(message, "utter_technical_problem")
        return result

    return handle


async def back_to_assistant(channel: Any, message: UserMessage, escalation: dict[str, Any]) -> None:
    """The customer left the queue: Rasa stored the message while still paused; now the assistant resumes
    and greets them (if that fails, the escalation is cancelled already and the next turn finds the
    conversation paused with no escalation: the session start and hand-back paths resume it)."""
    app = getattr(channel, "app", None)
    if app is None:
        logger.warning("No Rasa app to resume %s in; the customer left the queue", message.sender_id)
        return
    try:
        await resume_in_process(app, message.sender_id or "", str(escalation["language"]),
                                escalation.get("country"), message.output_channel)
    except Exception:  # noqa: BLE001 - logged; the technical-problem answer says something went wrong
        logger.exception("Could not resume %s after the customer left the queue", message.sender_id)
        await send_localized(message, "utter_technical_problem")


def keep_app(blueprint: Blueprint, channel: Any) -> None:
    """Remembers the Rasa server app on the channel when it starts (its agent, lock and tracker store)."""

    @blueprint.listener("before_server_start")
    async def remember(app: Any, _loop: Any) -> None:
        channel.app = app


def cap_request_size(blueprint: Blueprint) -> Blueprint:
    """Make the Rasa server refuse bodies over MAX_REQUEST_BYTES (413) before reading them.

    Sanic reads REQUEST_MAX_SIZE per connection, so setting it before the server starts covers every route of
    the Rasa server (channels and HTTP API). A lower SANIC_REQUEST_MAX_SIZE from the environment still wins.
    """

    @blueprint.listener("before_server_start")
    async def cap(app: Any, _loop: Any) -> None:
        app.config.REQUEST_MAX_SIZE = min(int(app.config.REQUEST_MAX_SIZE), MAX_REQUEST_BYTES)

    return blueprint


class RestWithFallback(RestInput):
    @classmethod
    def name(cls) -> str:
        return "rest"

    def get_metadata(self, request: Request) -> dict[str, Any]:
        return with_client(super().get_metadata(request), request_client(request))

    def _extract_message(self, req: Any) -> str:
        # A number is text; a list or object is no text (it would crash UserMessage, which strips it).
        return cut(super()._extract_message(req), limit=MAX_REQUEST_BYTES)[0]

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[None]]) -> Blueprint:
        blueprint = super().blueprint(with_fallback(on_new_message, self))
        keep_app(blueprint, self)
        return cap_request_size(blueprint)


class SocketIOWithFallback(SocketIOInput):
    """Rasa's socket.io channel (the website widget), with the same guarantee."""

    @classmethod
    def name(cls) -> str:
        return "socketio"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        blueprint = super().blueprint(self._handoff_output(with_fallback(on_new_message, self)))
        keep_app(blueprint, self)
        if self.sio is not None:  # engine.io's cap on one packet: the same as the Rasa server's request cap
            self.sio.eio.max_http_buffer_size = MAX_REQUEST_BYTES
            self._add_client_address()
        add_handoff_routes(blueprint, self)
        return cap_request_size(blueprint)

    def _handoff_output(self, handle: Callable[[UserMessage], Awaitable[Any]]) -> Callable[[UserMessage], Awaitable[Any]]:
        """The customer's own turns go out through HandoffSocketIOOutput too (timestamps, waiting marker)."""

        async def upgraded(message: UserMessage) -> Any:
            output = message.output_channel
            if self.sio is not None and type(output) is SocketIOOutput:
                message.output_channel = HandoffSocketIOOutput(self.sio, self.bot_message_evt)
            return await handle(message)

        return upgraded

    def get_output_channel(self) -> OutputChannel | None:
        """For messages pushed through Rasa's HTTP API (agents' replies): they carry the agent's name."""
        if self.sio is None:
            return super().get_output_channel()
        return HandoffSocketIOOutput(self.sio, self.bot_message_evt)

    def _add_client_address(self) -> None:
        """Wraps Rasa's message handler: the message's metadata gets the connection's client address."""
        assert self.sio is not None
        sio, namespace = self.sio, self.namespace or "/"
        handlers = sio.handlers[namespace]
        original = handlers[self.user_message_evt]

        async def handle_message(sid: str, data: Any) -> Any:
            if isinstance(data, dict):
                request = (sio.get_environ(sid, namespace) or {}).get("sanic.request")
                key = self.metadata_key or "metadata"
                data = {**data, key: with_client(data.get(key), request_client(request))}
            return await original(sid, data)

        handlers[self.user_message_evt] = handle_message

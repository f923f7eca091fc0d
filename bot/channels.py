"""Customer channels with one guarantee: every customer message gets an answer.

When a turn produced no message at all - the action server is down or timed out, an action failed - the
customer gets the localized "technical problem" answer with the country's phone or online channel,
instead of silence. Configured in credentials.yml: `bot.channels.RestWithFallback` (webhook
`/webhooks/rest/webhook`) and `bot.channels.SocketIOWithFallback` (the website widget).

Both also enforce the size limits of bot.limits before any NLU runs: a huge body is refused, a long message cut.
"""

from __future__ import annotations

import logging
from typing import Any, Awaitable, Callable

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.rest import RestInput
from rasa.core.channels.socketio import SocketIOInput
from sanic import Blueprint

from bot import SUPPORTED_LANGUAGES
from bot.limits import MAX_MESSAGE_CHARS, MAX_REQUEST_BYTES, TRUNCATED_FROM, cut
from bot.locales import resolve_locale
from bot.render import render

logger = logging.getLogger(__name__)


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


def with_fallback(on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Callable[[UserMessage], Awaitable[Any]]:
    async def handle(message: UserMessage) -> Any:
        limit_message(message)
        output = message.output_channel
        sent = 0
        original = output.send_response

        async def counting(recipient_id: str, response: dict) -> None:
            nonlocal sent
            sent += 1
            await original(recipient_id, response)

        output.send_response = counting  # type: ignore[method-assign]
        result = await on_new_message(message)
        output.send_response = original  # type: ignore[method-assign]
        if not sent:
            language, country = fallback_language(message)
            logger.warning("Turn of %s produced no reply; sending the technical-problem answer", message.sender_id)
            text = render(resolve_locale(language, country), "utter_technical_problem").text
            await output.send_text_message(message.sender_id or "", text)
        return result

    return handle


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

    def _extract_message(self, req: Any) -> str:
        # A number is text; a list or object is no text (it would crash UserMessage, which strips it).
        return cut(super()._extract_message(req), limit=MAX_REQUEST_BYTES)[0]

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[None]]) -> Blueprint:
        return cap_request_size(super().blueprint(with_fallback(on_new_message)))


class SocketIOWithFallback(SocketIOInput):
    """Rasa's socket.io channel (the website widget), with the same guarantee."""

    @classmethod
    def name(cls) -> str:
        return "socketio"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        blueprint = super().blueprint(with_fallback(on_new_message))
        if self.sio is not None:  # engine.io's cap on one packet: the same as the Rasa server's request cap
            self.sio.eio.max_http_buffer_size = MAX_REQUEST_BYTES
        return cap_request_size(blueprint)

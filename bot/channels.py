"""Customer channels with one guarantee: every customer message gets an answer - except while a colleague
has the conversation (bot.handoff.channel): then Rasa is paused and the silence is intended.

When a turn produced no message at all - the action server is down or timed out, an action failed - the
customer gets the localized "technical problem" answer with the country's phone or online channel,
instead of silence. Configured in credentials.yml: `bot.channels.RestWithFallback` (webhook
`/webhooks/rest/webhook`) and `bot.channels.SocketIOWithFallback` (the website widget).
"""

from __future__ import annotations

import logging
from typing import Any, Awaitable, Callable

from rasa.core.channels.channel import OutputChannel, UserMessage
from rasa.core.channels.rest import RestInput
from rasa.core.channels.socketio import SocketIOInput
from sanic import Blueprint

from bot import SUPPORTED_LANGUAGES
from bot.handoff.channel import HandoffSocketIOOutput, add_handoff_routes, handle_paused_turn
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


def with_fallback(on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Callable[[UserMessage], Awaitable[Any]]:
    async def handle(message: UserMessage) -> Any:
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
        if not sent and await handle_paused_turn(message.sender_id or "", message.text or ""):
            return result  # with a colleague: the assistant is silent on purpose
        if not sent:
            language, country = fallback_language(message)
            logger.warning("Turn of %s produced no reply; sending the technical-problem answer", message.sender_id)
            text = render(resolve_locale(language, country), "utter_technical_problem").text
            await output.send_text_message(message.sender_id or "", text)
        return result

    return handle


class RestWithFallback(RestInput):
    @classmethod
    def name(cls) -> str:
        return "rest"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[None]]) -> Blueprint:
        return super().blueprint(with_fallback(on_new_message))


class SocketIOWithFallback(SocketIOInput):
    """Rasa's socket.io channel (the website widget), with the same guarantee."""

    @classmethod
    def name(cls) -> str:
        return "socketio"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        blueprint = super().blueprint(with_fallback(on_new_message))
        add_handoff_routes(blueprint, self)
        return blueprint

    def get_output_channel(self) -> OutputChannel | None:
        """For messages pushed through Rasa's HTTP API (agents' replies): they carry the agent's name."""
        if self.sio is None:
            return super().get_output_channel()
        return HandoffSocketIOOutput(self.sio, self.bot_message_evt)

"""Exactly-once turns for clients that resend: a message that carries `metadata.message_id` and was already
processed is answered with the replies it got the first time instead of being processed again.

With several Rasa servers a turn can be cut off after it was saved (a server crashes before answering):
the balancer replays it on another server and clients resend after a timeout. Without this, a form would
take the same answer twice (the contract number as the company). The check runs under the conversation's
lock (the Redis lock store, shared by all servers), so a resend waits for a turn still in progress.
"""

from __future__ import annotations

import logging
import re
from typing import Any, Awaitable, Callable

from rasa.core.channels.channel import UserMessage
from rasa.shared.core.events import BotUttered, UserUttered
from sanic import Sanic

logger = logging.getLogger(__name__)
MESSAGE_ID = re.compile(r"[A-Za-z0-9_.:-]{8,64}")


def client_message_id(message: UserMessage) -> str | None:
    value = (message.metadata or {}).get("message_id")
    return value if isinstance(value, str) and MESSAGE_ID.fullmatch(value) else None


def earlier_replies(events: list[Any], message_id: str) -> list[dict[str, Any]] | None:
    """The bot messages that answered the user message `message_id`, or None if it was never processed;
    [] when it was processed without a reply (an action timed out): such a message is processed again."""
    for index, event in enumerate(events):
        if isinstance(event, UserUttered) and event.message_id == message_id:
            replies = []
            for later in events[index + 1:]:
                if isinstance(later, UserUttered):
                    break
                if isinstance(later, BotUttered):
                    reply = {k: v for k, v in later.message().items() if v is not None and k != "timestamp"}
                    replies.append(reply)
            return replies
    return None


def replay_resent_messages(on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Callable[[UserMessage], Awaitable[Any]]:
    async def handle(message: UserMessage) -> Any:
        message_id = client_message_id(message)
        if message_id is None:
            return await on_new_message(message)
        agent = Sanic.get_app().ctx.agent  # the one Rasa server app of this process
        if not agent.is_ready():
            return await on_new_message(message)
        message.message_id = message_id
        async with agent.lock_store.lock(message.sender_id):
            tracker = await agent.tracker_store.retrieve(message.sender_id)
            replies = earlier_replies(list(tracker.events), message_id) if tracker else None
            if not replies:  # never processed, or it failed without a reply (the customer saw an apology)
                return await agent.processor.handle_message(message)
        logger.info("Message %s of %s was already processed: replaying its answer", message_id, message.sender_id)
        for reply in replies:
            await message.output_channel.send_response(message.sender_id or "", reply)
        return None

    return handle

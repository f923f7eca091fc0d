"""The customer channels' side of the handoff (used by bot/channels.py, runs in the Rasa process).

- A paused turn: while a conversation waits for or talks with a colleague Rasa stays silent; the customer's
  message (stored in the tracker by Rasa) is noted on the escalation and published to `conversation:<id>`
  before Rasa's turn starts (one indexed query per customer message buys the agent Rasa's NLU time),
  and the channels' reply guarantee does not answer it (`queue:<queue>` gets the updated escalation).
  A cancel word while it still waits takes it out of the queue (bot.handoff.waiting).
- `HandoffSocketIOOutput`: Rasa's socket.io output keeps only `text` of a bot message; this one also passes
  the tracker timestamp, the agent's display name and the handoff markers (joined/left/waiting) that the
  widget shows differently. It serves the customers' own turns too (bot.channels), not only the HTTP API.
- Routes added to the socket.io channel (/webhooks/socketio/...): `POST handoff/typing` (the console's
  typing indicator, RASA_AUTH_TOKEN) and `GET history` (a reconnecting or reloaded widget's missed
  messages - the assistant's too, e.g. the hand-back greeting sent while the page reloaded - and the
  handoff state: waiting with the queue position, or claimed).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hmac
import logging
import os
import re
from dataclasses import dataclass
from typing import Any, Dict, List

from rasa.core.channels.socketio import SocketIOOutput
from sanic import Blueprint
from sanic.request import Request
from sanic.response import HTTPResponse, json

from bot.handoff.bus import bus_from_env, conversation_topic, publish_quietly, queue_topic
from bot.handoff.models import WAITING
from bot.handoff.waiting import cancel_waiting, handoff_state, is_cancel

logger = logging.getLogger(__name__)
TYPING_EVENT = "handoff_typing"
# Widget session ids are random (uuid4 hex, made by Rasa's socket.io channel): knowing one is the
# authorisation to read that conversation. REST sender ids are chosen by callers, so they never qualify.
WIDGET_SESSION = re.compile(r"^[0-9a-f]{32}$")
MAX_HISTORY = 200
PASSED_ON = ("timestamp", "handoff", "queue_position")  # BotUttered fields the widget needs besides the text


@dataclass(frozen=True)
class PausedTurn:
    """What the handoff made of a customer message: whether Rasa's silence is intended (a colleague has or
    is about to have the conversation), and the escalation the message cancelled (the customer left the
    queue: the caller resumes the assistant once Rasa has stored the message)."""

    with_colleague: bool = False
    cancelled: Dict[str, Any] | None = None


NOT_PAUSED = PausedTurn()


def _note_customer_message(conversation_id: str, text: str) -> Dict[str, Any] | None:
    from bot.db.engine import get_engine, session_scope
    from bot.handoff import service

    with get_engine().connect() as connection:
        if not service.has_open_escalation(connection, conversation_id):
            return None
    with session_scope() as session:
        escalation = service.record_customer_message(session, conversation_id, text)
        return service.summary(escalation) if escalation is not None else None


async def handle_paused_turn(conversation_id: str, text: str) -> PausedTurn:
    """Notes and publishes a message of a conversation that is with (or waits for) a colleague; a cancel word
    while it waits takes it out of the queue."""
    try:
        escalation = await asyncio.to_thread(_note_customer_message, conversation_id, text)
    except Exception as error:  # noqa: BLE001 - the database is down: the reply guarantee must answer
        logger.warning("Could not check %s for an open escalation: %s", conversation_id, error)
        return NOT_PAUSED
    if escalation is None:
        return NOT_PAUSED
    bus = bus_from_env()
    payload = {"type": "customer_message", "conversation_id": conversation_id, "text": text,
               "timestamp": dt.datetime.now(dt.timezone.utc).timestamp(), "escalation": escalation}
    await publish_quietly(bus, conversation_topic(conversation_id), payload)
    cancelled = None
    if escalation["status"] == WAITING and is_cancel(text):
        try:
            cancelled = await asyncio.to_thread(cancel_waiting, conversation_id, int(escalation["id"]))
        except Exception as error:  # noqa: BLE001 - the customer keeps waiting; the agent sees the message
            logger.warning("Could not cancel the escalation of %s: %s", conversation_id, error)
    if cancelled is not None:
        closed = {"type": "escalation_closed", "escalation": cancelled}
        await publish_quietly(bus, queue_topic(str(cancelled["queue"])), closed)
        await publish_quietly(bus, conversation_topic(conversation_id), closed)
        return PausedTurn(with_colleague=True, cancelled=cancelled)
    # The queue view shows each waiting conversation's last message and activity time.
    await publish_quietly(bus, queue_topic(str(escalation["queue"])), {"type": "escalation_updated",
                                                                       "escalation": escalation})
    return PausedTurn(with_colleague=True)


class HandoffSocketIOOutput(SocketIOOutput):
    """Every message the widget gets carries the tracker event's timestamp (Rasa's output keeps only the
    text): the widget tells a live message from the same one in the history it fetches after a reconnect,
    so nothing is shown twice or lost. Agents' messages carry the display name and the joined/left marker;
    the assistant's "please wait for a colleague" carries `handoff: waiting` and the queue position."""

    def __init__(self, sio: Any, bot_message_evt: str) -> None:
        super().__init__(sio, bot_message_evt)
        self._extra: Dict[str, Any] = {}

    async def send_response(self, recipient_id: str, message: Dict[str, Any]) -> None:
        if message.get("agent"):
            await super()._send_message(recipient_id, {
                "text": message.get("text") or "", "agent": str(message["agent"]),
                "handoff": message.get("handoff"), "timestamp": message.get("timestamp")})
            return
        self._extra = {key: message[key] for key in PASSED_ON if message.get(key) is not None}
        try:
            await super().send_response(recipient_id, message)
        finally:
            self._extra = {}

    async def _send_message(self, socket_id: str, response: Any) -> None:
        if self._extra and isinstance(response, dict):
            response = {**self._extra, **response}
        await super()._send_message(socket_id, response)


def _authorised(request: Request) -> bool:
    token = os.environ.get("RASA_AUTH_TOKEN", "")
    header = request.headers.get("Authorization", "")
    supplied = header[7:].strip() if header.startswith("Bearer ") else ""
    return bool(token) and hmac.compare_digest(supplied.encode(), token.encode())


def history_entries(events: List[Dict[str, Any]], since: float) -> List[Dict[str, Any]]:
    """The customer's, the assistant's and agents' messages after `since` (a Unix timestamp)."""
    entries = []
    for event in events:
        if event.get("event") not in ("user", "bot") or float(event.get("timestamp") or 0) <= since:
            continue
        metadata = event.get("metadata") or {}
        entry: Dict[str, Any] = {"from": "customer" if event["event"] == "user" else "assistant",
                                 "text": event.get("text") or "", "timestamp": event.get("timestamp")}
        if event["event"] == "bot":
            if metadata.get("agent"):
                entry.update({"from": "agent", "agent": metadata["agent"], "handoff": metadata.get("handoff")})
            elif metadata.get("handoff") == WAITING:
                entry["handoff"] = WAITING
            entry["buttons"] = (event.get("data") or {}).get("buttons") or []
        entries.append(entry)
    return entries[-MAX_HISTORY:]


def add_handoff_routes(blueprint: Blueprint, channel: Any) -> None:
    """Adds the typing and history routes to the socket.io channel's blueprint."""

    async def typing(request: Request) -> HTTPResponse:
        if not _authorised(request):
            return json({"error": "unauthorized"}, status=401)
        body = request.json if isinstance(request.json, dict) else {}
        conversation_id, agent = str(body.get("conversation_id") or ""), str(body.get("agent") or "")
        if not conversation_id or channel.sio is None:
            return json({"error": "conversation_id needed"}, status=400)
        await channel.sio.emit(TYPING_EVENT, {"agent": agent, "typing": bool(body.get("typing"))},
                               room=conversation_id)
        return json({"ok": True})

    async def history(request: Request) -> HTTPResponse:
        session_id = request.args.get("session_id") or ""
        try:
            since = float(request.args.get("since") or 0)
        except ValueError:
            return json({"error": "since must be a Unix timestamp"}, status=400)
        if not WIDGET_SESSION.match(session_id):
            return json({"error": "not found"}, status=404)
        tracker = await request.app.ctx.agent.tracker_store.retrieve(session_id)
        if tracker is None or tracker.get_latest_input_channel() not in (None, channel.name()):
            return json({"messages": []})
        events = [e.as_dict() for e in tracker.events]
        try:
            state = await asyncio.to_thread(handoff_state, session_id) if tracker.is_paused() else None
        except Exception as error:  # noqa: BLE001 - the messages matter more than the queue position
            logger.warning("Handoff state of %s unavailable: %s", session_id, error)
            state = {"status": "unknown"}
        return json({"messages": history_entries(events, since), "paused": tracker.is_paused(), "handoff": state})

    blueprint.add_route(typing, "/handoff/typing", methods=["POST"])
    blueprint.add_route(history, "/history", methods=["GET"])

"""What an agent does to a customer's conversation, through Rasa's HTTP API (RASA_AUTH_TOKEN).

Agent replies are `bot` events appended with
`POST /conversations/{id}/tracker/events?output_channel=socketio&execute_side_effects=true`: Rasa stores
them in the tracker (the transcript and a reconnecting widget's history show them) and sends them through
the socket.io channel's output, which emits to the room named by the conversation id - the room the widget
joins with `session_persistence: true` (rasa/core/channels/socketio.py: `enter_room(sid, session_id)`,
`emit(..., room=recipient_id)`). Chosen over emitting on the socket.io server directly because it stores
and delivers in one call, with no second copy of the message to keep consistent. The `agent` metadata
(display name) marks the message as an agent's; bot.handoff.channel passes it to the widget.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from typing import Any, Dict, List
from urllib.parse import quote

import aiohttp

from bot.locales import resolve_locale
from bot.render import render

OUTPUT_CHANNEL = "socketio"
TIMEOUT_S = 10


class RasaApiError(RuntimeError):
    """Rasa refused or failed the call; the message says which call and the status."""


@dataclass(frozen=True)
class RasaApi:
    url: str  # e.g. http://127.0.0.1:5005
    token: str

    @classmethod
    def from_env(cls) -> RasaApi:
        from bot.settings import check_secret

        url = os.environ.get("RASA_URL") or f"http://127.0.0.1:{os.environ.get('RASA_PORT', '5005')}"
        return cls(url.rstrip("/"), check_secret("RASA_AUTH_TOKEN", os.environ.get("RASA_AUTH_TOKEN")))

    async def _call(self, method: str, path: str, body: Any = None, **params: str) -> Any:
        params["token"] = self.token
        timeout = aiohttp.ClientTimeout(total=TIMEOUT_S)
        async with aiohttp.ClientSession(timeout=timeout) as session:
            async with session.request(method, f"{self.url}{path}", json=body, params=params) as response:
                if response.status >= 400:
                    raise RasaApiError(f"{method} {path}: HTTP {response.status}")
                return await response.json(content_type=None)

    async def append_events(self, conversation_id: str, events: List[Dict[str, Any]]) -> Dict[str, Any]:
        path = f"/conversations/{quote(conversation_id, safe='')}/tracker/events"
        return dict(await self._call("POST", path, events, output_channel=OUTPUT_CHANNEL,
                                     execute_side_effects="true"))

    async def parse(self, text: str) -> Dict[str, Any]:
        """Rasa's /model/parse of one message with the serving model (FAQ suggestions, page imports)."""
        return dict(await self._call("POST", "/model/parse", {"text": text}))

    async def status(self) -> Dict[str, Any]:
        return dict(await self._call("GET", "/status"))

    async def tracker(self, conversation_id: str) -> Dict[str, Any]:
        return dict(await self._call("GET", f"/conversations/{quote(conversation_id, safe='')}/tracker"))

    async def post_typing(self, conversation_id: str, agent: str, typing: bool) -> None:
        timeout = aiohttp.ClientTimeout(total=TIMEOUT_S)
        async with aiohttp.ClientSession(timeout=timeout) as session:
            async with session.post(f"{self.url}/webhooks/socketio/handoff/typing",
                                    json={"conversation_id": conversation_id, "agent": agent, "typing": typing},
                                    headers={"Authorization": f"Bearer {self.token}"}) as response:
                if response.status >= 400:
                    raise RasaApiError(f"typing: HTTP {response.status}")


def _now() -> float:
    return dt.datetime.now(dt.timezone.utc).timestamp()


def _agent_event(text: str, agent: str, handoff: str | None = None) -> Dict[str, Any]:
    metadata: Dict[str, Any] = {"agent": agent}
    if handoff:
        metadata["handoff"] = handoff
    return {"event": "bot", "text": text, "timestamp": _now(), "data": {}, "metadata": metadata}


async def send_agent_message(conversation_id: str, text: str, agent: str, api: RasaApi | None = None) -> None:
    """The agent's reply: stored in the tracker and pushed to the customer's open widget."""
    await (api or RasaApi.from_env()).append_events(conversation_id, [_agent_event(text, agent)])


async def agent_joined(conversation_id: str, agent: str, api: RasaApi | None = None) -> None:
    """After a claim: the widget shows "<agent> joined" (stored too, so a reload shows it)."""
    await (api or RasaApi.from_env()).append_events(conversation_id, [_agent_event("", agent, "joined")])


async def typing(conversation_id: str, agent: str, on: bool, api: RasaApi | None = None) -> None:
    """The widget's typing indicator for the agent; not stored."""
    await (api or RasaApi.from_env()).post_typing(conversation_id, agent, on)


def resume_events(language: str, country: str | None = None, agent: str | None = None) -> List[Dict[str, Any]]:
    """The events that give a conversation back to the assistant: "<agent> left" (when an agent had it),
    ConversationResumed, the assistant's greeting in the customer's language, and listening (so the next
    message is predicted as after any reply). Shared by the console (over the HTTP API) and the channel
    (a customer leaving the queue, in process)."""
    greeting = render(resolve_locale(language, country), "utter_handoff_back").text
    events = [_agent_event("", agent, "left")] if agent else []
    return events + [{"event": "resume", "timestamp": _now()},
                     {"event": "bot", "text": greeting, "timestamp": _now(), "data": {}, "metadata": {}},
                     {"event": "action", "name": "action_listen", "timestamp": _now()}]


async def resume(conversation_id: str, language: str, country: str | None = None, agent: str | None = None,
                 api: RasaApi | None = None) -> str:
    """Hands the conversation back (resume_events). Returns the greeting. The escalation's status
    (returned/resolved) is recorded by bot.handoff.service."""
    events = resume_events(language, country, agent)
    await (api or RasaApi.from_env()).append_events(conversation_id, events)
    return str(next(e["text"] for e in events if e["event"] == "bot" and not e["metadata"]))


def transcript_entries(events: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
    """Customer, assistant and agent messages with time; the customer's detected language; for the
    assistant's turns the intent and confidence it answered."""
    entries: List[Dict[str, Any]] = []
    intent: Dict[str, Any] = {}
    for event in events:
        kind = event.get("event")
        if kind == "user":
            parse = event.get("parse_data") or {}
            intent = parse.get("intent") or {}
            entries.append({"from": "customer", "text": event.get("text") or "", "timestamp": event.get("timestamp"),
                            "language": parse.get("language"), "intent": intent.get("name"),
                            "confidence": intent.get("confidence")})
        elif kind == "bot":
            metadata = event.get("metadata") or {}
            if metadata.get("agent"):
                entries.append({"from": "agent", "text": event.get("text") or "", "agent": metadata["agent"],
                                "handoff": metadata.get("handoff"), "timestamp": event.get("timestamp")})
            else:
                entries.append({"from": "assistant", "text": event.get("text") or "",
                                "timestamp": event.get("timestamp"), "intent": intent.get("name"),
                                "confidence": intent.get("confidence")})
    return entries


async def transcript(conversation_id: str, api: RasaApi | None = None) -> List[Dict[str, Any]]:
    """The whole conversation from the tracker store, oldest first."""
    tracker = await (api or RasaApi.from_env()).tracker(conversation_id)
    return transcript_entries(list(tracker.get("events") or []))

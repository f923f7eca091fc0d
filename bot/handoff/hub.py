"""The embedded event bus's HTTP face, mounted in the web/console server (see bot.handoff.bus).

POST /internal/bus/publish {"topic", "payload"} and GET /internal/bus/subscribe?topic= (newline-delimited
JSON, first line `{}` once subscribed). Both need `Authorization: Bearer <RASA_AUTH_TOKEN>`; the server
listens on 127.0.0.1 only.
"""

from __future__ import annotations

import asyncio
import hmac
import json

from sanic import Blueprint
from sanic.request import Request
from sanic.response import HTTPResponse
from sanic.response import json as json_response

from bot.handoff.bus import InProcessBus

KEEPALIVE_S = 15.0
MAX_TOPIC_CHARS = 300


def _authorised(request: Request, token: str) -> bool:
    header = request.headers.get("Authorization", "")
    supplied = header[7:].strip() if header.startswith("Bearer ") else ""
    return bool(token) and hmac.compare_digest(supplied.encode(), token.encode())


def _topic_ok(topic: object) -> bool:
    return isinstance(topic, str) and 0 < len(topic) <= MAX_TOPIC_CHARS and topic.split(":", 1)[0] in {
        "queue", "conversation"}


def hub_blueprint(bus: InProcessBus, token: str) -> Blueprint:
    blueprint = Blueprint("event_bus_hub", url_prefix="/internal/bus")

    @blueprint.post("/publish")
    async def publish(request: Request) -> HTTPResponse:
        if not _authorised(request, token):
            return json_response({"error": "unauthorized"}, status=401)
        body = request.json if isinstance(request.json, dict) else {}
        topic, payload = body.get("topic"), body.get("payload")
        if not _topic_ok(topic) or not isinstance(payload, dict):
            return json_response({"error": "topic (queue:... or conversation:...) and payload object needed"},
                                 status=400)
        await bus.publish(str(topic), payload)
        return json_response({"ok": True})

    @blueprint.get("/subscribe")
    async def subscribe(request: Request) -> HTTPResponse | None:
        if not _authorised(request, token):
            return json_response({"error": "unauthorized"}, status=401)
        topic = request.args.get("topic")
        if not _topic_ok(topic):
            return json_response({"error": "topic (queue:... or conversation:...) needed"}, status=400)
        subscription = bus.subscribe(str(topic))
        response = await request.respond(content_type="application/x-ndjson")
        try:
            await response.send("{}\n")
            while True:
                try:
                    event = await asyncio.wait_for(subscription.__anext__(), timeout=KEEPALIVE_S)
                    await response.send(json.dumps(event, ensure_ascii=False) + "\n")
                except asyncio.TimeoutError:
                    await response.send("\n")  # keep-alive; a gone client makes send fail and ends the loop
        finally:
            await subscription.aclose()
        return None

    return blueprint

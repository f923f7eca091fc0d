"""A stand-in for Rasa's HTTP API (the calls the console makes), in a thread of the test process: trackers
are plain event lists the test fills and inspects; /model/parse answers a fixed FAQ ranking."""

from __future__ import annotations

import asyncio
import threading
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from bot.local_servers import free_port

RANKING = [{"intent_response_key": "faq/contract_copy", "confidence": 0.81},
           {"intent_response_key": "faq/no_such_topic", "confidence": 0.1},
           {"intent_response_key": "faq/view_contracts", "confidence": 0.05},
           {"intent_response_key": "faq/renew_subscription", "confidence": 0.03},
           {"intent_response_key": "faq/order_status", "confidence": 0.01}]


@dataclass
class FakeRasa:
    token: str
    trackers: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    parsed: list[str] = field(default_factory=list)
    typing: list[dict[str, Any]] = field(default_factory=list)
    port: int = field(default_factory=free_port)
    parses: dict[str, dict[str, Any]] = field(default_factory=dict)  # text: Rasa's parse result, else RANKING
    down: bool = False  # /model/parse answers 503, as a Rasa server that is loading or gone

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _authorised(self, request: web.Request) -> bool:
        return request.query.get("token") == self.token or request.headers.get("Authorization") == (
            f"Bearer {self.token}")

    async def _tracker(self, request: web.Request) -> web.Response:
        if not self._authorised(request):
            return web.json_response({"error": "unauthorized"}, status=401)
        conversation = request.match_info["conversation"]
        return web.json_response({"sender_id": conversation, "events": self.trackers.get(conversation, [])})

    async def _append(self, request: web.Request) -> web.Response:
        if not self._authorised(request):
            return web.json_response({"error": "unauthorized"}, status=401)
        events = await request.json()
        self.trackers.setdefault(request.match_info["conversation"], []).extend(events)
        return web.json_response({"events": self.trackers[request.match_info["conversation"]]})

    async def _parse(self, request: web.Request) -> web.Response:
        if not self._authorised(request):
            return web.json_response({"error": "unauthorized"}, status=401)
        text = (await request.json())["text"]
        self.parsed.append(text)
        if self.down:
            return web.json_response({"error": "loading"}, status=503)
        if text in self.parses:
            return web.json_response({"text": text, **self.parses[text]})
        return web.json_response({"intent": {"name": "faq", "confidence": 0.9},
                                  "response_selector": {"faq": {"ranking": RANKING}}})

    async def _typing(self, request: web.Request) -> web.Response:
        if not self._authorised(request):
            return web.json_response({"error": "unauthorized"}, status=401)
        self.typing.append(await request.json())
        return web.json_response({"ok": True})

    def start(self) -> None:
        ready = threading.Event()

        def serve() -> None:
            loop = asyncio.new_event_loop()
            app = web.Application()
            app.router.add_get("/conversations/{conversation}/tracker", self._tracker)
            app.router.add_post("/conversations/{conversation}/tracker/events", self._append)
            app.router.add_post("/model/parse", self._parse)
            app.router.add_post("/webhooks/socketio/handoff/typing", self._typing)
            runner = web.AppRunner(app)
            loop.run_until_complete(runner.setup())
            loop.run_until_complete(web.TCPSite(runner, "127.0.0.1", self.port).start())
            ready.set()
            loop.run_forever()

        threading.Thread(target=serve, daemon=True).start()
        ready.wait(10)

"""Server-sent events for the console: the live queue and the live conversation.

Events come from the handoff's bus (`request.app.ctx.bus`: the embedded hub or Redis). Several topics (an
agent's queues) are merged into one stream. A comment line every KEEPALIVE_S keeps proxies from closing an
idle stream and lets the server notice a browser that has gone (the send fails). The browser's EventSource
reconnects by itself; on every (re)connect the page re-reads the full state, so an event missed while the
stream was down loses nothing.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from typing import Any, Iterable

from sanic.request import Request

KEEPALIVE_S = 15.0


async def _forward(subscription: Any, into: asyncio.Queue) -> None:
    async for event in subscription:
        await into.put(event)


async def stream(request: Request, topics: Iterable[str]) -> None:
    """Streams every event of these topics to the browser until it disconnects."""
    bus = request.app.ctx.bus
    subscriptions = [bus.subscribe(topic) for topic in topics]
    merged: asyncio.Queue[dict] = asyncio.Queue(maxsize=1000)
    tasks = []
    try:
        for subscription in subscriptions:
            await subscription.ready()
            tasks.append(asyncio.create_task(_forward(subscription, merged)))
        response = await request.respond(content_type="text/event-stream; charset=utf-8",
                                         headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"})
        await response.send("retry: 2000\n: connected\n\n")
        while True:
            try:
                event = await asyncio.wait_for(merged.get(), timeout=KEEPALIVE_S)
            except asyncio.TimeoutError:
                await response.send(": keep-alive\n\n")
                continue
            await response.send(f"data: {json.dumps(event, ensure_ascii=False)}\n\n")
    finally:
        for task in tasks:
            task.cancel()
        for subscription in subscriptions:
            with contextlib.suppress(Exception):
                await subscription.aclose()

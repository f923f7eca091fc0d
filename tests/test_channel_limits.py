"""Rate limits on the running channels: per conversation and per client address, REST and socket.io."""

from __future__ import annotations

import asyncio
import os
import uuid
from pathlib import Path
from typing import Iterator

import pytest
import socketio

from bot.local_servers import MODEL, Servers, http
from bot.locales import load_locales
from bot.render import render

pytestmark = pytest.mark.skipif(not MODEL.exists(), reason="no trained model: run `make model` first")
SLOW_DOWN = render(load_locales()["de-DE"], "utter_slow_down").text
GERMAN = {"language": "de", "country": "DE"}


@pytest.fixture(scope="module")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Servers]:
    folder = tmp_path_factory.mktemp("ratelimits")
    limits = {"RATE_LIMIT_CONVERSATION": "3/60", "RATE_LIMIT_CLIENT": "8/60", "TRUSTED_PROXIES": ""}
    saved = {k: os.environ.get(k) for k in limits}
    os.environ.update(limits)
    running = Servers(tracker_store_url=f"sqlite:///{folder / 'tracker.db'}", logs=Path(folder))
    try:
        running.start()
        yield running
    finally:
        running.stop()
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def rest(servers: Servers, sender: str, headers: dict[str, str] | None = None) -> list[str]:
    body = {"sender": sender, "message": "Wie verlängere ich mein Abonnement?", "metadata": GERMAN}
    status, replies = http("POST", f"{servers.rasa}/webhooks/rest/webhook", body, headers)
    assert status == 200
    return [r.get("text", "") for r in replies]


async def socketio_turns(url: str, count: int) -> list[list[str]]:
    client = socketio.AsyncClient()
    session = uuid.uuid4().hex
    received: asyncio.Queue = asyncio.Queue()
    client.on("bot_uttered", lambda data: received.put_nowait(data.get("text", "")))
    await client.connect(url, socketio_path="/socket.io", transports=["websocket"])
    try:
        await client.emit("session_request", {"session_id": session})
        turns = []
        for _ in range(count):
            await client.emit("user_uttered", {"message": "Wie verlängere ich mein Abonnement?",
                                               "session_id": session, "metadata": GERMAN})
            texts = [await asyncio.wait_for(received.get(), 30)]
            await asyncio.sleep(0.3)  # a turn may send more than one message
            while not received.empty():
                texts.append(received.get_nowait())
            turns.append(texts)
        return turns
    finally:
        await client.disconnect()


def test_limits_per_conversation_and_per_client_over_rest_and_socketio(servers: Servers) -> None:
    # REST: three messages in a minute per conversation, the fourth is told to slow down.
    conversation = f"rl-{uuid.uuid4().hex[:8]}"
    answers = [rest(servers, conversation) for _ in range(4)]
    assert all(a and a != [SLOW_DOWN] for a in answers[:3]) and answers[3] == [SLOW_DOWN]
    # socket.io (the widget): the same per-conversation limit. The address has used 6 of its 8 now.
    turns = asyncio.run(socketio_turns(servers.rasa, 4))
    assert all(t and t != [SLOW_DOWN] for t in turns[:3]) and turns[3] == [SLOW_DOWN]
    # A new sender id and a forged X-Forwarded-For (the peer is no trusted proxy) do not reset the
    # per-address limit: two more messages, then slow down although this conversation sent only two.
    spoofed = {"X-Forwarded-For": "198.51.100.77"}
    fresh = f"rl-{uuid.uuid4().hex[:8]}"
    answers = [rest(servers, fresh, spoofed) for _ in range(3)]
    assert all(a and a != [SLOW_DOWN] for a in answers[:2]) and answers[2] == [SLOW_DOWN]

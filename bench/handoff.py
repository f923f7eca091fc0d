"""Live handoff with real servers (actions, Rasa, web hub), support hours from the test clock.

1. Agent send -> text in the customer's widget: `rasa_api.send_agent_message` until the socket.io client of
   the customer's session receives it; p50/p95.
2. Customer send -> the console's live feed: a widget message while paused until it arrives on the bus topic
   `conversation:<id>` the console subscribes to (over the embedded hub, as the console process reads it);
   p50/p95. The console's own rendering is not included.
3. 20 simultaneous escalations across 4 queues (contracts-RO, contracts-BE, contracts-ES, renewals-ES from a
   quote lookup) with 4 agents who all race to claim every one: each conversation is claimed exactly once,
   every agent message reaches its customer and every customer reply reaches the bus.
Run: python -m bench.handoff
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import tempfile
import threading
import time
import uuid
from pathlib import Path
from typing import Any

import socketio
from sqlalchemy import select

from bench.common import summary_ms, write_result
from bot.db.engine import session_scope
from bot.db.models import User
from bot.handoff import rasa_api, service
from bot.handoff.bus import HttpBus, conversation_topic
from bot.handoff.models import Escalation
from bot.local_servers import TOKEN, Servers

MONDAY = dt.datetime(2026, 11, 30, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=2)))
SAMPLES = 40
CONVERSATIONS = 20
AGENTS = 4
ASK = {"RO": ("ro", "Vreau să vorbesc cu un coleg, vă rog"), "BE": ("nl", "Ik wil graag met een medewerker spreken"),
       "ES": ("es", "Quiero hablar con una persona, por favor")}
QUEUES = ["contracts-RO", "contracts-BE", "contracts-ES", "renewals-ES"]


class Customer:
    """A widget: one socket.io session, collecting what the server sends it."""

    def __init__(self, url: str, country: str) -> None:
        self.url, self.client = url, socketio.AsyncClient()
        self.country, self.language = country, ASK[country][0]
        self.session_id = ""
        self.received: asyncio.Queue[dict] = asyncio.Queue()

    async def start(self) -> None:
        confirmed = asyncio.Event()

        @self.client.on("session_confirm")
        async def on_confirm(data: Any) -> None:
            self.session_id = str(data)
            confirmed.set()

        @self.client.on("bot_uttered")
        async def on_bot(data: dict) -> None:
            await self.received.put(data)

        await self.client.connect(self.url, transports=["websocket"])
        await self.client.emit("session_request", {"session_id": None})
        await asyncio.wait_for(confirmed.wait(), 10)

    async def say(self, text: str) -> None:
        await self.client.emit("user_uttered", {"message": text, "session_id": self.session_id,
                                                "metadata": {"language": self.language, "country": self.country}})

    async def next_message(self, timeout: float = 30) -> dict:
        return await asyncio.wait_for(self.received.get(), timeout)


def add_agents(url: str) -> list[int]:
    with session_scope(url) as session:
        ids = []
        for n in range(AGENTS):
            user = User(name=f"bench-agent-{n}", display_name=f"Agent {n}", role="agent", queues=QUEUES,
                        password_hash="not-a-hash", active=True)
            session.add(user)
            session.flush()
            ids.append(int(user.id))
            service.heartbeat(session, user.id, QUEUES, now=MONDAY)
        return ids


async def escalate(servers: Servers, country: str, via_quote: bool = False) -> Customer:
    customer = Customer(servers.rasa, country)
    await customer.start()
    if via_quote:
        await customer.say("Quiero consultar mi oferta de renovación")
        await customer.next_message()
    await customer.say(ASK[country][1])
    await customer.next_message()  # "a colleague is coming, you are number N"
    return customer


async def latencies(servers: Servers, api: rasa_api.RasaApi) -> dict[str, Any]:
    customer = await escalate(servers, "RO")
    hub = HttpBus(f"{servers.web}/internal/bus", TOKEN)
    feed = hub.subscribe(conversation_topic(customer.session_id))
    await feed.ready()
    to_widget, to_console = [], []
    try:
        # Two loops: an agent's reply right after a customer message waits for Rasa to finish that turn (the
        # conversation's lock), which would measure the customer's NLU, not the delivery.
        for n in range(SAMPLES):
            started = time.perf_counter()
            await rasa_api.send_agent_message(customer.session_id, f"Mesaj {n} de la agent", "Agent 0", api=api)
            message = await customer.next_message(10)
            to_widget.append(time.perf_counter() - started)
            assert message.get("agent") == "Agent 0" and message["text"] == f"Mesaj {n} de la agent"
        for n in range(SAMPLES):
            started = time.perf_counter()
            await customer.say(f"Răspuns {n}")
            event = await asyncio.wait_for(feed.__anext__(), 10)
            to_console.append(time.perf_counter() - started)
            assert event["text"] == f"Răspuns {n}"
    finally:
        await feed.aclose()
        await customer.client.disconnect()
    return {"agent_to_widget": summary_ms(to_widget), "customer_to_console": summary_ms(to_console)}


def race_claims(url: str, escalation_ids: list[int], agent_ids: list[int]) -> dict[int, list[int]]:
    """Every agent claims every escalation at the same moment, each in its own thread and transaction."""
    barrier = threading.Barrier(len(agent_ids))
    wins: dict[int, list[int]] = {agent: [] for agent in agent_ids}

    def agent(agent_id: int) -> None:
        barrier.wait(timeout=30)
        for escalation_id in escalation_ids:
            with session_scope(url) as session:
                if service.claim(session, escalation_id, agent_id):
                    wins[agent_id].append(escalation_id)

    threads = [threading.Thread(target=agent, args=(a,)) for a in agent_ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return wins


async def simultaneous(servers: Servers, api: rasa_api.RasaApi, agent_ids: list[int]) -> dict[str, Any]:
    plan = [(QUEUES[n % 4].split("-")[1], QUEUES[n % 4].startswith("renewals")) for n in range(CONVERSATIONS)]
    customers = await asyncio.gather(*(escalate(servers, country, quote) for country, quote in plan))
    url = servers.settings.database_url
    with session_scope(url) as session:
        rows = session.execute(select(Escalation).where(
            Escalation.conversation_id.in_([c.session_id for c in customers]))).scalars().all()
        by_conversation = {r.conversation_id: (int(r.id), r.queue) for r in rows}
    wins = await asyncio.to_thread(race_claims, url, [i for i, _ in by_conversation.values()], agent_ids)
    claimed = sorted(e for won in wins.values() for e in won)
    winner = {e: a for a, won in wins.items() for e in won}
    hub = HttpBus(f"{servers.web}/internal/bus", TOKEN)
    feeds = [hub.subscribe(conversation_topic(c.session_id)) for c in customers]
    await asyncio.gather(*(f.ready() for f in feeds))

    async def exchange(customer: Customer, feed: Any) -> tuple[bool, bool]:
        escalation_id, _ = by_conversation[customer.session_id]
        text = f"Agent {winner[escalation_id]} for {customer.session_id[:8]}"
        await rasa_api.send_agent_message(customer.session_id, text, f"Agent {winner[escalation_id]}", api=api)
        got = await customer.next_message(30)
        await customer.say(f"reply from {customer.session_id[:8]}")
        event = await asyncio.wait_for(feed.__anext__(), 30)
        return got.get("text") == text, event.get("text") == f"reply from {customer.session_id[:8]}"

    results = await asyncio.gather(*(exchange(c, f) for c, f in zip(customers, feeds, strict=True)))
    for feed in feeds:
        await feed.aclose()
    for customer in customers:
        await customer.client.disconnect()
    return {"conversations": CONVERSATIONS, "agents": AGENTS,
            "queues": sorted({q for _, q in by_conversation.values()}),
            "escalations": len(by_conversation), "claimed_exactly_once": claimed == sorted(set(claimed))
            and len(claimed) == len(by_conversation), "claims_per_agent": {str(a): len(w) for a, w in wins.items()},
            "agent_messages_delivered": sum(r[0] for r in results),
            "customer_messages_delivered": sum(r[1] for r in results)}


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        servers = Servers(tracker_store_url=f"sqlite:///{folder}/tracker.db", logs=Path(folder),
                          database_url=os.environ.get("DATABASE_URL", f"sqlite:///{folder}/app.db"))
        os.environ["CLOCK_OVERRIDE"] = MONDAY.isoformat()  # open hours, whenever the benchmark runs
        try:
            servers.start(("actions", "rasa", "web"))
        finally:
            os.environ.pop("CLOCK_OVERRIDE", None)
        try:
            api = rasa_api.RasaApi(servers.rasa, TOKEN)
            agent_ids = add_agents(servers.settings.database_url)
            result = asyncio.run(latencies(servers, api))
            result["simultaneous"] = asyncio.run(simultaneous(servers, api, agent_ids))
        finally:
            servers.stop()
    path = write_result("handoff", {**result, "id": uuid.uuid4().hex[:8]})
    print(path.read_text(encoding="utf-8"))


if __name__ == "__main__":
    main()

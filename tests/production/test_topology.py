"""The production topology started as `python -m bot run --production --replicas 2` does, on this machine's
PostgreSQL, Redis and RabbitMQ behind HAProxy: turns spread over both servers, resent messages processed
once, socket.io messages across servers, events into the analytics tables, a Rasa server killed under load.

The service faults (PostgreSQL, Redis, RabbitMQ) are in test_faults.py; longer runs in bench/topology.py.
"""

from __future__ import annotations

import asyncio
import time
import uuid

import socketio
import sqlalchemy as sa

from bench.deployment import Deployment
from bench.faults import kill_service
from bench.load import run_load
from bot.local_servers import TOKEN, http
from tests.production.conftest import REQUIRES, assert_no_customer_left_behind, say, user_texts

pytestmark = REQUIRES


def test_rest_turns_are_spread_over_both_servers(deployment: Deployment) -> None:
    before = deployment.served()
    sender = f"spread-{uuid.uuid4().hex[:8]}"
    questions = ["Wie kann ich meine Software-Subskription verlängern?", "Welche Zahlungsmethoden gibt es?",
                 "Wie kann ich einen ServicePac aktivieren?", "Danke schön"]
    for text in questions:
        assert say(deployment.url, sender, text, "de")
    after = deployment.served()
    assert all(after[name] > before[name] for name in after), (before, after)
    # one conversation, both servers: the history is whole wherever it is read
    assert user_texts(deployment.rasa_url(0), sender) == user_texts(deployment.rasa_url(1), sender) == questions


def test_a_resent_message_is_answered_again_not_processed_twice(deployment: Deployment) -> None:
    sender = f"resend-{uuid.uuid4().hex[:8]}"
    say(deployment.url, sender, "Bitte erstellen Sie eine Serviceanfrage für mich", "de")
    message_id = uuid.uuid4().hex
    first = say(deployment.url, sender, '/inform{"request_type":"contract_copy"}', "de", message_id)
    again = say(deployment.url, sender, '/inform{"request_type":"contract_copy"}', "de", message_id)
    assert again == first and first
    assert user_texts(deployment.url, sender).count('/inform{"request_type":"contract_copy"}') == 1


def test_socketio_message_sent_through_one_server_reaches_a_widget_on_the_other(deployment: Deployment) -> None:
    async def scenario() -> dict:
        received: asyncio.Queue = asyncio.Queue()
        confirmed = asyncio.Event()
        client = socketio.AsyncClient()
        client.on("bot_uttered", received.put)
        client.on("session_confirm", lambda _: confirmed.set())
        await client.connect(deployment.rasa_url(0), transports=["websocket"])
        try:
            session = uuid.uuid4().hex
            await client.emit("session_request", {"session_id": session})
            await asyncio.wait_for(confirmed.wait(), 20)
            url = (f"{deployment.rasa_url(1)}/conversations/{session}/tracker/events"
                   f"?output_channel=socketio&execute_side_effects=true&token={TOKEN}")
            status, _ = await asyncio.to_thread(http, "POST", url, [{"event": "bot", "text": "Hallo von Server 2"}])
            assert status == 200
            return dict(await asyncio.wait_for(received.get(), 20))
        finally:
            await client.disconnect()

    # The widget's output channel adds the tracker timestamp (bot/handoff/channel.py); the text is what counts.
    assert asyncio.run(scenario())["text"] == "Hallo von Server 2"


# Runs after the RabbitMQ fault test (test_faults.py): it once saw no event arrive there. The cause was the
# consumer's aio-pika "robust" connection, which could hang after a RabbitMQ restart with the events waiting
# in the queue (bot/events/consumer.py); the consumer now reconnects by itself with a plain connection.
def test_events_reach_the_analytics_tables(deployment: Deployment) -> None:
    sender = f"events-{uuid.uuid4().hex[:8]}"
    say(deployment.url, sender, "Cum pot obține o copie a contractului meu?", "ro")
    say(deployment.url, sender, "Care este vremea mâine la București?", "ro")
    engine = sa.create_engine(deployment.database_url, future=True)
    try:
        deadline = time.monotonic() + 60
        while True:
            with engine.connect() as connection:
                rows = connection.execute(sa.text(
                    "SELECT language, intent FROM analytics_messages WHERE conversation_id = :c ORDER BY day"),
                    {"c": sender}).all()
                inbox = connection.execute(sa.text(
                    "SELECT reason FROM unanswered_questions WHERE conversation_id = :c"), {"c": sender}).all()
            if len(rows) == 2 or time.monotonic() > deadline:
                break
            time.sleep(1)
    finally:
        engine.dispose()
    assert len(rows) == 2 and {r.language for r in rows} == {"ro"}
    assert "faq/contract_copy" in {r.intent for r in rows}
    assert len(inbox) == 1  # the weather question: out of scope or the fallback


def test_a_killed_rasa_server_is_restarted_and_its_conversations_continue(deployment: Deployment) -> None:
    sender = f"survivor-{uuid.uuid4().hex[:8]}"
    say(deployment.url, sender, "Bună ziua", "ro")
    run_id = f"kill{uuid.uuid4().hex[:6]}"

    async def load_with_kill() -> tuple:
        load = asyncio.create_task(run_load(deployment.url, conversations=8, duration_s=40, run_id=run_id))
        await asyncio.sleep(10)
        killed = kill_service(deployment.run_dir, "rasa1")
        return killed, await load

    killed, result = asyncio.run(load_with_kill())
    assert_no_customer_left_behind(result, deployment, "kill_rasa")
    # the supervisor restarted it and the balancer took it back
    deployment.wait_all_up(timeout_s=600)
    assert deployment.pids()["rasa1"] != killed
    texts = user_texts(deployment.url, sender)
    replies = say(deployment.url, sender, "Cum pot obține o copie a contractului?", "ro")
    assert texts == ["Bună ziua"] and replies

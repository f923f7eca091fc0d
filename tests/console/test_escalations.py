"""The agent's escalation API against the running console and a stand-in Rasa: queues, claim, transcript,
reply, typing, hand back, resolve, heartbeat, live events, suggestions."""

from __future__ import annotations

import json
import threading
import urllib.request
import uuid

from bot.db.engine import session_scope
from bot.handoff import service
from bot.locales import resolve_locale
from bot.render import render
from tests.console.conftest import Console

XSS = "<img src=x onerror=alert(1)>"


def conversation() -> str:
    return uuid.uuid4().hex


def test_an_agent_sees_only_their_queues(console: Console) -> None:
    ro, es = console.escalate(conversation()), console.escalate(conversation(), "contracts-ES", "es")
    anna, pablo = console.signed_in("anna"), console.signed_in("pablo")
    anna_ids = {e["id"] for e in anna.get("/console/api/queue").json()["waiting"]}
    pablo_ids = {e["id"] for e in pablo.get("/console/api/queue").json()["waiting"]}
    assert ro in anna_ids and es not in anna_ids
    assert es in pablo_ids and ro not in pablo_ids
    for path in (f"/console/api/escalations/{es}", f"/console/api/escalations/{es}/suggestions"):
        assert anna.get(path).status == 404
    assert anna.get(f"/console/conversations/{es}").status == 404
    assert anna.request("POST", f"/console/api/escalations/{es}/claim", body={},
                        headers={"X-CSRF-Token": anna.csrf}).status == 404
    page = anna.get("/console/queue")
    assert page.status == 200 and "contracts-RO" in page.body and 'src="/console/static/queue.js"' in page.body


def test_concurrent_claims_have_exactly_one_winner(console: Console) -> None:
    escalation = console.escalate(conversation())
    agents = [console.signed_in("anna", "10.5.0.1"), console.signed_in("ioana", "10.5.0.2")]
    statuses: list[int] = []
    start = threading.Barrier(len(agents))

    def claim(client) -> None:  # type: ignore[no-untyped-def]
        start.wait()
        statuses.append(client.request("POST", f"/console/api/escalations/{escalation}/claim", body={},
                                       headers={"X-CSRF-Token": client.csrf}).status)

    threads = [threading.Thread(target=claim, args=(agent,)) for agent in agents]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [200, 409]


def api(client, path: str, body: dict | None = None):  # type: ignore[no-untyped-def]
    return client.request("POST", path, body=body or {}, headers={"X-CSRF-Token": client.csrf})


def test_claim_reply_typing_and_hand_back(console: Console) -> None:
    conv = conversation()
    console.rasa.trackers[conv] = [
        {"event": "user", "text": XSS, "timestamp": 1.0,
         "parse_data": {"intent": {"name": "request_human", "confidence": 0.97}, "language": "ro"}},
        {"event": "bot", "text": "Un coleg vine imediat.", "timestamp": 2.0, "metadata": {}}]
    escalation = console.escalate(conv, last_message=XSS)
    anna, ioana = console.signed_in("anna"), console.signed_in("ioana")
    base = f"/console/api/escalations/{escalation}"
    assert api(anna, f"{base}/reply", {"text": "Bună ziua"}).status == 409  # not claimed yet
    assert api(anna, f"{base}/claim").status == 200
    assert console.rasa.trackers[conv][-1]["metadata"] == {"agent": "Anna", "handoff": "joined"}

    state = anna.get(base).json()
    assert state["escalation"]["status"] == "claimed" and state["agent_name"] == "Anna"
    assert state["transcript"][0] == {"from": "customer", "text": XSS, "timestamp": 1.0, "language": "ro",
                                      "intent": "request_human", "confidence": 0.97}
    assert state["transcript"][1]["from"] == "assistant" and state["transcript"][1]["intent"] == "request_human"

    assert api(ioana, f"{base}/reply", {"text": "Nu eu"}).status == 409  # only the claiming agent writes
    assert api(anna, f"{base}/reply", {"text": "   "}).status == 400
    assert api(anna, f"{base}/reply", {"text": "Bună ziua, sunt Anna."}).status == 200
    sent = console.rasa.trackers[conv][-1]
    assert (sent["event"], sent["text"], sent["metadata"]) == ("bot", "Bună ziua, sunt Anna.", {"agent": "Anna"})
    assert api(anna, f"{base}/typing", {"typing": True}).status == 200
    assert console.rasa.typing[-1] == {"conversation_id": conv, "agent": "Anna", "typing": True}

    assert api(ioana, f"{base}/hand-back").status == 409
    assert api(anna, f"{base}/hand-back").status == 200
    events = console.rasa.trackers[conv][-4:]
    assert [e["event"] for e in events] == ["bot", "resume", "bot", "action"]
    assert events[2]["text"] == render(resolve_locale("ro", "RO"), "utter_handoff_back").text
    assert anna.get(base).json()["escalation"]["status"] == "returned"
    assert api(anna, f"{base}/reply", {"text": "prea târziu"}).status == 409


def test_resolve_with_a_note(console: Console) -> None:
    conv = conversation()
    escalation = console.escalate(conv)
    anna = console.signed_in("anna")
    assert api(anna, f"/console/api/escalations/{escalation}/resolve", {"note": "Called the customer back"}
               ).status == 200
    summary = anna.get(f"/console/api/escalations/{escalation}").json()["escalation"]
    assert summary["status"] == "resolved" and summary["note"] == "Called the customer back"
    assert [e["event"] for e in console.rasa.trackers[conv]] == ["resume", "bot", "action"]  # never joined


def test_heartbeat_makes_the_agent_available(console: Console) -> None:
    anna = console.signed_in("anna")
    with session_scope(console.database_url) as db:
        before = service.agent_available(db, "renewals-RO")
    assert api(anna, "/console/api/heartbeat").status == 200
    with session_scope(console.database_url) as db:
        assert service.agent_available(db, "renewals-RO") and not before
        assert not service.agent_available(db, "renewals-ES")


def read_events(response, count: int) -> list[dict]:  # type: ignore[no-untyped-def]
    events = []
    while len(events) < count:
        line = response.readline().decode()
        if line.startswith("data: "):
            events.append(json.loads(line[6:]))
    return events


def test_queue_events_stream_only_the_agents_queues(console: Console) -> None:
    anna = console.signed_in("anna")
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(anna.jar))
    with opener.open(urllib.request.Request(f"{console.url}/console/api/queue/events",
                                            headers={"X-Forwarded-For": anna.address}), timeout=10) as stream:
        assert stream.headers["Content-Type"].startswith("text/event-stream")
        assert stream.readline().startswith(b"retry:")
        console.publish("queue:contracts-ES", {"type": "escalation_waiting", "escalation": {"id": -1}})
        console.publish("queue:renewals-RO", {"type": "escalation_waiting", "escalation": {"id": -2}})
        assert read_events(stream, 1) == [{"type": "escalation_waiting", "escalation": {"id": -2}}]


def test_suggestions_in_the_customers_locale(console: Console) -> None:
    escalation = console.escalate(conversation(), "contracts-ES", "es", last_message="Necesito una copia")
    pablo = console.signed_in("pablo")
    result = pablo.get(f"/console/api/escalations/{escalation}/suggestions").json()
    locale = resolve_locale("es", "ES")
    assert result["locale"] == "es-ES" and console.rasa.parsed[-1] == "Necesito una copia"
    assert [s["topic"] for s in result["faq"]] == ["faq/contract_copy", "faq/view_contracts",
                                                   "faq/renew_subscription"]  # unknown topic skipped, top 3
    assert result["faq"][0]["text"] == render(locale, "utter_faq/contract_copy").text
    assert [c["text"] for c in result["canned"]] == list(locale.labels["agent_replies"].values())
    assert result["canned"][0]["text"].startswith("Buenos días")


def test_suggestions_read_rasas_own_selector_key() -> None:
    """Rasa 3.6 puts the ResponseSelector's ranking under `default` when no retrieval_intent is configured
    (config.yml); the stand-in above uses `faq`: both give the same suggestions."""
    from bot.console.suggestions import faq_answers

    ranking = [{"intent_response_key": "faq/contract_copy", "confidence": 0.9}]
    locale = resolve_locale("ro", "RO")
    rasa_shaped = faq_answers({"response_selector": {"default": {"ranking": ranking}}}, locale)
    assert [a["topic"] for a in rasa_shaped] == ["faq/contract_copy"]
    assert rasa_shaped == faq_answers({"response_selector": {"faq": {"ranking": ranking}}}, locale)

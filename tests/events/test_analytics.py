"""Events recorded once each: analytics per language/country/intent, the inbox, escalations (SQLite and
PostgreSQL)."""

from __future__ import annotations

import json

import sqlalchemy as sa

from bot.db.engine import session_scope
from bot.events import tables
from bot.events.analytics import record

T0 = 1_800_000_000.0


def user(sender: str, text: str, intent: str, confidence: float, ts: float, metadata: dict | None = None,
         topic: str | None = None) -> bytes:
    parse = {"intent": {"name": intent, "confidence": confidence}, "entities": [], "text": text}
    if topic:
        # Rasa's key is "default" when the ResponseSelector has no retrieval_intent set (config.yml)
        parse["response_selector"] = {"all_retrieval_intents": [intent],
                                      "default": {"response": {"intent_response_key": topic, "confidence": 0.9}}}
    return json.dumps({"sender_id": sender, "event": "user", "timestamp": ts, "text": text, "parse_data": parse,
                       "input_channel": "rest", "message_id": f"m{ts}", "metadata": metadata or {}}).encode()


def slot(sender: str, name: str, value: str, ts: float) -> bytes:
    return json.dumps({"sender_id": sender, "event": "slot", "timestamp": ts, "name": name, "value": value}).encode()


def bot(sender: str, text: str, ts: float) -> bytes:
    return json.dumps({"sender_id": sender, "event": "bot", "timestamp": ts, "text": text, "data": {}}).encode()


def apply_all(url: str, bodies: list[bytes]) -> list[bool]:
    results = []
    for body in bodies:
        with session_scope(url) as session:
            results.append(record(session, body))
    return results


def rows(url: str, table: sa.Table) -> list[dict]:
    with session_scope(url) as session:
        return [dict(r._mapping) for r in session.execute(sa.select(table))]


def stream() -> list[bytes]:
    return [
        user("c1", "Wie bekomme ich eine Vertragskopie?", "faq", 0.95, T0, {"language": "de", "country": "DE"},
             topic="faq/contract_copy"),
        slot("c1", "language", "de", T0 + 0.1),
        bot("c1", "Eine Kopie ...", T0 + 0.2),
        user("c1", "Ich möchte mit einem Menschen sprechen", "request_human", 0.9, T0 + 5),
        user("c2", "Care este vremea mâine?", "out_of_scope", 0.8, T0 + 6),  # no metadata: language from slots
        slot("c2", "language", "ro", T0 + 6.1),
        slot("c2", "country", "RO", T0 + 6.2),
        user("c2", "hmm contract poate", "nlu_fallback", 0.3, T0 + 7),
        user("c3", "Wat kost een ServicePac?", "faq", 0.42, T0 + 8, {"language": "nl", "country": "BE"},
             topic="faq/activate_servicepac"),
    ]


def test_every_event_is_recorded_once_even_when_redelivered(db_url: str) -> None:
    events = stream()
    assert apply_all(db_url, events) == [True] * len(events)
    assert apply_all(db_url, events + events[:3]) == [False] * (len(events) + 3)  # redelivery changes nothing

    counts = {(r["language"], r["country"], r["intent"]): r["messages"] for r in rows(db_url, tables.intent_counts)}
    assert counts == {("de", "DE", "faq/contract_copy"): 1, ("de", "DE", "request_human"): 1,
                      ("ro", "RO", "out_of_scope"): 1, ("ro", "RO", "nlu_fallback"): 1,
                      ("nl", "BE", "faq/activate_servicepac"): 1}
    inbox = sorted((r["conversation_id"], r["reason"], r["language"], r["text"]) for r in rows(db_url, tables.unanswered))
    assert inbox == [("c2", "fallback", "ro", "hmm contract poate"),
                     ("c2", "out_of_scope", "ro", "Care este vremea mâine?"),
                     ("c3", "low_confidence", "nl", "Wat kost een ServicePac?")]
    assert [(r["conversation_id"], r["trigger"], r["country"]) for r in rows(db_url, tables.escalations)] == [
        ("c1", "request_human", "DE")]
    conversations = {r["conversation_id"]: r for r in rows(db_url, tables.conversations)}
    assert (conversations["c1"]["user_messages"], conversations["c1"]["bot_messages"]) == (2, 1)
    assert (conversations["c2"]["language"], conversations["c2"]["country"]) == ("ro", "RO")


def test_events_without_a_conversation_are_skipped(db_url: str) -> None:
    body = json.dumps({"event": "user", "timestamp": T0, "text": "x"}).encode()
    assert apply_all(db_url, [body]) == [False]
    assert rows(db_url, tables.processed_events) == []


def test_a_follow_up_is_answered_not_unanswered() -> None:
    from bot.events.analytics import intent_of, unanswered_reason

    event = json.loads(user("c-f", "y el fax?", "nlu_fallback", 0.4, T0))
    assert intent_of(event) == ("nlu_fallback", 0.4) and unanswered_reason(*intent_of(event)) is not None
    event["parse_data"]["follow_up"] = {"cue": "fax", "previous_intent": "faq", "was": "faq/unanswered_contract_question"}
    assert intent_of(event) == ("follow_up/fax", None)
    assert unanswered_reason(*intent_of(event)) is None

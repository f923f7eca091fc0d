"""One Rasa event in, the product's rows out, exactly once per event.

Every event is identified by the SHA-256 of its body as published; the key goes into `processed_events`
in the same transaction as the rows the event produces, so a redelivered event (consumer crash before
the acknowledgement, broker restart) changes nothing the second time.
"""

from __future__ import annotations

import hashlib
import json
import os
from datetime import datetime, timezone
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from bot import SUPPORTED_LANGUAGES
from bot.events import tables
from bot.lifecycle.parsing import selected_topic

ESCALATION_INTENTS = {"request_human"}
UNANSWERED_INTENTS = {"nlu_fallback": "fallback", "out_of_scope": "out_of_scope"}
MAX_INBOX_TEXT = 2000


def event_key(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


def low_confidence() -> float:
    return float(os.environ.get("INBOX_LOW_CONFIDENCE", "0.5"))


def _insert_ignoring_duplicates(session: Session, table: sa.Table, values: dict[str, Any]) -> bool:
    """INSERT ... ON CONFLICT DO NOTHING (PostgreSQL and SQLite); True when the row was new."""
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    elif dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert  # type: ignore[assignment]
    else:
        raise ValueError(f"analytics need PostgreSQL or SQLite, not {dialect}")
    result = session.execute(insert(table).values(**values).on_conflict_do_nothing())
    return bool(result.rowcount)


def _language(value: Any) -> str | None:
    code = str(value or "").lower()[:2]
    return code if code in SUPPORTED_LANGUAGES else None


def _country(value: Any) -> str | None:
    code = str(value or "").upper()
    return code if len(code) == 2 and code.isalpha() else None


def intent_of(event: dict[str, Any]) -> tuple[str, float | None]:
    """The intent, with the FAQ topic for retrieval intents (faq/contract_copy)."""
    parse = event.get("parse_data") or {}
    if isinstance(parse.get("follow_up"), dict):  # "y el fax?" after an answer (bot/nlu/follow_up.py): answered
        return f"follow_up/{parse['follow_up'].get('cue')}"[:120], None
    intent = parse.get("intent") or {}
    name = str(intent.get("name") or "none")
    if "/" not in name:
        topic = selected_topic(parse) or ""
        name = topic if topic.startswith(f"{name}/") else name
    confidence = intent.get("confidence")
    return name[:120], float(confidence) if confidence is not None else None


def unanswered_reason(intent: str, confidence: float | None) -> str | None:
    if intent in UNANSWERED_INTENTS:
        return UNANSWERED_INTENTS[intent]
    if confidence is not None and confidence < low_confidence():
        return "low_confidence"
    return None


def record(session: Session, body: bytes) -> bool:
    """Applies one published event; False when it was already applied (or carries no conversation)."""
    event = json.loads(body)
    sender = event.get("sender_id")
    if not sender or not isinstance(event, dict):
        return False
    key = event_key(body)
    now = datetime.now(timezone.utc)
    if not _insert_ignoring_duplicates(session, tables.processed_events, {"event_key": key, "processed_at": now}):
        return False
    if session.execute(sa.select(tables.erased_conversations.c.conversation_hash).where(
            tables.erased_conversations.c.conversation_hash == tables.conversation_hash(str(sender)))).first():
        return False  # erased while this event waited in a spool or in RabbitMQ: it is not recorded
    at = datetime.fromtimestamp(float(event.get("timestamp") or now.timestamp()), timezone.utc)
    _insert_ignoring_duplicates(session, tables.conversations, {
        "conversation_id": sender, "started_at": at, "last_event_at": at, "user_messages": 0, "bot_messages": 0})
    conv = tables.conversations
    row = session.execute(sa.select(conv.c.language, conv.c.country, conv.c.last_event_at)
                          .where(conv.c.conversation_id == sender)).one()
    last = row.last_event_at if row.last_event_at.tzinfo else row.last_event_at.replace(tzinfo=timezone.utc)
    touch = conv.update().where(conv.c.conversation_id == sender).values(last_event_at=max(last, at))
    kind = event.get("event")
    if kind == "user":
        _user_message(session, event, key, at, sender, row.language, row.country, touch)
    elif kind == "bot":
        session.execute(touch.values(bot_messages=conv.c.bot_messages + 1))
    elif kind == "slot" and event.get("name") in ("language", "country"):
        session.execute(touch)
        _slot(session, sender, str(event["name"]), event.get("value"))
    else:
        session.execute(touch)
    return True


def _user_message(session: Session, event: dict[str, Any], key: str, at: datetime, sender: str,
                  known_language: str | None, known_country: str | None, touch: Any) -> None:
    metadata = event.get("metadata") or {}
    language = _language(metadata.get("language")) or known_language
    country = _country(metadata.get("country")) or known_country
    conv = tables.conversations
    session.execute(touch.values(user_messages=conv.c.user_messages + 1, language=language, country=country,
                                 channel=str(event.get("input_channel") or "")[:40] or conv.c.channel))
    intent, confidence = intent_of(event)
    place = {"conversation_id": sender, "language": language, "country": country}
    session.execute(tables.messages.insert().values(event_key=key, day=at.date(), intent=intent,
                                                    confidence=confidence, **place))
    reason = unanswered_reason(intent, confidence)
    if reason:
        session.execute(tables.unanswered.insert().values(
            event_key=key, text=str(event.get("text") or "")[:MAX_INBOX_TEXT], reason=reason, intent=intent,
            confidence=confidence, asked_at=at, **place))
    if intent in ESCALATION_INTENTS:
        session.execute(tables.escalations.insert().values(event_key=key, trigger=intent, escalated_at=at, **place))


def _slot(session: Session, sender: str, name: str, value: Any) -> None:
    """The conversation's language/country; rows recorded before it was known get it too."""
    code = _language(value) if name == "language" else _country(value)
    if code is None:
        return
    conv = tables.conversations
    session.execute(conv.update().where(conv.c.conversation_id == sender).values(**{name: code}))
    for table in (tables.messages, tables.unanswered, tables.escalations):
        column = table.c[name]
        session.execute(table.update().where(table.c.conversation_id == sender, column.is_(None)).values(**{name: code}))

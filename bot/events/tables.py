"""The analytics tables (created by migration 0005), as SQLAlchemy Core tables."""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData()

processed_events = sa.Table(
    "processed_events", metadata,
    sa.Column("event_key", sa.String(64), primary_key=True),
    sa.Column("processed_at", sa.DateTime(timezone=True), nullable=False),
)
erased_conversations = sa.Table(  # migration 0008: hashes only, see bot/privacy/analytics.py
    "erased_conversations", metadata,
    sa.Column("conversation_hash", sa.String(64), primary_key=True),
    sa.Column("erased_at", sa.DateTime(timezone=True), nullable=False),
)
conversations = sa.Table(
    "analytics_conversations", metadata,
    sa.Column("conversation_id", sa.String(255), primary_key=True),
    sa.Column("language", sa.String(2)),
    sa.Column("country", sa.String(2)),
    sa.Column("channel", sa.String(40)),
    sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("last_event_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("user_messages", sa.Integer, nullable=False),
    sa.Column("bot_messages", sa.Integer, nullable=False),
)
messages = sa.Table(
    "analytics_messages", metadata,
    sa.Column("event_key", sa.String(64), primary_key=True),
    sa.Column("conversation_id", sa.String(255), nullable=False),
    sa.Column("day", sa.Date, nullable=False),
    sa.Column("language", sa.String(2)),
    sa.Column("country", sa.String(2)),
    sa.Column("intent", sa.String(120), nullable=False),
    sa.Column("confidence", sa.Float),
)
intent_counts = sa.Table(  # a view over analytics_messages
    "analytics_intent_counts", metadata,
    sa.Column("day", sa.Date), sa.Column("language", sa.String(2)), sa.Column("country", sa.String(2)),
    sa.Column("intent", sa.String(120)), sa.Column("messages", sa.Integer),
)
unanswered = sa.Table(
    "unanswered_questions", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("event_key", sa.String(64), nullable=False, unique=True),
    sa.Column("conversation_id", sa.String(255), nullable=False),
    sa.Column("language", sa.String(2)),
    sa.Column("country", sa.String(2)),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("reason", sa.String(20), nullable=False),
    sa.Column("intent", sa.String(120)),
    sa.Column("confidence", sa.Float),
    sa.Column("status", sa.String(20), nullable=False, server_default="open"),
    sa.Column("asked_at", sa.DateTime(timezone=True), nullable=False),
)
escalations = sa.Table(
    "analytics_escalations", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("event_key", sa.String(64), nullable=False, unique=True),
    sa.Column("conversation_id", sa.String(255), nullable=False),
    sa.Column("language", sa.String(2)),
    sa.Column("country", sa.String(2)),
    sa.Column("trigger", sa.String(120), nullable=False),
    sa.Column("escalated_at", sa.DateTime(timezone=True), nullable=False),
)


def conversation_hash(conversation_id: str) -> str:
    """What an erased conversation leaves behind: enough to recognise its late events, nothing to read."""
    import hashlib

    return hashlib.sha256(conversation_id.encode("utf-8")).hexdigest()

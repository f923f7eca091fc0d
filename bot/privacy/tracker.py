"""Rasa's tracker store (SQL `events` table): whole conversations are deleted, never edited.

A conversation is linked to a subject by its id, or because one of its events contains the e-mail address
or customer number (typed by the customer, set as a slot). Events are stored as JSON, where non-ASCII
letters are \\u-escaped, so both spellings are searched.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from sqlalchemy import Column, Float, Integer, MetaData, String, Table, Text, delete, func, inspect, or_, select

from bot.db.engine import get_engine
from bot.privacy.registry import PrivacyConfig, Subject

EVENTS = Table(  # the columns of rasa.core.tracker_store.SQLTrackerStore.SQLEvent this needs
    "events", MetaData(),
    Column("id", Integer, primary_key=True),
    Column("sender_id", String(255)),
    Column("type_name", String(255)),
    Column("timestamp", Float),
    Column("data", Text),
)


def _like(value: str) -> str:
    escaped = value.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def spellings(value: str) -> set[str]:
    """The value as typed and as it appears inside a JSON string with non-ASCII escaped."""
    return {value, json.dumps(value)[1:-1]}


class TrackerEraser:
    name = "tracker store (conversations)"
    tables = ("events",)

    def __init__(self, config: PrivacyConfig) -> None:
        self._engine = get_engine(config.tracker_store_url)
        self._retention = dt.timedelta(days=config.conversation_retention_days)

    def _exists(self) -> bool:
        return bool(inspect(self._engine).has_table("events"))

    def conversations(self, subject: Subject) -> set[str]:
        if not self._exists():
            return set()
        values = {s for v in subject.emails | subject.customer_numbers for s in spellings(v)}
        if not values:
            return set()
        condition = or_(*(func.lower(EVENTS.c.data).like(_like(v), escape="\\") for v in values))
        with self._engine.connect() as connection:
            return {row[0] for row in connection.execute(select(EVENTS.c.sender_id).where(condition).distinct())}

    def erase(self, subject: Subject) -> dict[str, int]:
        if not self._exists() or not subject.conversations:
            return {"events deleted": 0}
        with self._engine.begin() as connection:
            result = connection.execute(delete(EVENTS).where(EVENTS.c.sender_id.in_(sorted(subject.conversations))))
        return {"events deleted": int(result.rowcount or 0)}

    def export(self, subject: Subject) -> list[dict[str, Any]]:
        if not self._exists() or not subject.conversations:
            return []
        query = (select(EVENTS.c.sender_id, EVENTS.c.data)
                 .where(EVENTS.c.sender_id.in_(sorted(subject.conversations))).order_by(EVENTS.c.id))
        with self._engine.connect() as connection:
            return [{"conversation": sender, "event": json.loads(data)} for sender, data in connection.execute(query)]

    def purge(self, now: dt.datetime) -> dict[str, int]:
        """Deletes conversations whose latest event is older than the retention period."""
        if not self._exists():
            return {"conversations deleted": 0, "events deleted": 0}
        cutoff = (now - self._retention).timestamp()
        stale = (select(EVENTS.c.sender_id).group_by(EVENTS.c.sender_id)
                 .having(func.max(EVENTS.c.timestamp) < cutoff))
        with self._engine.begin() as connection:
            senders = [row[0] for row in connection.execute(stale)]
            deleted = 0
            for start in range(0, len(senders), 500):
                chunk = senders[start:start + 500]
                deleted += int(connection.execute(delete(EVENTS).where(EVENTS.c.sender_id.in_(chunk))).rowcount or 0)
        return {"conversations deleted": len(senders), "events deleted": deleted}

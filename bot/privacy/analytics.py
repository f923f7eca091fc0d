"""The event consumer's tables (bot/events/tables.py): analytics keep their counts, the inbox forgets.

Analytics rows hold no text, only which conversation asked what in which language: the conversation id is
replaced by a random `erased-…` pseudonym (the same for all rows of one conversation, so per-conversation
figures still add up, but nothing leads back to the person). Inbox rows hold the customer's own words and
are deleted. The ledger of processed events holds hashes only and stays: it keeps an already recorded event
from being recorded again when RabbitMQ redelivers it. An erased conversation leaves a SHA-256 of its id in
`erased_conversations`: an event of it that was still waiting in a Rasa server's spool or in RabbitMQ at the
time of erasure is dropped by the consumer when it arrives.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any, Iterable

import sqlalchemy as sa

from bot.db.engine import get_engine
from bot.events import tables
from bot.privacy.registry import PrivacyConfig, Subject
from bot.privacy.tracker import spellings

ERASED_PREFIX = "erased-"
LINKED = (tables.conversations, tables.messages, tables.escalations)


def _present(engine: sa.engine.Engine) -> bool:
    return bool(sa.inspect(engine).has_table(tables.conversations.name))


def _plain(row: sa.engine.Row) -> dict[str, Any]:
    return {k: v.isoformat() if isinstance(v, (dt.date, dt.datetime)) else v for k, v in row._mapping.items()}


def _pseudonymise(connection: sa.engine.Connection, conversation_ids: list[str]) -> int:
    for conversation_id in conversation_ids:
        pseudonym = f"{ERASED_PREFIX}{uuid.uuid4().hex}"
        for table in LINKED:
            connection.execute(table.update().where(table.c.conversation_id == conversation_id)
                               .values(conversation_id=pseudonym))
    return len(conversation_ids)


def _tombstones(connection: sa.engine.Connection, conversation_ids: Iterable[str]) -> None:
    erased = tables.erased_conversations
    hashes = {tables.conversation_hash(c) for c in conversation_ids}
    known = set(connection.execute(sa.select(erased.c.conversation_hash).where(
        erased.c.conversation_hash.in_(sorted(hashes)))).scalars())
    now = dt.datetime.now(dt.timezone.utc)
    for hashed in sorted(hashes - known):
        connection.execute(erased.insert().values(conversation_hash=hashed, erased_at=now))


class AnalyticsEraser:
    name = "analytics"
    tables = tuple(t.name for t in LINKED)

    def __init__(self, config: PrivacyConfig) -> None:
        self._engine = get_engine(config.database_url)
        self._retention = dt.timedelta(days=config.conversation_retention_days)

    def conversations(self, subject: Subject) -> set[str]:
        return set()  # no text and no contact data here

    def erase(self, subject: Subject) -> dict[str, int]:
        if not subject.conversations or not _present(self._engine):
            return {"conversations pseudonymised": 0}
        conv = tables.conversations
        with self._engine.begin() as connection:
            _tombstones(connection, subject.conversations)
            found = set(connection.execute(sa.select(conv.c.conversation_id)
                                           .where(conv.c.conversation_id.in_(sorted(subject.conversations))))
                        .scalars())
            for table in (tables.messages, tables.escalations):  # rows whose conversation row is missing
                found |= set(connection.execute(sa.select(table.c.conversation_id).distinct().where(
                    table.c.conversation_id.in_(sorted(subject.conversations)))).scalars())
            return {"conversations pseudonymised": _pseudonymise(connection, sorted(found))}

    def export(self, subject: Subject) -> list[dict[str, Any]]:
        if not subject.conversations or not _present(self._engine):
            return []
        rows: list[dict[str, Any]] = []
        with self._engine.connect() as connection:
            for table in LINKED:
                query = sa.select(table).where(table.c.conversation_id.in_(sorted(subject.conversations)))
                rows += [{table.name: _plain(row)} for row in connection.execute(query)]
        return rows

    def purge(self, now: dt.datetime) -> dict[str, int]:
        """Pseudonymises conversations whose last event is older than the conversation retention period."""
        if not _present(self._engine):
            return {"conversations pseudonymised": 0}
        conv = tables.conversations
        cutoff = now - self._retention
        with self._engine.begin() as connection:
            stale = list(connection.execute(sa.select(conv.c.conversation_id).where(
                conv.c.last_event_at < cutoff, ~conv.c.conversation_id.startswith(ERASED_PREFIX))).scalars())
            return {"conversations pseudonymised": _pseudonymise(connection, stale)}


class InboxEraser:
    name = "unanswered questions inbox"
    tables = (tables.unanswered.name,)

    def __init__(self, config: PrivacyConfig) -> None:
        self._engine = get_engine(config.database_url)
        self._retention = dt.timedelta(days=config.conversation_retention_days)

    def _matching(self, subject: Subject) -> sa.sql.ColumnElement | None:
        inbox = tables.unanswered
        values = {s.lower() for v in subject.emails | subject.customer_numbers for s in spellings(v)}
        conditions = [sa.func.lower(inbox.c.text).contains(v, autoescape=True) for v in sorted(values)]
        if subject.conversations:
            conditions.append(inbox.c.conversation_id.in_(sorted(subject.conversations)))
        return sa.or_(*conditions) if conditions else None

    def conversations(self, subject: Subject) -> set[str]:
        """Conversations whose unanswered question contains the subject's e-mail or customer number."""
        condition = self._matching(replace_conversations(subject))
        if condition is None or not _present(self._engine):
            return set()
        with self._engine.connect() as connection:
            return set(connection.execute(sa.select(tables.unanswered.c.conversation_id).where(condition)).scalars())

    def erase(self, subject: Subject) -> dict[str, int]:
        condition = self._matching(subject)
        if condition is None or not _present(self._engine):
            return {"questions deleted": 0}
        with self._engine.begin() as connection:
            return {"questions deleted": int(connection.execute(tables.unanswered.delete().where(condition)).rowcount)}

    def export(self, subject: Subject) -> list[dict[str, Any]]:
        condition = self._matching(subject)
        if condition is None or not _present(self._engine):
            return []
        with self._engine.connect() as connection:
            query = sa.select(tables.unanswered).where(condition).order_by(tables.unanswered.c.id)
            return [{tables.unanswered.name: _plain(row)} for row in connection.execute(query)]

    def purge(self, now: dt.datetime) -> dict[str, int]:
        """Deletes questions asked longer ago than the conversation retention period."""
        if not _present(self._engine):
            return {"questions deleted": 0}
        inbox = tables.unanswered
        with self._engine.begin() as connection:
            deleted = connection.execute(inbox.delete().where(inbox.c.asked_at < now - self._retention)).rowcount
        return {"questions deleted": int(deleted)}


def replace_conversations(subject: Subject) -> Subject:
    """The subject without its conversations: for finding new ones by e-mail or customer number."""
    return Subject(frozenset(), subject.emails, subject.customer_numbers)

"""The unanswered-questions inbox (`unanswered_questions`, written by the event consumer): it holds what
customers typed, so it is erased with the conversation, exported with it, and purged after the
conversation retention period like the transcripts. A message that names the subject's e-mail address or
customer number links its conversation to the subject too."""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement

from bot.db.engine import session_scope
from bot.events.tables import unanswered
from bot.privacy.registry import PrivacyConfig, Subject


def _naming(subject: Subject) -> list[ColumnElement]:
    words = sorted(subject.emails) + sorted(subject.customer_numbers)
    return [sa.func.lower(unanswered.c.text).contains(word.lower(), autoescape=True) for word in words]


class InboxEraser:
    name = "unanswered-questions inbox"

    def __init__(self, config: PrivacyConfig) -> None:
        self._url = config.database_url
        self._retention = dt.timedelta(days=config.conversation_retention_days)

    def _matching(self, subject: Subject) -> ColumnElement:
        conditions = _naming(subject)
        if subject.conversations:
            conditions.append(unanswered.c.conversation_id.in_(sorted(subject.conversations)))
        return sa.or_(*conditions) if conditions else sa.false()

    def conversations(self, subject: Subject) -> set[str]:
        naming = _naming(subject)
        if not naming:
            return set()
        with session_scope(self._url) as session:
            return set(session.execute(sa.select(unanswered.c.conversation_id).where(sa.or_(*naming))).scalars())

    def erase(self, subject: Subject) -> dict[str, int]:
        with session_scope(self._url) as session:
            deleted = session.execute(unanswered.delete().where(self._matching(subject))).rowcount
        return {"inbox messages deleted": int(deleted or 0)}

    def export(self, subject: Subject) -> list[dict[str, Any]]:
        with session_scope(self._url) as session:
            rows = session.execute(sa.select(unanswered).where(self._matching(subject))
                                   .order_by(unanswered.c.id)).mappings().all()
        return [{"unanswered_question": {"conversation_id": r["conversation_id"], "text": r["text"],
                                         "language": r["language"], "asked_at": r["asked_at"].isoformat(),
                                         "status": r["status"]}} for r in rows]

    def purge(self, now: dt.datetime) -> dict[str, int]:
        with session_scope(self._url) as session:
            deleted = session.execute(unanswered.delete().where(unanswered.c.asked_at < now - self._retention)
                                      ).rowcount
        return {"inbox messages deleted": int(deleted or 0)}

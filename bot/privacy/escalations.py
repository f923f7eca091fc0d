"""Escalations to a colleague and their status audit: what the customer wrote and agents' notes anonymised,
the business facts kept (queue, reason, status, language, country, dates, which agent).

An escalation is tied to a person only through its conversation (it holds no e-mail or customer number),
so it is found by the conversations the other stores link to the subject. The conversation id is replaced
by `erased-<id>`, unique per row: at most one open escalation per conversation is an index constraint.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from bot.db.engine import session_scope
from bot.handoff.models import Escalation
from bot.handoff.service import ASSISTANT
from bot.privacy.registry import ERASED, PrivacyConfig, Subject

ERASED_PREFIX = "erased-"


def anonymise(escalation: Escalation) -> None:
    escalation.conversation_id = f"{ERASED_PREFIX}{escalation.id}"
    escalation.last_customer_message = None
    if escalation.note is not None:
        escalation.note = ERASED
    for change in escalation.events:
        if change.note is not None and change.actor != ASSISTANT:  # the assistant's notes are reason codes
            change.note = ERASED


class EscalationsEraser:
    name = "escalations"
    tables = ("escalations", "escalation_events")

    def __init__(self, config: PrivacyConfig) -> None:
        self._url = config.database_url
        self._retention = dt.timedelta(days=config.conversation_retention_days)

    def conversations(self, subject: Subject) -> set[str]:
        return set()  # nothing here names a person; the conversations come from the other stores

    def _of(self, subject: Subject):  # type: ignore[no-untyped-def]
        return (select(Escalation).options(selectinload(Escalation.events))
                .where(Escalation.conversation_id.in_(sorted(subject.conversations))).order_by(Escalation.id))

    def erase(self, subject: Subject) -> dict[str, int]:
        if not subject.conversations:
            return {"escalations anonymised": 0}
        with session_scope(self._url) as session:
            escalations = session.execute(self._of(subject)).scalars().all()
            for escalation in escalations:
                anonymise(escalation)
        return {"escalations anonymised": len(escalations)}

    def export(self, subject: Subject) -> list[dict[str, Any]]:
        if not subject.conversations:
            return []
        with session_scope(self._url) as session:
            return [_row(e) for e in session.execute(self._of(subject)).scalars().all()]

    def purge(self, now: dt.datetime) -> dict[str, int]:
        """Anonymises escalations closed (or idle) longer ago than the conversation retention period."""
        cutoff = now - self._retention
        with session_scope(self._url) as session:
            stale = session.execute(
                select(Escalation).options(selectinload(Escalation.events))
                .where(~Escalation.conversation_id.startswith(ERASED_PREFIX),
                       or_(Escalation.closed_at < cutoff,
                           Escalation.closed_at.is_(None) & (Escalation.last_activity_at < cutoff)))
            ).scalars().all()
            for escalation in stale:
                anonymise(escalation)
        return {"escalations anonymised": len(stale)}


def _row(escalation: Escalation) -> dict[str, Any]:
    row: dict[str, Any] = {c.name: getattr(escalation, c.name) for c in Escalation.__table__.columns}
    for name, value in row.items():
        if isinstance(value, dt.datetime):
            row[name] = value.isoformat()
    row["status_history"] = [{"from": c.old_status, "to": c.new_status, "by": c.actor, "note": c.note,
                              "at": c.changed_at.isoformat()} for c in escalation.events]
    return {"escalation": row}

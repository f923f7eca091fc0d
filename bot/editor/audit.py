"""Who did what to the content and the models, and when: one row per editor step (edit, training,
publish, rollback, inbox decision), written in the same transaction as the step where there is one."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from bot.editor.tables import audit


def record(db: Session, actor: str, action: str, locale: str | None = None, subject: str | None = None,
           **detail: Any) -> None:
    db.execute(audit.insert().values(
        at=datetime.now(timezone.utc), actor=actor[:80], action=action[:40], locale=locale,
        subject=(subject or "")[:200] or None,
        detail=json.dumps(detail, ensure_ascii=False, default=str) if detail else None))


def recent(db: Session, limit: int = 200, offset: int = 0) -> list[dict[str, Any]]:
    rows = db.execute(sa.select(audit).order_by(audit.c.id.desc()).limit(limit).offset(offset)).mappings().all()
    return [{**row, "detail": json.loads(row["detail"]) if row["detail"] else {}} for row in rows]


def last_change(db: Session, locale: str, subject: str) -> dict[str, Any] | None:
    """The latest edit of one response or fact (for "changed by … at …" on a stale page)."""
    row = db.execute(sa.select(audit).where(audit.c.locale == locale, audit.c.subject == subject,
                                            audit.c.action.in_(("edit_answer", "edit_fact")))
                     .order_by(audit.c.id.desc()).limit(1)).mappings().first()
    return dict(row) if row else None

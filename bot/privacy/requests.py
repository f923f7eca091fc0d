"""Service requests and their audit trail: personal fields anonymised, business facts kept.

Kept: reference, request type, queue, status, language, country, dates and the status history (who in the
team changed what, when). Replaced: contact name, e-mail, company, contract number, details, the
conversation id, the idempotency key (derived from the personal fields) and the text of the team's
internal notes (they quote the customer). Renewal quotes are the vendor's
contract records (imported from its systems): exported for a customer number, never erased here.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload
from sqlalchemy.sql.elements import ColumnElement

from bot.db.engine import session_scope
from bot.db.models import RenewalQuote, ServiceRequest
from bot.privacy.registry import ERASED, PrivacyConfig, Subject

PERSONAL_FIELDS = ("contact_name", "email", "company", "contract_number", "details", "conversation_id")


def _matching(subject: Subject) -> ColumnElement:
    conditions = []
    if subject.conversations:
        conditions.append(ServiceRequest.conversation_id.in_(sorted(subject.conversations)))
    if subject.emails:
        conditions.append(func.lower(ServiceRequest.email).in_(sorted(subject.emails)))
    if subject.customer_numbers:
        conditions.append(ServiceRequest.contract_number.in_(sorted(subject.customer_numbers)))
    return or_(*conditions) if conditions else ServiceRequest.id.is_(None)


def anonymise(request: ServiceRequest) -> None:
    for name in PERSONAL_FIELDS:
        setattr(request, name, ERASED)
    request.idempotency_key = f"erased-{request.id}"
    for note in request.notes:
        note.text = ERASED


class RequestsEraser:
    name = "service requests"
    tables = ("service_requests", "request_status_changes", "request_notes", "renewal_quotes", "quote_line_items")

    def __init__(self, config: PrivacyConfig) -> None:
        self._url = config.database_url
        self._retention = dt.timedelta(days=config.request_retention_days)

    def conversations(self, subject: Subject) -> set[str]:
        with session_scope(self._url) as session:
            ids = session.execute(select(ServiceRequest.conversation_id).where(_matching(subject))).scalars()
            return {i for i in ids if i != ERASED}

    def erase(self, subject: Subject) -> dict[str, int]:
        with session_scope(self._url) as session:
            requests = session.execute(select(ServiceRequest).options(selectinload(ServiceRequest.notes))
                                       .where(_matching(subject))).scalars().all()
            for request in requests:
                anonymise(request)
        return {"requests anonymised": len(requests)}

    def export(self, subject: Subject) -> list[dict[str, Any]]:
        with session_scope(self._url) as session:
            requests = session.execute(select(ServiceRequest).options(selectinload(ServiceRequest.changes),
                                                                      selectinload(ServiceRequest.notes))
                                       .where(_matching(subject)).order_by(ServiceRequest.id)).scalars().all()
            rows: list[dict[str, Any]] = [_request_row(r) for r in requests]
            if subject.customer_numbers:
                quotes = session.execute(select(RenewalQuote).options(selectinload(RenewalQuote.items))
                                         .where(RenewalQuote.customer_number.in_(sorted(subject.customer_numbers)))
                                         ).scalars().all()
                rows += [_quote_row(q) for q in quotes]
            return rows

    def purge(self, now: dt.datetime) -> dict[str, int]:
        """Anonymises requests older than the retention period (already anonymised ones are skipped)."""
        cutoff = now - self._retention
        with session_scope(self._url) as session:
            stale = session.execute(select(ServiceRequest).options(selectinload(ServiceRequest.notes))
                                    .where(ServiceRequest.created_at < cutoff, ServiceRequest.email != ERASED)
                                    ).scalars().all()
            for request in stale:
                anonymise(request)
        return {"requests anonymised": len(stale)}


def _request_row(request: ServiceRequest) -> dict[str, Any]:
    row = {c.name: getattr(request, c.name) for c in ServiceRequest.__table__.columns if c.name != "idempotency_key"}
    row["created_at"] = request.created_at.isoformat()
    row["status_history"] = [{"from": c.old_status, "to": c.new_status, "by": c.actor,
                              "at": c.changed_at.isoformat()} for c in request.changes]
    row["notes"] = [{"by": n.author, "text": n.text, "at": n.created_at.isoformat()} for n in request.notes]
    return {"service_request": row}


def _quote_row(quote: RenewalQuote) -> dict[str, Any]:
    return {"renewal_quote": {"quote_number": quote.quote_number, "customer_number": quote.customer_number,
                              "status": quote.status, "due_date": quote.due_date.isoformat(),
                              "currency": quote.currency,
                              "items": [{"description": i.description, "quantity": i.quantity,
                                         "unit_price": str(i.unit_price)} for i in quote.items]}}

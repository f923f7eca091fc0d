"""Writes and reads of the application's tables, each inside the caller's transaction."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import os
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from bot.db.models import RenewalQuote, RequestStatusChange, ServiceRequest
from bot.settings import check_secret


@dataclass(frozen=True)
class NewRequest:
    conversation_id: str
    request_type: str
    contract_number: str
    company: str
    contact_name: str
    email: str
    details: str
    language: str
    country: str
    queue: str

    def idempotency_key(self, secret: str | None = None) -> str:
        """The same conversation submitting the same content is the same request.

        An HMAC with REQUEST_KEY_SECRET, not a plain hash: a plain hash of name, e-mail and company could be
        recomputed from a guess, so it was personal data itself. Erasure replaces the key (bot.privacy).
        """
        parts = (self.conversation_id, self.request_type, self.contract_number, self.company,
                 self.contact_name, self.email.lower(), self.details)
        key = (secret or request_key_secret()).encode("utf-8")
        return hmac.new(key, "\x1f".join(parts).encode("utf-8"), hashlib.sha256).hexdigest()


def request_key_secret() -> str:
    return check_secret("REQUEST_KEY_SECRET", os.environ.get("REQUEST_KEY_SECRET"))


def file_request(session: Session, new: NewRequest, actor: str = "assistant") -> tuple[ServiceRequest, bool]:
    """The filed request and whether it was created now (False: it had been filed before)."""
    key = new.idempotency_key()
    existing = session.execute(select(ServiceRequest).where(ServiceRequest.idempotency_key == key)).scalar_one_or_none()
    if existing is not None:
        return existing, False
    request = ServiceRequest(idempotency_key=key, status="open", **new.__dict__)
    try:
        with session.begin_nested():
            session.add(request)
            session.flush()  # assigns the id the reference is made of
            request.reference = f"REQ-{request.created_at.year}-{request.id:06d}"
            session.add(RequestStatusChange(request=request, old_status=None, new_status="open", actor=actor))
            session.flush()
    except IntegrityError:
        # A concurrent submit of the same request won the race: return that one.
        winner = session.execute(select(ServiceRequest).where(ServiceRequest.idempotency_key == key)).scalar_one()
        return winner, False
    return request, True


def change_status(session: Session, request: ServiceRequest, new_status: str, actor: str) -> None:
    session.add(RequestStatusChange(request=request, old_status=request.status, new_status=new_status, actor=actor))
    request.status = new_status


def find_quote(session: Session, quote_number: str, customer_number: str) -> RenewalQuote | None:
    """The quote when both numbers match; None otherwise (which one is wrong is not told)."""
    return session.execute(
        select(RenewalQuote)
        .options(selectinload(RenewalQuote.items))
        .where(RenewalQuote.quote_number == quote_number, RenewalQuote.customer_number == customer_number)
    ).scalar_one_or_none()


def is_expired(quote: RenewalQuote, today: dt.date) -> bool:
    return quote.status == "expired" or quote.due_date < today

"""SQLAlchemy 1.4 models. Schema changes go through Alembic migrations (bot/db/migrations)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import declarative_base, relationship

Base: Any = declarative_base()  # Any: SQLAlchemy 1.4's declarative base is not a static type


REQUEST_STATUSES = ("open", "in_progress", "waiting_for_customer", "done")
USER_ROLES = ("agent", "editor", "admin")


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


class ServiceRequest(Base):
    __tablename__ = "service_requests"

    id = Column(Integer, primary_key=True)
    reference = Column(String(20), unique=True, nullable=True)  # REQ-2026-000123, set in the same transaction
    # One request per conversation and content: a repeated submit finds this row instead of a new one.
    idempotency_key = Column(String(64), unique=True, nullable=False)
    conversation_id = Column(String(255), nullable=False, index=True)
    request_type = Column(String(40), nullable=False)
    contract_number = Column(String(40), nullable=False)
    company = Column(String(120), nullable=False)
    contact_name = Column(String(120), nullable=False)
    email = Column(String(254), nullable=False)
    details = Column(Text, nullable=False)
    language = Column(String(2), nullable=False)
    country = Column(String(2), nullable=False)
    queue = Column(String(40), nullable=False, index=True)
    status = Column(String(20), nullable=False, default="open")  # REQUEST_STATUSES
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    assignee = Column(String(80), nullable=True)  # the console user who took the request

    changes = relationship("RequestStatusChange", back_populates="request", order_by="RequestStatusChange.id")
    notes = relationship("RequestNote", back_populates="request", order_by="RequestNote.id")


class RequestStatusChange(Base):
    """Audit trail: every status a request had, who set it and when."""

    __tablename__ = "request_status_changes"

    id = Column(Integer, primary_key=True)
    request_id = Column(Integer, ForeignKey("service_requests.id", ondelete="CASCADE"), nullable=False, index=True)
    old_status = Column(String(20), nullable=True)
    new_status = Column(String(20), nullable=False)
    actor = Column(String(80), nullable=False)
    changed_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)

    request = relationship("ServiceRequest", back_populates="changes")


class RequestNote(Base):
    """An internal note of the team on a request; never shown to the customer."""

    __tablename__ = "request_notes"

    id = Column(Integer, primary_key=True)
    request_id = Column(Integer, ForeignKey("service_requests.id", ondelete="CASCADE"), nullable=False, index=True)
    author = Column(String(80), nullable=False)
    text = Column(Text, nullable=False)
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)

    request = relationship("ServiceRequest", back_populates="notes")


class User(Base):
    """A console account: agents answer escalations and requests of their queues, editors maintain content."""

    __tablename__ = "users"

    id = Column(Integer, primary_key=True)
    name = Column(String(80), unique=True, nullable=False)  # sign-in name, stored lower-case
    display_name = Column(String(120), nullable=False)
    role = Column(String(20), nullable=False)  # USER_ROLES
    queues = Column(JSON, nullable=False, default=list)  # e.g. ["contracts-RO", "renewals-ES"]
    password_hash = Column(String(255), nullable=False)  # argon2id, parameters inside the hash
    active = Column(Boolean, nullable=False, default=True)
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    language = Column(String(5), nullable=True)  # the console's language (bot.console.i18n); None: the browser's

    sessions = relationship("ConsoleSession", back_populates="user", cascade="all, delete-orphan")


class AccountChange(Base):
    """Audit of the admin page: who changed which account how (never a password or its hash)."""

    __tablename__ = "account_changes"

    id = Column(Integer, primary_key=True)
    user_id = Column(Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True)
    actor = Column(String(80), nullable=False)  # "admin:<name>" or "cli"
    action = Column(String(40), nullable=False)  # ACCOUNT_ACTIONS
    detail = Column(Text, nullable=True)
    changed_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)


ACCOUNT_ACTIONS = ("created", "updated", "deactivated", "activated", "password_reset")


class ConsoleSession(Base):
    """A signed-in browser. Only a SHA-256 of the cookie's token is stored: a leaked table signs nobody in."""

    __tablename__ = "console_sessions"

    id = Column(Integer, primary_key=True)
    token_hash = Column(String(64), unique=True, nullable=False)
    user_id = Column(Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True)
    csrf_token = Column(String(64), nullable=False)
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    last_seen_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)

    user = relationship("User", back_populates="sessions")


class SignInFailure(Base):
    """One failed sign-in, for back-off per (account, address) and the per-address limit."""

    __tablename__ = "sign_in_failures"

    id = Column(Integer, primary_key=True)
    name = Column(String(80), nullable=False)  # as typed (lower-cased), whether or not the account exists
    address = Column(String(64), nullable=False, index=True)
    failed_at = Column(DateTime(timezone=True), nullable=False, default=utcnow, index=True)


class RenewalQuote(Base):
    __tablename__ = "renewal_quotes"

    id = Column(Integer, primary_key=True)
    quote_number = Column(String(20), unique=True, nullable=False)
    customer_number = Column(String(20), nullable=False)
    status = Column(String(20), nullable=False)  # open, ordered, expired
    due_date = Column(Date, nullable=False)
    currency = Column(String(3), nullable=False)
    demo = Column(Boolean, nullable=False, default=False)  # loaded by `python -m bot db seed`
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)

    items = relationship("QuoteLineItem", back_populates="quote", order_by="QuoteLineItem.position",
                         cascade="all, delete-orphan")


class QuoteLineItem(Base):
    __tablename__ = "quote_line_items"
    __table_args__ = (UniqueConstraint("quote_id", "position"),)

    id = Column(Integer, primary_key=True)
    quote_id = Column(Integer, ForeignKey("renewal_quotes.id", ondelete="CASCADE"), nullable=False, index=True)
    position = Column(Integer, nullable=False)
    description = Column(String(200), nullable=False)
    quantity = Column(Integer, nullable=False)
    # Money as integer cents: exact on every database (SQLite has no decimal type); 64-bit, since 32 bits
    # end at 21,474,836.47 (migration 0004_money_bigint).
    unit_price_cents = Column(BigInteger, nullable=False)

    quote = relationship("RenewalQuote", back_populates="items")

    @property
    def unit_price(self) -> Decimal:
        return Decimal(self.unit_price_cents) / 100

"""Escalations to a human agent, the audit of their status changes, and agents' presence.

The tables share `bot.db.models.Base`, so Alembic and `Base.metadata` see them. `agent_id` / `user_id`
refer to `users.id` (the console's accounts, migration 0002_console).
"""

from __future__ import annotations

from sqlalchemy import JSON, Column, DateTime, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import relationship

from bot.db.models import Base, utcnow

WAITING, CLAIMED, RETURNED, RESOLVED = "waiting", "claimed", "returned", "resolved"
CANCELLED = "cancelled"  # the customer left the queue before a colleague took the conversation
STATUSES = (WAITING, CLAIMED, RETURNED, RESOLVED, CANCELLED)
OPEN_STATUSES = (WAITING, CLAIMED)  # the conversation is paused while its escalation is in one of these
# Why the assistant escalated: one code per trigger.
REASONS = ("customer_request", "repeated_misunderstanding", "form_abandoned", "quote_lookup_limit")


class Escalation(Base):
    __tablename__ = "escalations"
    __table_args__ = (
        # At most one open escalation per conversation, whoever creates it concurrently.
        Index("uq_escalations_open_conversation", "conversation_id", unique=True,
              sqlite_where=text("status IN ('waiting', 'claimed')"),
              postgresql_where=text("status IN ('waiting', 'claimed')")),
        Index("ix_escalations_queue_status", "queue", "status"),
    )

    id = Column(Integer, primary_key=True)
    conversation_id = Column(String(255), nullable=False, index=True)
    language = Column(String(2), nullable=False)
    country = Column(String(2), nullable=False)
    queue = Column(String(40), nullable=False)
    reason = Column(String(40), nullable=False)
    status = Column(String(20), nullable=False, default=WAITING)
    agent_id = Column(Integer, ForeignKey("users.id", ondelete="SET NULL"), nullable=True, index=True)
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    claimed_at = Column(DateTime(timezone=True), nullable=True)
    closed_at = Column(DateTime(timezone=True), nullable=True)
    note = Column(Text, nullable=True)
    last_customer_message = Column(Text, nullable=True)
    last_activity_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)

    events = relationship("EscalationEvent", back_populates="escalation", order_by="EscalationEvent.id")


class EscalationEvent(Base):
    """Audit: every status an escalation had, who set it and when."""

    __tablename__ = "escalation_events"

    id = Column(Integer, primary_key=True)
    escalation_id = Column(Integer, ForeignKey("escalations.id", ondelete="CASCADE"), nullable=False, index=True)
    old_status = Column(String(20), nullable=True)
    new_status = Column(String(20), nullable=False)
    actor = Column(String(80), nullable=False)  # "assistant", "customer", "agent:<id>" or "system"
    note = Column(Text, nullable=True)
    changed_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)

    escalation = relationship("Escalation", back_populates="events")


class AgentPresence(Base):
    """The console's heartbeat: an agent counts as available for these queues while last_seen is recent."""

    __tablename__ = "agent_presence"

    user_id = Column(Integer, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    queues = Column(JSON, nullable=False, default=list)
    last_seen = Column(DateTime(timezone=True), nullable=False, default=utcnow)

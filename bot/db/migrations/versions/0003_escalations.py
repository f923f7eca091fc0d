"""Escalations to human agents, their status audit, agents' presence.

Revision ID: 0003_escalations
Revises: 0002_console
Create Date: 2026-11-29
"""
import sqlalchemy as sa
from alembic import op

revision = "0003_escalations"
down_revision = "0002_console"
branch_labels = None
depends_on = None

OPEN = sa.text("status IN ('waiting', 'claimed')")


def upgrade() -> None:
    op.create_table(
        "escalations",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("conversation_id", sa.String(255), nullable=False, index=True),
        sa.Column("language", sa.String(2), nullable=False),
        sa.Column("country", sa.String(2), nullable=False),
        sa.Column("queue", sa.String(40), nullable=False),
        sa.Column("reason", sa.String(40), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("agent_id", sa.Integer(), sa.ForeignKey("users.id", ondelete="SET NULL"), nullable=True,
                  index=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("last_customer_message", sa.Text(), nullable=True),
        sa.Column("last_activity_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("uq_escalations_open_conversation", "escalations", ["conversation_id"], unique=True,
                    sqlite_where=OPEN, postgresql_where=OPEN)
    op.create_index("ix_escalations_queue_status", "escalations", ["queue", "status"])
    op.create_table(
        "escalation_events",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("escalation_id", sa.Integer(), sa.ForeignKey("escalations.id", ondelete="CASCADE"),
                  nullable=False, index=True),
        sa.Column("old_status", sa.String(20), nullable=True),
        sa.Column("new_status", sa.String(20), nullable=False),
        sa.Column("actor", sa.String(80), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "agent_presence",
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("queues", sa.JSON(), nullable=False),
        sa.Column("last_seen", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("agent_presence")
    op.drop_table("escalation_events")
    op.drop_index("ix_escalations_queue_status", table_name="escalations")
    op.drop_index("uq_escalations_open_conversation", table_name="escalations")
    op.drop_table("escalations")

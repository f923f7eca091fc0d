"""Analytics from Rasa's event stream: conversations, customer messages by language/country/intent/day, the
unanswered-questions inbox, escalation history, and the ledger of processed events (idempotency).

Revision ID: 0005
Revises: 0004_money_bigint
Create Date: 2026-11-29
"""
import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0003_escalations"  # one chain: 0001, 0004, 0002, 0003, 0005
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "processed_events",
        sa.Column("event_key", sa.String(64), primary_key=True),  # sha256 of the event as published
        sa.Column("processed_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "analytics_conversations",
        sa.Column("conversation_id", sa.String(255), primary_key=True),
        sa.Column("language", sa.String(2), nullable=True),
        sa.Column("country", sa.String(2), nullable=True),
        sa.Column("channel", sa.String(40), nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_event_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("user_messages", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("bot_messages", sa.Integer(), nullable=False, server_default="0"),
    )
    op.create_table(  # one row per customer message, no text: counts are a GROUP BY (view below)
        "analytics_messages",
        sa.Column("event_key", sa.String(64), primary_key=True),
        sa.Column("conversation_id", sa.String(255), nullable=False, index=True),
        sa.Column("day", sa.Date(), nullable=False, index=True),
        sa.Column("language", sa.String(2), nullable=True),  # filled by the turn's language slot if unknown
        sa.Column("country", sa.String(2), nullable=True),
        sa.Column("intent", sa.String(120), nullable=False),
        sa.Column("confidence", sa.Float(), nullable=True),
    )
    op.execute(
        "CREATE VIEW analytics_intent_counts AS SELECT day, language, country, intent, COUNT(*) AS messages "
        "FROM analytics_messages GROUP BY day, language, country, intent"
    )
    op.create_table(
        "unanswered_questions",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("event_key", sa.String(64), nullable=False, unique=True),
        sa.Column("conversation_id", sa.String(255), nullable=False, index=True),
        sa.Column("language", sa.String(2), nullable=True),
        sa.Column("country", sa.String(2), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("reason", sa.String(20), nullable=False),  # fallback, out_of_scope, low_confidence
        sa.Column("intent", sa.String(120), nullable=True),
        sa.Column("confidence", sa.Float(), nullable=True),
        sa.Column("status", sa.String(20), nullable=False, server_default="open"),
        sa.Column("asked_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "analytics_escalations",  # "escalations" is the live handoff's table (the console)
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("event_key", sa.String(64), nullable=False, unique=True),
        sa.Column("conversation_id", sa.String(255), nullable=False, index=True),
        sa.Column("language", sa.String(2), nullable=True),
        sa.Column("country", sa.String(2), nullable=True),
        sa.Column("trigger", sa.String(120), nullable=False),  # the intent or action that escalated
        sa.Column("escalated_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.execute("DROP VIEW analytics_intent_counts")
    for table in ("analytics_escalations", "unanswered_questions", "analytics_messages", "analytics_conversations",
                  "processed_events"):
        op.drop_table(table)

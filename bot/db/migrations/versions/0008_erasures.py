"""Erased conversations: a SHA-256 of each erased conversation id, so that an event of that conversation
still waiting in a Rasa server's spool or in RabbitMQ when the erasure ran is not recorded when it arrives.

Revision ID: 0008_erasures
Revises: 0007_editor
Create Date: 2026-11-30
"""
import sqlalchemy as sa
from alembic import op

revision = "0008_erasures"
down_revision = "0007_editor"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "erased_conversations",
        sa.Column("conversation_hash", sa.String(64), primary_key=True),
        sa.Column("erased_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("erased_conversations")

"""Content editors in the console: the audit of every editor step, and the background jobs (training and
evaluation, publish, rollback) of which at most one runs at a time.

Revision ID: 0007_editor
Revises: 0006_accounts
Create Date: 2026-11-30
"""
import sqlalchemy as sa
from alembic import op

revision = "0007_editor"
down_revision = "0006_accounts"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "editor_audit",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False, index=True),
        sa.Column("actor", sa.String(80), nullable=False),
        sa.Column("action", sa.String(40), nullable=False),
        sa.Column("locale", sa.String(10), nullable=True),
        sa.Column("subject", sa.String(200), nullable=True),  # response, fact key, job or inbox group
        sa.Column("detail", sa.Text(), nullable=True),  # JSON: old and new value, outcome
    )
    op.create_table(
        "editor_jobs",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("kind", sa.String(20), nullable=False),  # train, publish, rollback
        sa.Column("status", sa.String(20), nullable=False),  # running, succeeded, failed
        # TRUE while running, NULL afterwards: the unique constraint lets only one job run at a time
        # (NULLs never collide, in PostgreSQL and SQLite alike).
        sa.Column("active", sa.Boolean(), nullable=True, unique=True),
        sa.Column("started_by", sa.String(80), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("heartbeat_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("step", sa.String(80), nullable=False, server_default=""),
        sa.Column("model", sa.String(200), nullable=True),
        sa.Column("version", sa.String(20), nullable=True),
        sa.Column("message", sa.Text(), nullable=True),
    )


def downgrade() -> None:
    op.drop_table("editor_jobs")
    op.drop_table("editor_audit")

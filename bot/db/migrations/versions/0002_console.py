"""Console: users, server-side sessions, failed sign-ins; service requests get an assignee, internal notes and
the statuses open -> in_progress -> waiting_for_customer -> done (enforced by a check constraint).

Revision ID: 0002_console
Revises: 0004_money_bigint
Create Date: 2026-11-29
"""
import sqlalchemy as sa
from alembic import op

revision = "0002_console"
down_revision = "0004_money_bigint"  # re-chained after main's head at merge
branch_labels = None
depends_on = None

STATUSES = ("open", "in_progress", "waiting_for_customer", "done")


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", sa.String(80), nullable=False, unique=True),
        sa.Column("display_name", sa.String(120), nullable=False),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("queues", sa.JSON(), nullable=False),
        sa.Column("password_hash", sa.String(255), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("role IN ('agent', 'editor', 'admin')", name="ck_users_role"),
    )
    op.create_table(
        "console_sessions",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False,
                  index=True),
        sa.Column("csrf_token", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "sign_in_failures",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", sa.String(80), nullable=False),
        sa.Column("address", sa.String(64), nullable=False, index=True),
        sa.Column("failed_at", sa.DateTime(timezone=True), nullable=False, index=True),
    )
    op.create_table(
        "request_notes",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("request_id", sa.Integer(), sa.ForeignKey("service_requests.id", ondelete="CASCADE"),
                  nullable=False, index=True),
        sa.Column("author", sa.String(80), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    allowed = ", ".join(f"'{status}'" for status in STATUSES)
    with op.batch_alter_table("service_requests") as batch:  # SQLite rebuilds the table
        batch.add_column(sa.Column("assignee", sa.String(80), nullable=True))
        batch.create_check_constraint("ck_service_requests_status", f"status IN ({allowed})")


def downgrade() -> None:
    op.execute("UPDATE service_requests SET status = 'open' WHERE status <> 'open'")
    with op.batch_alter_table("service_requests") as batch:
        batch.drop_constraint("ck_service_requests_status", type_="check")
        batch.drop_column("assignee")
    op.drop_table("request_notes")
    op.drop_table("sign_in_failures")
    op.drop_table("console_sessions")
    op.drop_table("users")

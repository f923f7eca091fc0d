"""Money in integer cents as 64-bit: a 32-bit column overflows at 21,474,836.47 (a EUR 25M price aborted the
PostgreSQL import with a raw DataError).

Revision ID: 0004_money_bigint
Revises: 0001
Create Date: 2026-11-29
"""
import sqlalchemy as sa
from alembic import op

revision = "0004_money_bigint"
down_revision = "0001"  # re-chained onto main's head at merge
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("quote_line_items") as batch:  # batch: SQLite recreates the table
        batch.alter_column("unit_price_cents", existing_type=sa.Integer(), type_=sa.BigInteger(),
                           existing_nullable=False)


def downgrade() -> None:
    with op.batch_alter_table("quote_line_items") as batch:
        batch.alter_column("unit_price_cents", existing_type=sa.BigInteger(), type_=sa.Integer(),
                           existing_nullable=False)

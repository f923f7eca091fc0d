"""The editor's tables (created by migration 0007_editor), as SQLAlchemy Core tables."""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData()

audit = sa.Table(
    "editor_audit", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("actor", sa.String(80), nullable=False),
    sa.Column("action", sa.String(40), nullable=False),
    sa.Column("locale", sa.String(10)),
    sa.Column("subject", sa.String(200)),
    sa.Column("detail", sa.Text),
)
jobs = sa.Table(
    "editor_jobs", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("kind", sa.String(20), nullable=False),
    sa.Column("status", sa.String(20), nullable=False),
    sa.Column("active", sa.Boolean),
    sa.Column("started_by", sa.String(80), nullable=False),
    sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("heartbeat_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("finished_at", sa.DateTime(timezone=True)),
    sa.Column("step", sa.String(80), nullable=False),
    sa.Column("model", sa.String(200)),
    sa.Column("version", sa.String(20)),
    sa.Column("message", sa.Text),
)

"""The first schema: volumes and jobs.

Revision ID: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None


def upgrade() -> None:
    op.create_table(
        "volumes",
        sa.Column("id", sa.Text, primary_key=True),
        sa.Column("created", sa.Float, nullable=False),
        sa.Column("file", sa.Text, nullable=False),
        sa.Column("meta", sa.Text, nullable=False))
    op.create_table(
        "jobs",
        sa.Column("id", sa.Text, primary_key=True),
        sa.Column("volume_id", sa.Text, nullable=False),
        sa.Column("created", sa.Float, nullable=False),
        sa.Column("prompts", sa.Text, nullable=False),
        sa.Column("options", sa.Text, nullable=False),
        sa.Column("status", sa.Text, nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("started", sa.Float),
        sa.Column("finished", sa.Float),
        sa.Column("done", sa.Integer, nullable=False, server_default="0"),
        sa.Column("total", sa.Integer, nullable=False, server_default="0"),
        sa.Column("error", sa.Text),
        sa.Column("results", sa.Text, nullable=False, server_default="[]"))
    op.create_index("jobs_status", "jobs", ["status", "created"])

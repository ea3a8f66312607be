"""Distributed mode: workers and their heartbeats; which worker runs a job; cancel requests
that cross machines; when a job was last handed to the broker.

Revision ID: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"


def upgrade() -> None:
    op.create_table(
        "workers",
        sa.Column("id", sa.Text, primary_key=True),
        sa.Column("host", sa.Text, nullable=False),
        sa.Column("device", sa.Text, nullable=False),
        sa.Column("gpu_name", sa.Text),
        sa.Column("current_job", sa.Text),
        sa.Column("started", sa.Float, nullable=False),
        sa.Column("last_seen", sa.Float, nullable=False))
    op.add_column("jobs", sa.Column("worker_id", sa.Text))
    op.add_column("jobs", sa.Column("cancel_requested", sa.Boolean, nullable=False, server_default=sa.false()))
    op.add_column("jobs", sa.Column("published", sa.Float))

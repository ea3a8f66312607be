"""Each person's data their own: every volume and job has an owner (a user id) and optionally a
project whose members see it too; projects and their members; a user's own limits (waiting jobs, compute per day).

Everything stored before this revision belongs to the bootstrap administrator (``admin``, the
user of ``VOXTELL_API_KEY`` and of the implicit local user of a workstation): nobody else sees
it until an administrator hands it on.

Revision ID: 0008
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"

BOOTSTRAP_ADMIN = "admin"  # backend.domain.identity.BOOTSTRAP_ADMIN, frozen as of this revision


def upgrade() -> None:
    for table in ("volumes", "jobs"):
        op.add_column(table, sa.Column("owner", sa.Text, nullable=False, server_default=BOOTSTRAP_ADMIN))
        op.add_column(table, sa.Column("project", sa.Text))
    op.create_index("jobs_owner", "jobs", ["owner", "created"])
    op.create_index("volumes_owner", "volumes", ["owner", "created"])
    op.add_column("users", sa.Column("max_queued", sa.Integer))  # NULL: the server's default
    op.add_column("users", sa.Column("max_daily_compute_s", sa.Float))  # NULL: the server's default
    op.create_table(
        "projects",
        sa.Column("id", sa.Text, primary_key=True),
        sa.Column("name", sa.Text, nullable=False, unique=True),
        sa.Column("created", sa.Float, nullable=False),
    )
    op.create_table(
        "project_members",
        sa.Column("project_id", sa.Text, sa.ForeignKey("projects.id"), primary_key=True),
        sa.Column("user_id", sa.Text, primary_key=True),
    )


def downgrade() -> None:
    op.drop_table("project_members")
    op.drop_table("projects")

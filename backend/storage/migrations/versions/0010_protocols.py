"""Protocols of named structures: a department's sets of prompts with the names, colours and RT
interpreted types its exports carry; every API node and worker reads the same ones.

Revision ID: 0010
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"


def upgrade() -> None:
    op.create_table(
        "protocols",
        sa.Column("id", sa.Text, primary_key=True),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("updated", sa.Float, nullable=False),
        sa.Column("updated_by", sa.Text),
        sa.Column("shipped", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("deleted", sa.Float),
    )


def downgrade() -> None:
    op.drop_table("protocols")

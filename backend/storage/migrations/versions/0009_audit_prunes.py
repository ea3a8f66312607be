"""Audit retention, and prompts in the trail on request: a record of each prune of the audit trail (``voxtell-web audit prune``), so that
``audit verify`` can check the kept rows from where the pruned ones ended — the hash of the last
pruned row anchors the chain — while a row removed any other way still breaks it.

Revision ID: 0009
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"


def upgrade() -> None:
    # What an event says beyond who, what and which object: only the prompts of an ``infer``, and
    # only when the administrator asks for them (VOXTELL_AUDIT_PROMPTS; a prompt can name a patient).
    op.add_column("audit_events", sa.Column("detail", sa.Text))
    op.create_table(
        "audit_prunes",
        sa.Column("last_seq", sa.Integer, primary_key=True),  # the last event removed
        sa.Column("last_hash", sa.Text, nullable=False),  # its hash: the anchor of the next kept row
        sa.Column("removed", sa.Integer, nullable=False),
        sa.Column("at", sa.Float, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("audit_prunes")

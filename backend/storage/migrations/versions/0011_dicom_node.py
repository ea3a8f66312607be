"""The DICOM node: routing rules, destinations, the series received (the worklist) and the sends
of results to each destination (their retries survive a restart).

Revision ID: 0011
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"


def upgrade() -> None:
    op.create_table("dicom_rules", sa.Column("id", sa.Text, primary_key=True),
                    sa.Column("position", sa.Integer, nullable=False), sa.Column("body", sa.Text, nullable=False))
    op.create_table("dicom_destinations", sa.Column("name", sa.Text, primary_key=True),
                    sa.Column("body", sa.Text, nullable=False))
    op.create_table(
        "dicom_series",
        sa.Column("id", sa.Text, primary_key=True),
        sa.Column("delivery", sa.Text, nullable=False, unique=True),
        sa.Column("received", sa.Float, nullable=False),
        sa.Column("calling_ae", sa.Text),
        sa.Column("called_ae", sa.Text),
        sa.Column("modality", sa.Text),
        sa.Column("series_description", sa.Text),
        sa.Column("instances", sa.Integer, nullable=False),
        sa.Column("rule", sa.Text),
        sa.Column("protocol", sa.Text),
        sa.Column("state", sa.Text, nullable=False),
        sa.Column("reason", sa.Text),
        sa.Column("review", sa.Text),
        sa.Column("volume_id", sa.Text),
        sa.Column("job_id", sa.Text),
        sa.Column("owner", sa.Text, nullable=False),
        sa.Column("project", sa.Text),
        sa.Column("approved_by", sa.Text),
    )
    op.create_index("dicom_series_received", "dicom_series", ["received"])
    op.create_table(
        "dicom_sends",
        sa.Column("id", sa.Text, primary_key=True),
        sa.Column("series_id", sa.Text, nullable=False),
        sa.Column("destination", sa.Text, nullable=False),
        sa.Column("format", sa.Text, nullable=False),
        sa.Column("state", sa.Text, nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("next_at", sa.Float),
        sa.Column("last_error", sa.Text),
        sa.Column("sent_at", sa.Float),
        sa.Column("created", sa.Float, nullable=False),
    )
    op.create_index("dicom_sends_due", "dicom_sends", ["state", "next_at"])


def downgrade() -> None:
    for table in ("dicom_sends", "dicom_series", "dicom_destinations", "dicom_rules"):
        op.drop_table(table)

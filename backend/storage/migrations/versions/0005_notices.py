"""Jobs keep the engine's notices (out-of-memory fallbacks) for every node's event streams.

Revision ID: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"


def upgrade() -> None:
    op.add_column("jobs", sa.Column("notices", sa.Text, nullable=False, server_default="[]"))

"""Jobs keep their phase in plain words and every phase they went through (phase_log).

Jobs that had already ended take their status as their phase; a job caught running is
``segmenting`` (it is re-queued at start-up and logs ``queued`` again). Their logs start empty:
what happened before this revision was not recorded.

Revision ID: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"


def upgrade() -> None:
    op.add_column("jobs", sa.Column("phase", sa.Text, nullable=False, server_default="queued"))
    op.add_column("jobs", sa.Column("phase_log", sa.Text, nullable=False, server_default="[]"))
    op.execute("UPDATE jobs SET phase = status WHERE status IN ('done', 'failed', 'cancelled')")
    op.execute("UPDATE jobs SET phase = 'segmenting' WHERE status = 'running'")

"""The next mask index of a job lives in its row (indices are never reused).

Deleted masks used to leave tombstone files (``results/<job>/mask_<i>.deleted``); they are read
once here, then removed.

Revision ID: 0003
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import sqlalchemy as sa
from alembic import context, op

revision = "0003"
down_revision = "0002"
_TOMBSTONE = re.compile(r"mask_(\d+)\.deleted")


def upgrade() -> None:
    op.add_column("jobs", sa.Column("next_mask_index", sa.Integer, nullable=False, server_default="0"))
    data_dir: Path | None = context.config.attributes.get("data_dir")
    connection = op.get_bind()
    rows = connection.execute(sa.text("SELECT id, results FROM jobs WHERE results != '[]'")).fetchall()
    for job_id, results in rows:
        used = [int(r["index"]) for r in json.loads(results)]
        folder = data_dir / "results" / job_id if data_dir is not None else None
        if folder is not None and folder.is_dir():
            used += [int(m.group(1)) for f in folder.iterdir() if (m := _TOMBSTONE.fullmatch(f.name))]
            for tombstone in folder.glob("mask_*.deleted"):
                tombstone.unlink()
        connection.execute(sa.text("UPDATE jobs SET next_mask_index = :n WHERE id = :id"),
                           {"n": max(used, default=-1) + 1, "id": job_id})

"""Protocols in the job database (every API node and worker sees the same ones).

The rows hold a protocol's dict form as JSON; checking it is the domain's work
(``backend.domain.protocols``). Deleting keeps a tombstone, so a shipped protocol an administrator
removed is not seeded again at the next start.
"""

from __future__ import annotations

import json
import time
from typing import Any

import sqlalchemy as sa

from backend.storage.db import protocols
from backend.storage.store import Store


class ProtocolRows:
    """The ``protocols`` table, on the store's database (writes take the store's turn)."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def all(self) -> list[dict[str, Any]]:
        """Every protocol not deleted, by id: its dict form plus ``updated``/``updated_by``/``shipped``."""
        with self.store.engine.connect() as db:
            rows = db.execute(sa.select(protocols).where(protocols.c.deleted.is_(None))
                              .order_by(protocols.c.id)).mappings().all()
        return [_body(row) for row in rows]

    def get(self, protocol_id: str) -> dict[str, Any] | None:
        with self.store.engine.connect() as db:
            row = db.execute(sa.select(protocols).where(protocols.c.id == protocol_id,
                                                        protocols.c.deleted.is_(None))).mappings().first()
        return _body(row) if row is not None else None

    def put(self, body: dict[str, Any], by: str | None, now: float | None = None) -> bool:
        """Create or replace protocol ``body["id"]``; True when it was new (or deleted before)."""
        now = time.time() if now is None else now
        with self.store._write() as db:
            existing = db.execute(sa.select(protocols.c.deleted).where(protocols.c.id == body["id"])).first()
            values = {"body": json.dumps(body, sort_keys=True), "updated": now, "updated_by": by, "deleted": None}
            if existing is None:
                db.execute(protocols.insert().values(id=body["id"], shipped=False, **values))
                return True
            db.execute(protocols.update().where(protocols.c.id == body["id"]).values(**values))
            return existing.deleted is not None

    def delete(self, protocol_id: str, now: float | None = None) -> bool:
        with self.store._write() as db:
            done = db.execute(protocols.update().where(protocols.c.id == protocol_id, protocols.c.deleted.is_(None))
                              .values(deleted=time.time() if now is None else now))
            return bool(done.rowcount)

    def seed(self, bodies: list[dict[str, Any]], now: float | None = None) -> list[str]:
        """Add the shipped protocols whose ids this database has never held (an edited or deleted
        one is left as it is); the ids added."""
        now = time.time() if now is None else now
        added: list[str] = []
        with self.store._write() as db:
            known = set(db.execute(sa.select(protocols.c.id)).scalars())
            for body in bodies:
                if body["id"] not in known:
                    db.execute(protocols.insert().values(id=body["id"], body=json.dumps(body, sort_keys=True),
                                                         updated=now, updated_by=None, shipped=True))
                    added.append(body["id"])
        return added


def _body(row: sa.RowMapping) -> dict[str, Any]:
    body: dict[str, Any] = json.loads(row["body"])
    return {**body, "updated": row["updated"], "updated_by": row["updated_by"], "shipped": bool(row["shipped"])}

"""The audit trail: one append-only row per access to patient data (or refused request), each
carrying ``SHA-256(previous hash ‖ canonical JSON of the row)`` so that an edited, removed or
inserted row breaks the chain at that point. Database triggers refuse ``UPDATE`` and
``DELETE`` (migration 0007); appends from every API node and worker are serialised (SQLite: the
store's writer turn; PostgreSQL: an advisory lock), so the chain stays one line.

No image data, file names or patient fields are ever written here.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from backend.storage.db import audit_events, audit_prunes
from backend.storage.store import Store

GENESIS = "0" * 64
_APPEND_LOCK = 734_114  # PostgreSQL advisory lock id: one append at a time, one linear chain
APPEND_ONLY = "audit events are append-only"  # the triggers' message (migration 0007)


@dataclass(frozen=True)
class AuditEvent:
    action: str
    outcome: int  # the HTTP status the request was answered with
    via: str
    user_id: str | None = None
    token_id: str | None = None
    object_type: str | None = None
    object_id: str | None = None
    source: str | None = None  # the client's address
    request_id: str | None = None
    at: float = field(default_factory=time.time)
    detail: str | None = None  # an infer's prompts, only when the administrator asks for them

    def canonical(self, prev_hash: str) -> str:
        row = asdict(self)
        if row["detail"] is None:  # rows written before ``detail`` existed hash as they did
            del row["detail"]
        return json.dumps({**row, "prev_hash": prev_hash}, sort_keys=True, separators=(",", ":"))


def chain_hash(prev_hash: str, event: AuditEvent) -> str:
    return hashlib.sha256((prev_hash + event.canonical(prev_hash)).encode()).hexdigest()


@dataclass(frozen=True)
class ChainCheck:
    events: int
    first_broken: int | None  # seq of the first row whose hash or link is wrong
    reason: str = ""

    @property
    def ok(self) -> bool:
        return self.first_broken is None


class AuditTrail:
    def __init__(self, store: Store) -> None:
        self.store = store

    def append(self, event: AuditEvent) -> None:
        with self.store._write() as db:
            if db.dialect.name == "postgresql":
                db.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": _APPEND_LOCK})
            prev = db.execute(sa.select(audit_events.c.hash).order_by(audit_events.c.seq.desc()).limit(1)).scalar()
            prev = prev or GENESIS
            db.execute(audit_events.insert().values(**asdict(event), prev_hash=prev, hash=chain_hash(prev, event)))

    def rows(self, since: float | None = None) -> Iterator[dict[str, Any]]:
        query = sa.select(audit_events).order_by(audit_events.c.seq)
        if since is not None:
            query = query.where(audit_events.c.at >= since)
        with self.store.engine.connect() as db:
            for row in db.execute(query).mappings():
                yield dict(row)

    def query(self, *, user_id: str | None = None, action: str | None = None, object_id: str | None = None,
              since: float | None = None, until: float | None = None, limit: int = 200) -> list[dict[str, Any]]:
        """The newest events matching every filter given, newest first (at most ``limit``)."""
        query = sa.select(audit_events).order_by(audit_events.c.seq.desc()).limit(limit)
        for column, value in ((audit_events.c.user_id, user_id), (audit_events.c.action, action),
                              (audit_events.c.object_id, object_id)):
            if value is not None:
                query = query.where(column == value)
        if since is not None:
            query = query.where(audit_events.c.at >= since)
        if until is not None:
            query = query.where(audit_events.c.at < until)
        with self.store.engine.connect() as db:
            return [dict(row) for row in db.execute(query).mappings()]

    def prune(self, before: float, archive: Path) -> int:
        """Remove the events older than ``before`` (a retention period's end), after writing them to
        ``archive`` (JSON lines, a new file, flushed to disk first); the hash of the last removed row
        is recorded, so that ``verify`` checks the rest from there. Returns how many were removed.

        The triggers that refuse ``DELETE`` are lifted for this one transaction only."""
        with self.store.engine.connect() as db:
            last = db.execute(sa.select(audit_events.c.seq, audit_events.c.hash).where(audit_events.c.at < before)
                              .order_by(audit_events.c.seq.desc()).limit(1)).first()
        if last is None:
            return 0
        with archive.open("x") as out:  # never over an earlier archive
            for row in self.rows():
                if row["seq"] > last.seq:
                    break
                out.write(json.dumps(row, sort_keys=True) + "\n")
            out.flush()
            os.fsync(out.fileno())
        with self.store._write() as db:
            if db.dialect.name == "postgresql":
                db.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": _APPEND_LOCK})
                db.execute(sa.text("ALTER TABLE audit_events DISABLE TRIGGER audit_no_delete"))
            else:
                db.exec_driver_sql("DROP TRIGGER audit_no_delete")
            removed = db.execute(audit_events.delete().where(audit_events.c.seq <= last.seq)).rowcount
            if db.dialect.name == "postgresql":
                db.execute(sa.text("ALTER TABLE audit_events ENABLE TRIGGER audit_no_delete"))
            else:
                db.exec_driver_sql(f"CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit_events "
                                   f"BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY}'); END")
            db.execute(audit_prunes.insert().values(last_seq=last.seq, last_hash=last.hash, removed=removed,
                                                    at=time.time()))
        return int(removed)

    def verify(self) -> ChainCheck:
        """Walk the chain from its start (or from where the last prune ended); the first row that
        does not follow names the break."""
        prev, count = GENESIS, 0
        with self.store.engine.connect() as db:
            anchors = dict(db.execute(sa.select(audit_prunes.c.last_seq, audit_prunes.c.last_hash)).all())
        for row in self.rows():
            if count == 0 and row["seq"] - 1 in anchors:  # the rows before were pruned, on record
                prev = anchors[row["seq"] - 1]
            count += 1
            event = AuditEvent(**{k: row[k] for k in AuditEvent.__dataclass_fields__})
            if row["prev_hash"] != prev:
                return ChainCheck(count, row["seq"], "does not follow the row before it (a row was removed or inserted)")
            if row["hash"] != chain_hash(prev, event):
                return ChainCheck(count, row["seq"], "its content was changed after it was written")
            prev = row["hash"]
        return ChainCheck(count, None)

"""The DICOM node's rows: its configuration (rules, destinations), the series it received (the
worklist) and the sends of results to destinations. What is here is the truth: after a restart
the node finds every waiting job and every pending send here."""

from __future__ import annotations

import json
import time
from typing import Any

import sqlalchemy as sa

from backend.states import SendState
from backend.storage.access import Access, visible
from backend.storage.datadir import new_id
from backend.storage.db import dicom_destinations, dicom_rules, dicom_sends, dicom_series
from backend.storage.store import Store


class NodeRows:
    def __init__(self, store: Store) -> None:
        self.store = store

    # -- configuration --------------------------------------------------------------------------
    def config(self) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        """(rules in order, destinations by name), each in its dict form."""
        with self.store.engine.connect() as db:
            rules = db.execute(sa.select(dicom_rules.c.body).order_by(dicom_rules.c.position)).scalars().all()
            dests = db.execute(sa.select(dicom_destinations.c.body).order_by(dicom_destinations.c.name)).scalars().all()
        return [json.loads(r) for r in rules], [json.loads(d) for d in dests]

    def replace_config(self, rules: list[dict[str, Any]], destinations: list[dict[str, Any]]) -> None:
        """The whole configuration at once (one transaction: a node never sees half of it)."""
        with self.store._write() as db:
            db.execute(dicom_rules.delete())
            db.execute(dicom_destinations.delete())
            for position, rule in enumerate(rules):
                db.execute(dicom_rules.insert().values(id=rule["id"], position=position, body=json.dumps(rule)))
            for dest in destinations:
                db.execute(dicom_destinations.insert().values(name=dest["name"], body=json.dumps(dest)))

    # -- the worklist -----------------------------------------------------------------------------
    def add_series(self, delivery: str, **values: Any) -> str | None:
        """A new worklist row for a delivery of the spool; None when that delivery was recorded
        before (a handover repeated after a crash is recognised here)."""
        series_id = new_id()
        with self.store._write() as db:
            if db.execute(sa.select(dicom_series.c.id).where(dicom_series.c.delivery == delivery)).first():
                return None
            db.execute(dicom_series.insert().values(id=series_id, delivery=delivery, **values))
        return series_id

    def series(self, series_id: str, access: Access | None = None) -> dict[str, Any] | None:
        with self.store.engine.connect() as db:
            row = db.execute(sa.select(dicom_series).where(dicom_series.c.id == series_id,
                                                           *visible(dicom_series, access))).mappings().first()
        return dict(row) if row is not None else None

    def list_series(self, access: Access | None, limit: int = 100,
                    older_than: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        """Up to ``limit`` series, newest first (ties by id), those received before the series row
        ``older_than`` only when given: a page after it that arrivals meanwhile do not shift."""
        where = list(visible(dicom_series, access))
        if older_than is not None:
            received, series_id = older_than["received"], older_than["id"]
            where.append(sa.or_(dicom_series.c.received < received,
                                sa.and_(dicom_series.c.received == received, dicom_series.c.id < series_id)))
        with self.store.engine.connect() as db:
            rows = db.execute(sa.select(dicom_series).where(*where)
                              .order_by(dicom_series.c.received.desc(), dicom_series.c.id.desc())
                              .limit(limit)).mappings().all()
        return [dict(r) for r in rows]

    def series_in(self, states: tuple[str, ...]) -> list[dict[str, Any]]:
        with self.store.engine.connect() as db:
            rows = db.execute(sa.select(dicom_series).where(dicom_series.c.state.in_(states))).mappings().all()
        return [dict(r) for r in rows]

    def update_series(self, series_id: str, only_if_state: tuple[str, ...] | None = None, **values: Any) -> bool:
        condition = [dicom_series.c.id == series_id]
        if only_if_state is not None:
            condition.append(dicom_series.c.state.in_(only_if_state))
        with self.store._write() as db:
            return bool(db.execute(dicom_series.update().where(*condition).values(**values)).rowcount)

    # -- sends --------------------------------------------------------------------------------------
    def add_sends(self, series_id: str, sends: list[tuple[str, str]], now: float | None = None) -> None:
        now = time.time() if now is None else now
        with self.store._write() as db:
            for destination, fmt in sends:
                db.execute(dicom_sends.insert().values(id=new_id(), series_id=series_id, destination=destination,
                                                       format=fmt, state=SendState.PENDING.value, attempts=0,
                                                       next_at=now, created=now))

    def due_sends(self, now: float) -> list[dict[str, Any]]:
        with self.store.engine.connect() as db:
            rows = db.execute(sa.select(dicom_sends).where(dicom_sends.c.state == SendState.PENDING.value,
                                                           dicom_sends.c.next_at <= now)
                              .order_by(dicom_sends.c.next_at)).mappings().all()
        return [dict(r) for r in rows]

    def sends_of(self, series_ids: list[str]) -> dict[str, list[dict[str, Any]]]:
        found: dict[str, list[dict[str, Any]]] = {i: [] for i in series_ids}
        if not series_ids:
            return found
        with self.store.engine.connect() as db:
            rows = db.execute(sa.select(dicom_sends).where(dicom_sends.c.series_id.in_(series_ids))
                              .order_by(dicom_sends.c.created, dicom_sends.c.destination)).mappings().all()
        for row in rows:
            found[row["series_id"]].append(dict(row))
        return found

    def send(self, send_id: str) -> dict[str, Any] | None:
        with self.store.engine.connect() as db:
            row = db.execute(sa.select(dicom_sends).where(dicom_sends.c.id == send_id)).mappings().first()
        return dict(row) if row is not None else None

    def update_send(self, send_id: str, **values: Any) -> bool:
        with self.store._write() as db:
            return bool(db.execute(dicom_sends.update().where(dicom_sends.c.id == send_id).values(**values)).rowcount)

"""Distributed mode's side of the job table: workers, their heartbeats, claims (exactly one
worker per attempt), re-queueing a lost worker's job, publishing to the broker, cross-machine
cancel. ``Store`` includes these methods (``WorkerClaims`` is one of its bases)."""

from __future__ import annotations

import time
from contextlib import AbstractContextManager
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from backend.storage.db import jobs, workers
from backend.storage.rows import _phase_change


class WorkerClaims:
    engine: Engine

    def _write(self) -> AbstractContextManager[sa.Connection]:
        raise NotImplementedError  # Store's

    def _scalar(self, statement: sa.Select[Any]) -> Any:
        raise NotImplementedError  # Store's

    def transition(self, job_id: str, old: tuple[str, ...], new: str, owner: str | None = None,
                   **values: Any) -> bool:
        raise NotImplementedError  # Store's

    # -- distributed mode: workers, claims, cross-machine cancel --------------------------
    def claim(self, job_id: str, worker_id: str, max_attempts: int, lost_after_s: float) -> str:
        """A worker takes a job: ``"claimed"`` (queued -> running, or re-taken from a worker that
        stopped heartbeating), ``"skip"`` (finished, cancelled, or held by a live worker: a
        duplicate delivery), or ``"failed"`` (too many attempts: failed with the reason)."""
        now = time.time()
        with self._write() as db:
            row = db.execute(sa.select(jobs.c.status, jobs.c.attempts, jobs.c.worker_id, jobs.c.phase, jobs.c.phase_log)
                             .where(jobs.c.id == job_id).with_for_update()).first()
            if row is None or row.status not in ("queued", "running"):
                return "skip"
            if row.status == "running":
                holder = db.execute(sa.select(workers.c.last_seen).where(workers.c.id == row.worker_id)).scalar()
                if holder is not None and holder > now - lost_after_s:
                    return "skip"
            if row.attempts >= max_attempts:
                db.execute(jobs.update().where(jobs.c.id == job_id).values(
                    status="failed", finished=now, error_kind="interrupted",
                    error=f"the job was interrupted {row.attempts} times (a worker was lost each time)",
                    **_phase_change(row.phase, row.phase_log, "failed", now)))
                return "failed"
            db.execute(jobs.update().where(jobs.c.id == job_id).values(
                status="running", started=now, attempts=row.attempts + 1, worker_id=worker_id, done=0))
        return "claimed"

    def request_cancel(self, job_id: str) -> bool:
        """Flag a running job for its worker (it stops at its next window)."""
        with self._write() as db:
            return bool(db.execute(jobs.update().where(jobs.c.id == job_id, jobs.c.status == "running")
                                   .values(cancel_requested=True)).rowcount)

    def cancel_requested(self, job_id: str) -> bool:
        return bool(self._scalar(sa.select(jobs.c.cancel_requested).where(jobs.c.id == job_id)))

    def mark_published(self, job_ids: list[str]) -> None:
        if job_ids:
            with self._write() as db:
                db.execute(jobs.update().where(jobs.c.id.in_(job_ids)).values(published=time.time()))

    def unpublished_since(self, before: float) -> list[str]:
        """Queued jobs last handed to the broker before ``before`` (or never)."""
        with self.engine.connect() as db:
            return list(db.execute(sa.select(jobs.c.id).where(
                jobs.c.status == "queued", sa.or_(jobs.c.published.is_(None), jobs.c.published < before))
                .order_by(jobs.c.created)).scalars())

    def orphaned_running(self, lost_after_s: float) -> list[str]:
        """Running jobs whose worker has not heartbeated for ``lost_after_s`` seconds."""
        cutoff = time.time() - lost_after_s
        alive = sa.select(workers.c.id).where(workers.c.last_seen >= cutoff)
        with self.engine.connect() as db:
            return list(db.execute(sa.select(jobs.c.id).where(
                jobs.c.status == "running", sa.or_(jobs.c.worker_id.is_(None), jobs.c.worker_id.not_in(alive))))
                .scalars())

    def requeue(self, job_id: str) -> bool:
        """A running job whose worker is gone goes back to the queue (its attempts are kept)."""
        return self.transition(job_id, ("running",), "queued", done=0, worker_id=None, published=None)

    def heartbeat(self, worker_id: str, host: str, device: str, gpu_name: str | None, current_job: str | None) -> None:
        now = time.time()
        with self._write() as db:
            changed = db.execute(workers.update().where(workers.c.id == worker_id).values(
                last_seen=now, current_job=current_job)).rowcount
            if not changed:
                db.execute(workers.insert().values(id=worker_id, host=host, device=device, gpu_name=gpu_name,
                                                   current_job=current_job, started=now, last_seen=now))

    def workers_online(self, within_s: float) -> list[dict[str, Any]]:
        with self.engine.connect() as db:
            rows = db.execute(sa.select(workers).where(workers.c.last_seen >= time.time() - within_s)
                              .order_by(workers.c.started)).mappings().all()
        return [dict(r) for r in rows]

    def forget_worker(self, worker_id: str) -> None:
        with self._write() as db:
            db.execute(workers.delete().where(workers.c.id == worker_id))

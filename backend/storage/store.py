"""The job tables and the files: the source of truth (a runner needs only a job id). The data
dir's layout belongs to ``backend.storage.datadir``; statuses are ``backend.states`` enums,
stored as their strings."""

from __future__ import annotations

import contextlib
import hashlib
import json
import shutil
import statistics
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from backend.states import ACTIVE, TERMINAL, JobStatus
from backend.storage.access import Access, visible
from backend.storage.datadir import DataDir, new_id
from backend.storage.db import jobs, make_engine, sqlite_url, upgrade, volumes
from backend.storage.fairshare import USAGE_HORIZON_S, decayed_usage, fair_order
from backend.storage.rows import Job, _encoded, _held_by, _job, _phase_change, _plain
from backend.storage.workers import WorkerClaims

_TERMINAL = tuple(s.value for s in TERMINAL)
_ACTIVE = tuple(s.value for s in ACTIVE)
_QUEUE_LOCK = 734_112  # PostgreSQL advisory lock id: count-then-insert of jobs is serialised
__all__ = ["Access", "Job", "OwnerQueueFull", "Store", "new_id"]


class OwnerQueueFull(Exception):
    """The owner has as many jobs waiting as one person may (``Store.add_job``'s ``max_queued_of_owner``)."""


class Store(WorkerClaims):
    """Thread-safe (and, on PostgreSQL, multi-process) access to the job tables and the
    data-dir files (distributed mode's claims and heartbeats: ``backend.storage.workers``)."""

    def __init__(self, data_dir: Path, database_url: str | None = None) -> None:
        self.paths = DataDir(data_dir)
        self.data_dir = self.paths.root
        self.paths.create()
        self.engine = make_engine(database_url or sqlite_url(self.data_dir))
        upgrade(self.engine, self.data_dir)
        self._local_locks: dict[str, threading.Lock] = {}
        self._local_locks_guard = threading.Lock()
        self._writer = _writer_lock(str(self.engine.url)) if self.engine.dialect.name == "sqlite" else None

    @contextlib.contextmanager
    def _write(self) -> Iterator[sa.Connection]:
        """One write transaction. On SQLite the writers of this process take turns (a queue in
        front of SQLite's single write lock: a burst of requests waits its turn, milliseconds each,
        instead of failing with "database is locked"), and each takes the lock at BEGIN (IMMEDIATE),
        so a read never has to upgrade to a write mid-transaction; other processes wait on the busy
        timeout. PostgreSQL: an ordinary transaction."""
        with self._writer or contextlib.nullcontext(), \
                self.engine.connect().execution_options(immediate=True) as db, db.begin():
            yield db

    # -- paths (the data dir's layout: backend.storage.datadir) ----------------------------
    def tmp_path(self, suffix: str = "") -> Path:
        return self.paths.tmp_path(suffix)

    def result_dir(self, job_id: str) -> Path:
        return self.paths.result_dir(job_id)

    def dicom_headers_dir(self, volume_id: str) -> Path:
        """Header-only copies of a DICOM-sourced volume's slices, sorted (kept for export)."""
        return self.paths.dicom_headers(volume_id)

    def volume_path(self, volume_id: str, access: Access | None = None) -> Path | None:
        """The stored upload of ``volume_id``; None for an unknown volume (or one ``access`` may
        not see)."""
        name = self._scalar(sa.select(volumes.c.file).where(volumes.c.id == volume_id, *visible(volumes, access)))
        return self.paths.volume_file(name) if name else None

    @contextlib.contextmanager
    def exclusive(self, name: str) -> Iterator[None]:
        """Only one holder of ``name`` at a time across every process that shares this database:
        on PostgreSQL a session advisory lock on a connection held meanwhile (two API nodes), on
        SQLite (one node) a lock of this process."""
        with self._local_locks_guard:
            local = self._local_locks.setdefault(name, threading.Lock())
        with local:
            if self.engine.dialect.name != "postgresql":
                yield
                return
            key = int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)
            with self.engine.connect() as db:
                db.execute(sa.text("SELECT pg_advisory_lock(:key)"), {"key": key})
                db.commit()  # the lock is the session's: no transaction stays open meanwhile
                try:
                    yield
                finally:
                    db.execute(sa.text("SELECT pg_advisory_unlock(:key)"), {"key": key})
                    db.commit()

    # -- volumes --------------------------------------------------------------------------
    def add_volume(self, staged: Path, suffix: str, meta: dict[str, Any], *, owner: str,
                   project: str | None = None) -> str:
        """Move a validated staged file into ``volumes/`` and record it (both or neither) as
        ``owner``'s (and ``project``'s)."""
        volume_id = new_id()
        name = f"{volume_id}{suffix}"
        target = self.paths.volume_file(name)
        staged.replace(target)
        try:
            with self._write() as db:
                db.execute(volumes.insert().values(id=volume_id, created=time.time(), file=name,
                                                   meta=json.dumps(meta), owner=owner, project=project))
        except BaseException:
            target.unlink(missing_ok=True)
            raise
        return volume_id

    def get_volume(self, volume_id: str, access: Access | None = None) -> dict[str, Any] | None:
        """A volume's description (``id``, ``created``, ``owner``, ``project`` and what ingest
        recorded); None when unknown or not visible to ``access``."""
        with self.engine.connect() as db:
            row = db.execute(sa.select(volumes.c.id, volumes.c.created, volumes.c.meta, volumes.c.owner,
                                       volumes.c.project)
                             .where(volumes.c.id == volume_id, *visible(volumes, access))).first()
        if row is None:
            return None
        return {**json.loads(row.meta), "id": row.id, "created": row.created, "owner": row.owner,
                "project": row.project}

    def list_volumes(self, access: Access | None, limit: int = 100) -> list[dict[str, Any]]:
        """The newest volumes ``access`` may see, newest first."""
        with self.engine.connect() as db:
            rows = db.execute(sa.select(volumes.c.id, volumes.c.created, volumes.c.meta, volumes.c.owner,
                                        volumes.c.project)
                              .where(*visible(volumes, access)).order_by(volumes.c.created.desc())
                              .limit(limit)).all()
        return [{**json.loads(r.meta), "id": r.id, "created": r.created, "owner": r.owner, "project": r.project}
                for r in rows]

    def delete_volume(self, volume_id: str, access: Access | None = None) -> bool:
        """Delete a volume, its jobs and their files; False when unknown or not visible."""
        path = self.volume_path(volume_id, access)
        if path is None:
            return False
        with self._write() as db:
            job_ids = list(db.execute(sa.select(jobs.c.id).where(jobs.c.volume_id == volume_id)).scalars())
            deleted = db.execute(volumes.delete().where(volumes.c.id == volume_id)).rowcount
            db.execute(jobs.delete().where(jobs.c.volume_id == volume_id))
        for job_id in job_ids:
            shutil.rmtree(self.result_dir(job_id), ignore_errors=True)
        path.unlink(missing_ok=True)
        shutil.rmtree(self.dicom_headers_dir(volume_id), ignore_errors=True)
        return bool(deleted)

    def expired_volumes(self, older_than: float) -> list[str]:
        with self.engine.connect() as db:
            return list(db.execute(sa.select(volumes.c.id).where(volumes.c.created < older_than)).scalars())

    # -- jobs ------------------------------------------------------------------------------
    def add_job(self, volume_id: str, prompts: list[str], options: dict[str, Any],
                max_active: int | None = None, *, owner: str, project: str | None = None,
                max_queued_of_owner: int | None = None) -> Job | None:
        """Insert a queued job of ``owner``; with ``max_active``, only while fewer jobs are queued
        or running; with ``max_queued_of_owner``, only while the owner has fewer jobs waiting
        (count and insert in one serialised write transaction: concurrent callers, in any
        process, never overshoot). Returns None when the queue is full.

        Raises:
            OwnerQueueFull: the owner's own limit."""
        job = Job(id=new_id(), volume_id=volume_id, created=time.time(), prompts=prompts,
                  options=options, status=JobStatus.QUEUED, owner=owner, project=project)
        with self._write() as db:
            if db.dialect.name == "postgresql":
                db.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": _QUEUE_LOCK})
            if max_active is not None:
                active = db.execute(sa.select(sa.func.count()).select_from(jobs)
                                    .where(jobs.c.status.in_(_ACTIVE))).scalar_one()
                if active >= max_active:
                    return None
            if max_queued_of_owner is not None:
                waiting = db.execute(sa.select(sa.func.count()).select_from(jobs)
                                     .where(jobs.c.status == "queued", jobs.c.owner == owner)).scalar_one()
                if waiting >= max_queued_of_owner:
                    raise OwnerQueueFull(owner)
            job.phase_log = [{"phase": "queued", "started": job.created, "finished": None}]
            db.execute(jobs.insert().values(id=job.id, volume_id=volume_id, created=job.created,
                                            prompts=json.dumps(prompts), options=json.dumps(options),
                                            status="queued", phase="queued", phase_log=json.dumps(job.phase_log),
                                            owner=owner, project=project))
        return job

    def get_job(self, job_id: str, access: Access | None = None) -> Job | None:
        """The job; None when unknown or not visible to ``access``."""
        with self.engine.connect() as db:
            row = db.execute(sa.select(jobs).where(jobs.c.id == job_id, *visible(jobs, access))).mappings().first()
        return None if row is None else _job(row)

    def list_jobs(self, access: Access | None, volume_id: str | None = None, limit: int = 100) -> list[Job]:
        """The newest jobs ``access`` may see (of one volume, with ``volume_id``), newest first."""
        of_volume = [] if volume_id is None else [jobs.c.volume_id == volume_id]
        with self.engine.connect() as db:
            rows = db.execute(sa.select(jobs).where(*visible(jobs, access), *of_volume)
                              .order_by(jobs.c.created.desc()).limit(limit)).mappings().all()
        return [_job(row) for row in rows]


    def update_job(self, job_id: str, owner: str | None = None, **values: Any) -> bool:
        """Set columns of a job; with ``owner``, only while that worker holds it (a worker whose
        job was given to another one never writes over the new attempt). Returns whether it did."""
        with self._write() as db:
            return bool(db.execute(jobs.update().where(jobs.c.id == job_id, *_held_by(owner))
                                   .values(**_encoded(values))).rowcount)

    def transition(self, job_id: str, old: tuple[str, ...], new: str, owner: str | None = None,
                   **values: Any) -> bool:
        """Atomically move a job from one of ``old`` statuses to ``new`` (with ``owner``: only
        while that worker holds it); an ending (``done``, ``failed``, ``cancelled``) or ``queued``
        also becomes the job's phase, logged."""
        old, new = tuple(_plain(o) for o in old), _plain(new)
        if new not in _TERMINAL and new != "queued":
            with self._write() as db:
                changed = db.execute(jobs.update().where(jobs.c.id == job_id, jobs.c.status.in_(old),
                                                         *_held_by(owner))
                                     .values(status=new, **_encoded(values))).rowcount
            return bool(changed)
        with self._write() as db:
            row = db.execute(sa.select(jobs.c.status, jobs.c.phase, jobs.c.phase_log, jobs.c.worker_id)
                             .where(jobs.c.id == job_id).with_for_update()).first()
            if row is None or row.status not in old or (owner is not None and row.worker_id != owner):
                return False
            phase = _phase_change(row.phase, row.phase_log, new, values.get("finished") or time.time())
            changed = db.execute(jobs.update().where(jobs.c.id == job_id, jobs.c.status.in_(old), *_held_by(owner))
                                 .values(status=new, **_encoded(values), **phase)).rowcount
        return bool(changed)

    def holds(self, job_id: str, worker_id: str) -> bool:
        """Whether the worker still runs the job: running, claimed by it, no cancel requested."""
        with self.engine.connect() as db:
            row = db.execute(sa.select(jobs.c.status, jobs.c.worker_id, jobs.c.cancel_requested)
                             .where(jobs.c.id == job_id)).first()
        return row is not None and row.status == "running" and row.worker_id == worker_id and not row.cancel_requested

    def set_phase(self, job_id: str, phase: str) -> bool:
        """A running job enters ``phase`` (the previous one ends now); the same phase again
        changes nothing. Returns whether the job was running."""
        phase = _plain(phase)
        with self._write() as db:
            row = db.execute(sa.select(jobs.c.status, jobs.c.phase, jobs.c.phase_log)
                             .where(jobs.c.id == job_id).with_for_update()).first()
            if row is None or row.status != "running":
                return False
            change = _phase_change(row.phase, row.phase_log, phase, time.time())
            if change:
                db.execute(jobs.update().where(jobs.c.id == job_id).values(**change))
        return True

    def queued_ids(self) -> list[str]:
        with self.engine.connect() as db:
            return list(db.execute(sa.select(jobs.c.id).where(jobs.c.status == "queued")
                                   .order_by(jobs.c.created)).scalars())

    def fair_queue(self) -> list[str]:
        """The queued jobs in the order they are to start (``backend.storage.fairshare``: round
        robin over the people waiting, the least recent usage first)."""
        now = time.time()
        with self.engine.connect() as db:
            queued = db.execute(sa.select(jobs.c.id, jobs.c.owner, jobs.c.created)
                                .where(jobs.c.status == "queued")).all()
            owners = {row.owner for row in queued}
            if len(owners) < 2:  # one person (or nobody) waiting: first come, first served
                return [row.id for row in sorted(queued, key=lambda r: (r.created, r.id))]
            runs = db.execute(sa.select(jobs.c.owner, jobs.c.started, jobs.c.finished, jobs.c.status).where(
                jobs.c.owner.in_(sorted(owners)), jobs.c.started.is_not(None), jobs.c.status != "queued",
                sa.or_(jobs.c.finished.is_(None), jobs.c.finished > now - USAGE_HORIZON_S))).all()
        return fair_order(((r.id, r.owner, r.created) for r in queued),
                          decayed_usage(((r.owner, r.started, r.finished) for r in runs), now),
                          running=(r.owner for r in runs if r.status == "running"))

    def compute_seconds_since(self, owner: str, since: float) -> float:
        """Seconds of compute of ``owner``'s jobs started at or after ``since`` (running ones up to now)."""
        now = time.time()
        with self.engine.connect() as db:
            rows = db.execute(sa.select(jobs.c.started, jobs.c.finished).where(
                jobs.c.owner == owner, jobs.c.started >= since, jobs.c.status != "queued")).all()
        return sum(max(0.0, (r.finished if r.finished is not None else now) - r.started) for r in rows)

    def queue_position(self, job_id: str, queue: list[str] | None = None) -> int | None:
        """1 for the next queued job to start, 2 for the one after, ...; None when not queued
        (both modes start queued jobs in the fair order of ``fair_queue``; ``queue``: that order,
        when the caller has read it already)."""
        ids = self.fair_queue() if queue is None else queue
        return ids.index(job_id) + 1 if job_id in ids else None

    def count_active(self) -> int:
        """Jobs queued or running (a plain read: in WAL mode it never waits for a writer)."""
        return int(self._scalar(sa.select(sa.func.count()).select_from(jobs).where(jobs.c.status.in_(_ACTIVE)))
                   or 0)

    def typical_job_seconds(self, default: float = 30.0) -> float:
        """Median running time of the last 20 finished jobs (``default`` before any)."""
        known = self.known_job_seconds()
        return default if known is None else known

    def known_job_seconds(self) -> float | None:
        """Median running time of the last 20 finished jobs; ``None`` before any."""
        duration = (jobs.c.finished - jobs.c.started).label("duration")
        with self.engine.connect() as db:
            rows = db.execute(sa.select(duration).where(jobs.c.status == "done", jobs.c.started.is_not(None))
                              .order_by(jobs.c.finished.desc()).limit(20)).scalars().all()
        durations = [float(r) for r in rows if r is not None and r >= 0]
        return statistics.median(durations) if durations else None

    def running_jobs(self) -> list[Job]:
        """Every running job (for the waiting time of queued ones)."""
        with self.engine.connect() as db:
            ids = list(db.execute(sa.select(jobs.c.id).where(jobs.c.status == "running")).scalars())
        return [job for job in map(self.get_job, ids) if job is not None]

    def recover_after_restart(self) -> list[str]:
        """Re-queue jobs that were running (once); fail those interrupted twice. Returns queued ids."""
        now = time.time()
        with self._write() as db:
            rows = db.execute(sa.select(jobs.c.id, jobs.c.attempts, jobs.c.phase, jobs.c.phase_log)
                              .where(jobs.c.status == "running").with_for_update()).all()
            for row in rows:
                if row.attempts >= 2:
                    db.execute(jobs.update().where(jobs.c.id == row.id).values(
                        status="failed", finished=now, error="interrupted twice by a server restart",
                        error_kind="interrupted", **_phase_change(row.phase, row.phase_log, "failed", now)))
                else:
                    db.execute(jobs.update().where(jobs.c.id == row.id).values(
                        status="queued", done=0, **_phase_change(row.phase, row.phase_log, "queued", now)))
        return self.queued_ids()

    def add_notice(self, job_id: str, message: str) -> None:
        """Append one of the engine's notices to the job (read by every node's event streams)."""
        with self._write() as db:
            current = db.execute(sa.select(jobs.c.notices).where(jobs.c.id == job_id).with_for_update()).scalar()
            db.execute(jobs.update().where(jobs.c.id == job_id).values(
                notices=json.dumps([*json.loads(current or "[]"), message])))

    def reserve_mask_index(self, job_id: str) -> int:
        """The next mask index of a job, taken for good (never handed out twice, by any node)."""
        with self._write() as db:
            index = db.execute(sa.select(jobs.c.next_mask_index).where(jobs.c.id == job_id).with_for_update()).scalar()
            db.execute(jobs.update().where(jobs.c.id == job_id).values(next_mask_index=int(index or 0) + 1))
        return int(index or 0)

    def edit_results(self, job_id: str, change: Callable[[list[dict[str, Any]]], list[dict[str, Any]]]) -> None:
        """Replace a job's results by ``change(results)`` in one serialised transaction (two
        nodes editing one job's masks never lose each other's change)."""
        with self._write() as db:
            current = db.execute(sa.select(jobs.c.results).where(jobs.c.id == job_id).with_for_update()).scalar()
            db.execute(jobs.update().where(jobs.c.id == job_id).values(
                results=json.dumps(change(json.loads(current or "[]")))))

    def _scalar(self, statement: sa.Select[Any]) -> Any:
        with self.engine.connect() as db:
            return db.execute(statement).scalar()

    def close(self) -> None:
        self.engine.dispose()


_WRITERS: dict[str, threading.Lock] = {}
_WRITERS_GUARD = threading.Lock()


def _writer_lock(url: str) -> threading.Lock:
    """The one writer lock of this process for a SQLite file (every Store on it shares it)."""
    with _WRITERS_GUARD:
        return _WRITERS.setdefault(url, threading.Lock())

"""The job table and the files: the source of truth (a runner needs only a job id).

Layout of the data dir::

    voxtell.sqlite                 volumes and jobs
    volumes/<volume id>.nii[.gz]   uploads (never named after the uploaded file)
    results/<job id>/mask_<i>.nii.gz, labelmap.nii.gz
"""

from __future__ import annotations

import json
import re
import shutil
import sqlite3
import statistics
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

TERMINAL = ("done", "failed", "cancelled")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS volumes (
    id TEXT PRIMARY KEY, created REAL NOT NULL, file TEXT NOT NULL, meta TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS jobs (
    id TEXT PRIMARY KEY, volume_id TEXT NOT NULL, created REAL NOT NULL, prompts TEXT NOT NULL,
    options TEXT NOT NULL, status TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0,
    started REAL, finished REAL, done INTEGER NOT NULL DEFAULT 0, total INTEGER NOT NULL DEFAULT 0,
    error TEXT, results TEXT NOT NULL DEFAULT '[]');
CREATE INDEX IF NOT EXISTS jobs_status ON jobs(status, created);
"""
# Schema changes after the first release, applied in order to an older database (PRAGMA
# user_version counts those applied): an existing data dir upgrades in place.
_MIGRATIONS = [
    "ALTER TABLE jobs ADD COLUMN error_kind TEXT",
    # The next mask index of a job (indices are never reused; deleted masks used to leave
    # tombstone files, ``mask_<i>.deleted``, which _backfill_next_mask_index reads once).
    "ALTER TABLE jobs ADD COLUMN next_mask_index INTEGER NOT NULL DEFAULT 0",
]
_TOMBSTONE = re.compile(r"mask_(\d+)\.deleted")
ERROR_KINDS = ("invalid_input", "timeout", "disk_full", "interrupted", "internal")


def new_id() -> str:
    return uuid.uuid4().hex


@dataclass
class Job:
    id: str
    volume_id: str
    created: float
    prompts: list[str]
    options: dict[str, Any]
    status: str
    attempts: int = 0
    started: float | None = None
    finished: float | None = None
    done: int = 0
    total: int = 0
    error: str | None = None
    results: list[dict[str, Any]] = field(default_factory=list)
    error_kind: str | None = None  # one of ERROR_KINDS once failed
    next_mask_index: int = 0  # the index the next result gets (indices are never reused)


class Store:
    """Thread-safe access to the SQLite tables and the data-dir files."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = Path(data_dir)
        (self.data_dir / "volumes").mkdir(parents=True, exist_ok=True)
        (self.data_dir / "results").mkdir(parents=True, exist_ok=True)
        (self.data_dir / "tmp").mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._db = sqlite3.connect(self.data_dir / "voxtell.sqlite", check_same_thread=False,
                                   isolation_level=None, timeout=30)
        self._db.execute("PRAGMA journal_mode = WAL")
        # WAL + NORMAL: commits are atomic and the database stays consistent after a crash; only
        # the last moments before a power cut may be lost (a job then re-runs). FULL would fsync
        # on every progress update.
        self._db.execute("PRAGMA synchronous = NORMAL")
        self._db.executescript(_SCHEMA)
        self._migrate()
        # A second connection for the admission checks that run on the event loop: in WAL mode a
        # reader never waits for a writer, so they never queue behind the lock of ``_db``.
        self._reader = sqlite3.connect(self.data_dir / "voxtell.sqlite", check_same_thread=False,
                                       isolation_level=None, timeout=5)
        self._reader_lock = threading.Lock()

    def _migrate(self) -> None:
        version = int(self._db.execute("PRAGMA user_version").fetchone()[0])
        for number, statement in enumerate(_MIGRATIONS, start=1):
            if number > version:
                self._db.execute(statement)
                if number == 2:
                    self._backfill_next_mask_index()
                self._db.execute(f"PRAGMA user_version = {number}")

    def _backfill_next_mask_index(self) -> None:
        for job_id, results in list(self._db.execute("SELECT id, results FROM jobs WHERE results != '[]'")):
            used = [int(r["index"]) for r in json.loads(results)]
            folder = self.result_dir(job_id)
            if folder.is_dir():
                used += [int(m.group(1)) for f in folder.iterdir() if (m := _TOMBSTONE.fullmatch(f.name))]
                for tombstone in folder.glob("mask_*.deleted"):
                    tombstone.unlink()
            self._db.execute("UPDATE jobs SET next_mask_index = ? WHERE id = ?", (max(used, default=-1) + 1, job_id))

    # -- paths --------------------------------------------------------------------------
    def tmp_path(self, suffix: str = "") -> Path:
        return self.data_dir / "tmp" / f"{new_id()}{suffix}"

    def result_dir(self, job_id: str) -> Path:
        return self.data_dir / "results" / job_id

    def dicom_headers_dir(self, volume_id: str) -> Path:
        """Header-only copies of a DICOM-sourced volume's slices, sorted (kept for export)."""
        return self.data_dir / "volumes" / f"{volume_id}-dicom"

    def volume_path(self, volume_id: str) -> Path | None:
        """The stored upload of ``volume_id``; None for an unknown volume."""
        row = self._one("SELECT file FROM volumes WHERE id = ?", (volume_id,))
        return self.data_dir / "volumes" / row[0] if row else None

    # -- volumes --------------------------------------------------------------------------
    def add_volume(self, staged: Path, suffix: str, meta: dict[str, Any]) -> str:
        """Move a validated staged file into ``volumes/`` and record it (both or neither)."""
        volume_id = new_id()
        name = f"{volume_id}{suffix}"
        target = self.data_dir / "volumes" / name
        staged.replace(target)
        try:
            with self._lock:
                self._db.execute("INSERT INTO volumes VALUES (?, ?, ?, ?)",
                                 (volume_id, time.time(), name, json.dumps(meta)))
        except BaseException:
            target.unlink(missing_ok=True)
            raise
        return volume_id

    def get_volume(self, volume_id: str) -> dict[str, Any] | None:
        row = self._one("SELECT id, created, meta FROM volumes WHERE id = ?", (volume_id,))
        if row is None:
            return None
        return {"id": row[0], "created": row[1], **json.loads(row[2])}

    def delete_volume(self, volume_id: str) -> bool:
        path = self.volume_path(volume_id)
        if path is None:
            return False
        with self._lock:
            jobs = [r[0] for r in self._db.execute("SELECT id FROM jobs WHERE volume_id = ?", (volume_id,))]
            cur = self._db.execute("DELETE FROM volumes WHERE id = ?", (volume_id,))
            self._db.execute("DELETE FROM jobs WHERE volume_id = ?", (volume_id,))
        for job_id in jobs:
            shutil.rmtree(self.result_dir(job_id), ignore_errors=True)
        path.unlink(missing_ok=True)
        shutil.rmtree(self.dicom_headers_dir(volume_id), ignore_errors=True)
        return cur.rowcount > 0

    # -- jobs ------------------------------------------------------------------------------
    def add_job(self, volume_id: str, prompts: list[str], options: dict[str, Any],
                max_active: int | None = None) -> Job | None:
        """Insert a queued job; with ``max_active``, only while fewer jobs are queued or running
        (count and insert in one write transaction: concurrent callers never overshoot).
        Returns None when the queue is full."""
        job = Job(id=new_id(), volume_id=volume_id, created=time.time(), prompts=prompts,
                  options=options, status="queued")
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")  # also serialises other processes on this file
            try:
                if max_active is not None:
                    active = self._db.execute(
                        "SELECT count(*) FROM jobs WHERE status IN ('queued', 'running')").fetchone()[0]
                    if active >= max_active:
                        self._db.execute("ROLLBACK")
                        return None
                self._db.execute(
                    "INSERT INTO jobs (id, volume_id, created, prompts, options, status) VALUES (?, ?, ?, ?, ?, ?)",
                    (job.id, volume_id, job.created, json.dumps(prompts), json.dumps(options), "queued"))
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
        return job

    def get_job(self, job_id: str) -> Job | None:
        row = self._one("SELECT id, volume_id, created, prompts, options, status, attempts, started, finished, "
                        "done, total, error, results, error_kind, next_mask_index FROM jobs WHERE id = ?", (job_id,))
        if row is None:
            return None
        return Job(id=row[0], volume_id=row[1], created=row[2], prompts=json.loads(row[3]),
                   options=json.loads(row[4]), status=row[5], attempts=row[6], started=row[7],
                   finished=row[8], done=row[9], total=row[10], error=row[11], results=json.loads(row[12]),
                   error_kind=row[13], next_mask_index=row[14])

    def update_job(self, job_id: str, **values: Any) -> None:
        if "results" in values:
            values["results"] = json.dumps(values["results"])
        cols = ", ".join(f"{k} = ?" for k in values)
        with self._lock:
            self._db.execute(f"UPDATE jobs SET {cols} WHERE id = ?", (*values.values(), job_id))

    def transition(self, job_id: str, old: tuple[str, ...], new: str, **values: Any) -> bool:
        """Atomically move a job from one of ``old`` statuses to ``new``."""
        cols = ", ".join(["status = ?", *(f"{k} = ?" for k in values)])
        marks = ",".join("?" * len(old))
        with self._lock:
            cur = self._db.execute(f"UPDATE jobs SET {cols} WHERE id = ? AND status IN ({marks})",
                                   (new, *values.values(), job_id, *old))
        return cur.rowcount > 0

    def queued_ids(self) -> list[str]:
        with self._lock:
            return [r[0] for r in self._db.execute(
                "SELECT id FROM jobs WHERE status = 'queued' ORDER BY created")]

    def count_active(self) -> int:
        """Jobs queued or running (from the reader connection: never waits for a writer)."""
        with self._reader_lock:
            row = self._reader.execute("SELECT count(*) FROM jobs WHERE status IN ('queued', 'running')").fetchone()
        return int(row[0]) if row else 0

    def typical_job_seconds(self, default: float = 30.0) -> float:
        """Median running time of the last 20 finished jobs (``default`` before any)."""
        with self._reader_lock:
            rows = self._reader.execute("SELECT finished - started FROM jobs WHERE status = 'done' AND started "
                                        "IS NOT NULL ORDER BY finished DESC LIMIT 20").fetchall()
        durations = [float(r[0]) for r in rows if r[0] is not None and r[0] >= 0]
        return statistics.median(durations) if durations else default

    def recover_after_restart(self) -> list[str]:
        """Re-queue jobs that were running (once); fail those interrupted twice. Returns queued ids."""
        with self._lock:
            rows = list(self._db.execute("SELECT id, attempts FROM jobs WHERE status = 'running'"))
            for job_id, attempts in rows:
                if attempts >= 2:
                    self._db.execute("UPDATE jobs SET status = 'failed', finished = ?, error = ?, error_kind = ? "
                                     "WHERE id = ?",
                                     (time.time(), "interrupted twice by a server restart", "interrupted", job_id))
                else:
                    self._db.execute("UPDATE jobs SET status = 'queued', done = 0 WHERE id = ?", (job_id,))
        return self.queued_ids()

    def expired_volumes(self, older_than: float) -> list[str]:
        with self._lock:
            return [r[0] for r in self._db.execute("SELECT id FROM volumes WHERE created < ?", (older_than,))]

    def _one(self, sql: str, params: tuple) -> Any:
        with self._lock:
            return self._db.execute(sql, params).fetchone()

    def close(self) -> None:
        with self._reader_lock:
            self._reader.close()
        with self._lock:
            self._db.close()

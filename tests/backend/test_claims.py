"""Claims of distributed mode on the store itself: a duplicate delivery is a no-op, a job whose
worker went silent is taken over, and after ``max_attempts`` lost workers the job fails saying
why (the same code runs on SQLite and PostgreSQL)."""

from __future__ import annotations

import time
from pathlib import Path

from backend.storage.store import Store


def _store_with_job(tmp_path: Path) -> tuple[Store, str]:
    store = Store(tmp_path / "data")
    job = store.add_job("volume", ["liver"], {}, owner="admin")
    assert job is not None
    return store, job.id


def test_a_live_worker_keeps_its_job_and_duplicates_are_skipped(tmp_path: Path) -> None:
    store, job_id = _store_with_job(tmp_path)
    store.heartbeat("w1", "host", "cpu", None, None)
    assert store.claim(job_id, "w1", max_attempts=2, lost_after_s=30) == "claimed"
    store.heartbeat("w2", "host", "cpu", None, None)
    assert store.claim(job_id, "w2", max_attempts=2, lost_after_s=30) == "skip", "w1 still heartbeats"
    job = store.get_job(job_id)
    assert job is not None and (job.status, job.worker_id, job.attempts) == ("running", "w1", 1)
    store.transition(job_id, ("running",), "done", finished=time.time())
    assert store.claim(job_id, "w2", max_attempts=2, lost_after_s=30) == "skip", "a finished job never re-runs"


def test_a_job_of_lost_workers_fails_after_max_attempts(tmp_path: Path) -> None:
    store, job_id = _store_with_job(tmp_path)
    for worker in ("w1", "w2"):
        store.heartbeat(worker, "host", "cpu", None, job_id)
        assert store.claim(job_id, worker, max_attempts=2, lost_after_s=0.05) == "claimed"
        time.sleep(0.1)  # the worker goes silent: its heartbeat is now older than lost_after_s
        assert store.orphaned_running(lost_after_s=0.05) == [job_id]
        assert store.requeue(job_id)
    store.heartbeat("w3", "host", "cpu", None, None)
    assert store.claim(job_id, "w3", max_attempts=2, lost_after_s=0.05) == "failed"
    job = store.get_job(job_id)
    assert job is not None and (job.status, job.error_kind) == ("failed", "interrupted")
    assert job.error == "the job was interrupted 2 times (a worker was lost each time)"


def test_cancel_requests_reach_the_running_job_only(tmp_path: Path) -> None:
    store, job_id = _store_with_job(tmp_path)
    assert not store.request_cancel(job_id), "a queued job is cancelled directly, not flagged"
    store.heartbeat("w1", "host", "cpu", None, None)
    store.claim(job_id, "w1", max_attempts=2, lost_after_s=30)
    assert store.request_cancel(job_id) and store.cancel_requested(job_id)

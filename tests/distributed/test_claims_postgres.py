"""Claims on real PostgreSQL, where ``FOR UPDATE`` row locks decide (SQLite serialises every
writer, so it cannot show a race): many workers claiming one job at once get exactly one claim,
also when they take it over from a lost worker; and an attempt whose job was handed to another
worker meanwhile records nothing, so the job ends with exactly one result set and its masks."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from backend.jobs.execute import run_claimed_job
from backend.states import JobStatus
from backend.storage.store import Store
from tests.backend.conftest import nifti_bytes
from tests.backend.fakes import ScriptedPredictor
from tests.services import postgres_server
from voxtell.api import read_volume

WORKERS = 12


@pytest.fixture(scope="module")
def database() -> Iterator[str]:
    with postgres_server() as server:
        yield server.url


@pytest.fixture()
def store(database: str, tmp_path: Path) -> Iterator[Store]:
    store = Store(tmp_path / "data", database)
    yield store
    store.close()


def _queued_job(store: Store) -> str:
    staged = store.tmp_path(".nii.gz")
    staged.write_bytes(nifti_bytes((12, 10, 8)))
    job = store.add_job(store.add_volume(staged, ".nii.gz", {}, owner="admin"), ["liver"], {}, owner="admin")
    assert job is not None
    return job.id


def _claim_at_once(database: str, tmp_path: Path, job_id: str, lost_after_s: float) -> list[str]:
    """``WORKERS`` workers, each with its own store (connections, as separate processes have),
    claim the job at the same moment; their outcomes."""
    stores = [Store(tmp_path / "data", database) for _ in range(WORKERS)]
    for n, own in enumerate(stores):
        own.heartbeat(f"w{n}", "host", "cpu", None, None)
    start = threading.Barrier(WORKERS)
    outcomes: list[str] = [""] * WORKERS

    def claim(n: int) -> None:
        start.wait()
        outcomes[n] = stores[n].claim(job_id, f"w{n}", max_attempts=5, lost_after_s=lost_after_s)

    threads = [threading.Thread(target=claim, args=(n,)) for n in range(WORKERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    for own in stores:
        own.close()
    return outcomes


def test_concurrent_claims_of_one_job_give_exactly_one(store: Store, database: str, tmp_path: Path) -> None:
    job_id = _queued_job(store)
    outcomes = _claim_at_once(database, tmp_path, job_id, lost_after_s=30)
    assert sorted(outcomes) == ["claimed"] + ["skip"] * (WORKERS - 1)
    job = store.get_job(job_id)
    assert job is not None and job.status == JobStatus.RUNNING and job.attempts == 1
    assert job.worker_id == f"w{outcomes.index('claimed')}"


def test_concurrent_takeovers_of_a_lost_worker_s_job_give_exactly_one(store: Store, database: str,
                                                                       tmp_path: Path) -> None:
    job_id = _queued_job(store)
    store.heartbeat("lost", "host", "cpu", None, job_id)
    assert store.claim(job_id, "lost", max_attempts=5, lost_after_s=0.5) == "claimed"
    time.sleep(0.8)  # the worker went silent: older than lost_after_s
    outcomes = _claim_at_once(database, tmp_path, job_id, lost_after_s=0.5)
    assert sorted(outcomes) == ["claimed"] + ["skip"] * (WORKERS - 1)
    job = store.get_job(job_id)
    assert job is not None and job.attempts == 2 and job.worker_id == f"w{outcomes.index('claimed')}"


def test_a_late_finish_after_a_forced_requeue_leaves_one_result_set(store: Store) -> None:
    job_id = _queued_job(store)
    for worker in ("A", "B"):
        store.heartbeat(worker, "host", "cpu", None, None)
    assert store.claim(job_id, "A", max_attempts=3, lost_after_s=30) == "claimed"
    first = ScriptedPredictor(rule=lambda data, i: np.ones(data.shape, np.uint8), windows=3, hold_after=3)
    outcome: list[JobStatus] = []
    attempt_a = threading.Thread(target=lambda: outcome.append(run_claimed_job(
        store, first, job_id, timeout_s=None, keep_going=lambda: store.holds(job_id, "A"), owner="A")))
    attempt_a.start()
    assert first.reached.wait(60), "attempt A never got to its last window"
    # A seemed lost (say its heartbeats stopped reaching the database): an API node hands the job on.
    assert store.requeue(job_id)
    assert store.claim(job_id, "B", max_attempts=3, lost_after_s=30) == "claimed"
    second = ScriptedPredictor(rule=lambda data, i: (data > np.median(data)).astype(np.uint8), windows=2)
    assert run_claimed_job(store, second, job_id, timeout_s=None, keep_going=lambda: store.holds(job_id, "B"),
                           owner="B") == JobStatus.DONE
    first.proceed.set()  # A's late finish
    attempt_a.join(60)
    assert outcome == [JobStatus.CANCELLED], "A must learn the job is no longer its own and record nothing"
    job = store.get_job(job_id)
    assert job is not None and job.status == JobStatus.DONE and job.worker_id == "B" and job.attempts == 2
    assert [r["index"] for r in job.results] == [0] and job.results[0]["source"] == "model"
    mask = read_volume(store.result_dir(job_id) / job.results[0]["file"])
    volume = read_volume(store.volume_path(job.volume_id))  # type: ignore[arg-type]
    expected = (volume.data > np.median(volume.data)).astype(np.uint8)
    np.testing.assert_array_equal(mask.data.astype(np.uint8), expected)  # B's mask, not A's all-ones
    assert job.results[0]["voxels"] == int(expected.sum())

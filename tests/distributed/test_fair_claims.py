"""Distributed mode starts jobs in the same fair order as embedded mode, decided by the database:
a worker woken by any message claims the fairest queued job (real PostgreSQL, real ``Worker``;
the message only wakes it). Several workers woken at once each claim a different job, and every
job runs exactly once."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from backend.jobs.distributed.worker import Worker
from backend.settings import Settings
from backend.states import JobStatus
from backend.storage.store import Store
from tests.backend.conftest import nifti_bytes
from tests.backend.fakes import ScriptedPredictor
from tests.services import postgres_server


@pytest.fixture()
def store(tmp_path: Path) -> Iterator[Store]:
    with postgres_server() as server:  # a database of its own: no other test's queued jobs
        store = Store(tmp_path / "data", server.url)
        yield store
        store.close()


def _queue(store: Store, owner: str, prompt: str) -> str:
    staged = store.tmp_path(".nii.gz")
    staged.write_bytes(nifti_bytes((12, 10, 8)))
    job = store.add_job(store.add_volume(staged, ".nii.gz", {}, owner=owner), [prompt], {}, owner=owner)
    assert job is not None
    return job.id


def _worker(store: Store, tmp_path: Path, predictor: ScriptedPredictor) -> Worker:
    settings = Settings(data_dir=tmp_path / "data", static_dir=tmp_path / "none")
    worker = Worker(settings, store, predictor, "cpu")
    worker.heartbeat()
    return worker


def test_a_worker_woken_for_a_big_users_job_runs_the_small_users_job_first(store: Store, tmp_path: Path) -> None:
    earlier = _queue(store, "alice", "earlier")  # alice has used the machine for 100 s
    store.update_job(earlier, status="done", started=time.time() - 100, finished=time.time())
    batch = [_queue(store, "alice", f"a{n}") for n in range(4)]
    small = _queue(store, "bob", "b0")
    assert store.fair_queue() == [small, *batch]
    predictor = ScriptedPredictor(windows=1)
    worker = _worker(store, tmp_path, predictor)
    assert worker.run(batch[0]) == JobStatus.DONE, "the message for alice's first job woke the worker"
    assert predictor.prompts_seen == [["b0"]], "it ran bob's job: he had used nothing"
    assert store.get_job(batch[0]).status == JobStatus.QUEUED  # type: ignore[union-attr]
    for message in [small, *batch[1:]]:  # every message wakes one run: each job runs once, alice's in order
        worker.run(message)
    assert [p[0] for p in predictor.prompts_seen] == ["b0", "a0", "a1", "a2", "a3"]
    assert worker.run(batch[0]) == "skip", "a duplicate delivery finds nothing left to claim"


def test_workers_woken_together_each_claim_a_different_job(store: Store, tmp_path: Path) -> None:
    jobs = [_queue(store, owner, f"{owner}{n}") for n in range(3) for owner in ("alice", "bob", "carol")]
    predictor = ScriptedPredictor(windows=1)
    workers = [_worker(Store(tmp_path / "data", str(store.engine.url.render_as_string(hide_password=False))
                             .replace("postgresql+psycopg://", "postgresql://")), tmp_path, predictor)
               for _ in range(len(jobs))]
    start = threading.Barrier(len(workers))
    outcomes: list[object] = [None] * len(workers)

    def wake(n: int) -> None:
        start.wait()
        outcomes[n] = workers[n].run(jobs[n])

    threads = [threading.Thread(target=wake, args=(n,)) for n in range(len(workers))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert [store.get_job(j).status for j in jobs] == [JobStatus.DONE] * len(jobs)  # type: ignore[union-attr]
    assert sorted(p[0] for p in predictor.prompts_seen) == sorted(f"{o}{n}" for n in range(3) for o in ("alice", "bob", "carol")), \
        "each job ran exactly once"
    for worker in workers:
        worker.store.close()

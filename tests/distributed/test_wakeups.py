"""A waiting ``/predict`` learns that its job ended from the worker's announcement over Redis
pub/sub (a real redis-server), not from its node's next database poll; a lost announcement
costs one poll, never the answer."""

from __future__ import annotations

import errno
import queue
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from backend.jobs.distributed.queue import DistributedQueue
from backend.jobs.distributed.wakeups import JobEndedAnnouncer, JobEndedListener
from backend.settings import Settings
from backend.storage.store import Store
from tests.backend.conftest import nifti_bytes, running_job
from tests.services import Redis, redis_server


@pytest.fixture(scope="module")
def redis() -> Iterator[Redis]:
    with redis_server() as server:
        yield server


@pytest.fixture()
def store(tmp_path: Path) -> Iterator[Store]:
    store = Store(tmp_path / "data")
    yield store
    store.close()


def _queue(store: Store, redis: Redis, poll_s: float) -> DistributedQueue:
    # The queue is handed its store (SQLite here); the settings' database URL is not opened.
    settings = Settings(data_dir=store.data_dir, broker_url=redis.url, reconcile_interval_s=3600,
                        settle_poll_s=poll_s, database_url="postgresql://unused")
    distributed = DistributedQueue(store, settings)
    distributed.start()
    assert distributed.listener.wait_subscribed(10)
    return distributed


def test_the_listener_hears_announcements_and_comes_back_after_redis_restarts(redis: Redis) -> None:
    heard: queue.Queue[str] = queue.Queue()
    listener = JobEndedListener(redis.url, heard.put)
    listener.start()
    announcer = JobEndedAnnouncer(redis.url)
    try:
        assert listener.wait_subscribed(10)
        announcer.announce("job-1")
        assert heard.get(timeout=5) == "job-1"
        redis.restart_empty()
        deadline = time.monotonic() + 20
        while True:  # announcements made before it has resubscribed are lost: that is the poll's job
            announcer.announce("job-2")
            try:
                assert heard.get(timeout=0.5) == "job-2"
                break
            except queue.Empty:
                assert time.monotonic() < deadline, "the listener never came back after Redis restarted"
    finally:
        listener.stop()
        announcer.close()


def test_an_announcement_wakes_the_waiter_long_before_the_next_poll(store: Store, redis: Redis) -> None:
    distributed = _queue(store, redis, poll_s=3600)  # only an announcement can wake it in time
    try:
        job_id = running_job(store)
        woken: queue.Queue[bool] = queue.Queue()
        distributed.when_settled(job_id, woken.put)
        assert woken.empty()
        # What a worker on another machine does when the job ends: the row, then the announcement.
        assert store.transition(job_id, ("running",), "done", finished=time.time())
        JobEndedAnnouncer(redis.url).announce(job_id)
        assert woken.get(timeout=5) is False
    finally:
        distributed.stop()


def test_a_lost_announcement_costs_one_poll(store: Store, redis: Redis) -> None:
    distributed = _queue(store, redis, poll_s=0.3)
    try:
        job_id = running_job(store)
        woken: queue.Queue[bool] = queue.Queue()
        distributed.when_settled(job_id, woken.put)
        assert store.transition(job_id, ("running",), "failed", finished=time.time())  # and nobody announces
        assert woken.get(timeout=10) is False
        distributed.when_settled(job_id, woken.put)  # already over: answered at once
        assert woken.get_nowait() is False
    finally:
        distributed.stop()


def test_cancelling_a_queued_job_on_one_node_wakes_a_waiter_on_another(store: Store, redis: Redis) -> None:
    node_a, node_b = _queue(store, redis, poll_s=3600), _queue(store, redis, poll_s=3600)
    try:
        staged = store.tmp_path(".nii.gz")
        staged.write_bytes(nifti_bytes((12, 10, 8)))
        job = store.add_job(store.add_volume(staged, ".nii.gz", {}, owner="admin"), ["liver"], {}, owner="admin")
        assert job is not None
        woken: queue.Queue[bool] = queue.Queue()
        node_b.when_settled(job.id, woken.put)
        assert node_a.cancel(job.id)
        assert woken.get(timeout=5) is False
    finally:
        node_a.stop()
        node_b.stop()


def test_a_one_prompt_predict_answers_once_its_mask_is_written_not_at_the_jobs_end(store: Store,
                                                                                   redis: Redis) -> None:
    """As in embedded mode, ``/predict`` (``masks_only``) answers once the worker has renamed the
    mask file into place, while the worker still computes the statistics; a waiter for the whole
    job keeps waiting, and a mask announced before its file exists wakes nobody."""
    distributed = _queue(store, redis, poll_s=3600)
    announcer = JobEndedAnnouncer(redis.url)
    try:
        job_id = running_job(store)
        masks: queue.Queue[bool] = queue.Queue()
        whole: queue.Queue[bool] = queue.Queue()
        distributed.when_settled(job_id, masks.put, masks_only=True)
        distributed.when_settled(job_id, whole.put)
        announcer.announce(job_id)  # premature (no file yet): nothing to answer with
        with pytest.raises(queue.Empty):
            masks.get(timeout=1)
        folder = store.result_dir(job_id)
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "mask_0.nii.gz").write_bytes(nifti_bytes((12, 10, 8)))
        announcer.announce(job_id)  # what the worker says once the masks are on disk
        assert masks.get(timeout=5) is True
        assert whole.empty()
        distributed.when_settled(job_id, masks.put, masks_only=True)  # a late waiter: answered at once
        assert masks.get_nowait() is True
        assert store.transition(job_id, ("running",), "done", finished=time.time())
        announcer.announce(job_id)
        assert whole.get(timeout=5) is False
    finally:
        announcer.close()
        distributed.stop()


def test_a_predict_waits_for_every_mask_and_survives_a_storage_error(store: Store, redis: Redis,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """Two prompts: one mask file of two answers nobody; a storage error while looking (a stale
    NFS handle) reads as "not yet" and the watcher thread goes on, so the job's end still answers."""
    distributed = _queue(store, redis, poll_s=0.2)
    try:
        job_id = running_job(store, ["liver", "spleen"])
        folder = store.result_dir(job_id)
        folder.mkdir(parents=True)
        (folder / "mask_0.nii.gz").write_bytes(nifti_bytes((12, 10, 8)))
        masks: queue.Queue[bool] = queue.Queue()
        distributed.when_settled(job_id, masks.put, masks_only=True)
        with pytest.raises(queue.Empty):
            masks.get(timeout=1)  # five polls: mask_1 is missing
        real_is_file = Path.is_file

        def stale_handle(path: Path) -> bool:
            if path.parent == folder:
                raise OSError(errno.ESTALE, "Stale file handle")
            return real_is_file(path)

        monkeypatch.setattr(Path, "is_file", stale_handle)
        (folder / "mask_1.nii.gz").write_bytes(nifti_bytes((12, 10, 8)))
        with pytest.raises(queue.Empty):
            masks.get(timeout=1)
        assert store.transition(job_id, ("running",), "done", finished=time.time())
        assert masks.get(timeout=5) is False  # answered at the end, by a watcher that survived
    finally:
        distributed.stop()

"""The job runner's hand-off to ``/predict``: wake-ups when masks are written or a job ends,
and statistics held back until the answer is sent."""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import backend.jobs.execute as runner_module
from backend.domain.eta import eta_from
from backend.jobs.embedded import JobRunner, ProgressBoard, RecentUploads
from backend.jobs.rendezvous import Rendezvous
from backend.storage.store import Store
from tests.backend.conftest import FakePredictor, nifti_bytes, running_job


class HoldProbe(Rendezvous):
    """A rendezvous that says when it starts holding a job's statistics. The hold never times
    out here (an hour) unless a test shortens it."""

    def __init__(self) -> None:
        super().__init__(hold_s=3600.0)
        self.holding = threading.Event()

    def _hold(self, hold: threading.Event) -> None:
        self.holding.set()
        super()._hold(hold)


@pytest.fixture()
def runner(tmp_path: Path) -> Iterator[JobRunner]:
    store = Store(tmp_path / "data")
    runner = JobRunner(store, FakePredictor(patches=1), rendezvous=HoldProbe())
    runner.start()
    yield runner
    runner.stop()
    store.close()


def _submit(runner: JobRunner, prompts: list[str]) -> str:
    staged = runner.store.tmp_path(".nii.gz")
    staged.write_bytes(nifti_bytes((12, 10, 8)))
    volume_id = runner.store.add_volume(staged, ".nii.gz", {}, owner="admin")
    job = runner.store.add_job(volume_id, prompts, {}, owner="admin")
    assert job is not None
    runner.submit(job.id)
    return job.id


def _status(runner: JobRunner, job_id: str) -> str:
    job = runner.store.get_job(job_id)
    assert job is not None
    return job.status


def _wait_status(runner: JobRunner, job_id: str, status: str, timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while _status(runner, job_id) != status:
        assert time.monotonic() < deadline, f"job stayed {_status(runner, job_id)}"
        time.sleep(0.01)


def test_masks_written_wakes_the_waiter_and_statistics_wait_for_release(
        runner: JobRunner, monkeypatch: pytest.MonkeyPatch) -> None:
    probe = runner.rendezvous
    assert isinstance(probe, HoldProbe)
    computed: list[int] = []
    real_statistics = runner_module.mask_statistics

    def counting_statistics(*args: Any, **kwargs: Any) -> dict[str, Any]:
        computed.append(1)
        return real_statistics(*args, **kwargs)

    monkeypatch.setattr(runner_module, "mask_statistics", counting_statistics)
    gate = runner.predictor.gate  # type: ignore[attr-defined]
    gate.clear()  # the predictor waits on the gate: the job cannot be further than inference
    job_id = _submit(runner, ["liver"])
    woken: queue.Queue[bool] = queue.Queue()
    runner.when_settled(job_id, woken.put, masks_only=True)
    assert woken.empty()  # still inferring
    gate.set()
    assert woken.get(timeout=10) is True
    assert (runner.store.result_dir(job_id) / "mask_0.nii.gz").is_file()
    assert probe.holding.wait(10), "the runner never started holding the statistics"
    # The runner thread is now parked until release (an hour otherwise): nothing computed yet.
    assert computed == [] and _status(runner, job_id) == "running"
    runner.release(job_id)
    _wait_status(runner, job_id, "done")
    job = runner.store.get_job(job_id)
    assert job is not None and job.results[0]["voxels"] > 0 and computed == [1]


def test_statistics_are_not_held_forever_without_release(runner: JobRunner) -> None:
    runner.rendezvous.hold_s = 0.2
    job_id = _submit(runner, ["liver"])
    woken: queue.Queue[bool] = queue.Queue()
    runner.when_settled(job_id, woken.put, masks_only=True)
    assert woken.get(timeout=10) is True
    _wait_status(runner, job_id, "done", timeout=5)  # the answer was never confirmed


def test_waiters_of_whole_jobs_and_of_finished_jobs(runner: JobRunner) -> None:
    job_id = _submit(runner, ["liver", "spleen"])
    woken: queue.Queue[bool] = queue.Queue()
    runner.when_settled(job_id, woken.put)
    assert woken.get(timeout=10) is False  # ended, not "masks only"
    assert _status(runner, job_id) == "done"
    runner.when_settled(job_id, woken.put, masks_only=True)  # already over: called at once
    assert woken.get_nowait() is False


def test_cancelling_a_queued_job_wakes_its_waiter(runner: JobRunner) -> None:
    predictor = runner.predictor
    predictor.gate.clear()  # type: ignore[attr-defined]
    first = _submit(runner, ["liver"])
    second = _submit(runner, ["spleen"])
    woken: queue.Queue[bool] = queue.Queue()
    runner.when_settled(second, woken.put, masks_only=True)
    assert runner.cancel(second)
    assert woken.get(timeout=5) is False
    predictor.gate.set()  # type: ignore[attr-defined]
    third = _submit(runner, ["aorta"])
    # One runner thread, first in first out: once the third job is done, the second was dequeued.
    _wait_status(runner, third, "done")
    assert _status(runner, first) == "done" and _status(runner, second) == "cancelled"
    assert predictor.calls == 2, "the cancelled job never reached the predictor"  # type: ignore[attr-defined]
    assert not runner.store.result_dir(second).exists() or not any(runner.store.result_dir(second).iterdir())


@pytest.mark.parametrize(("done", "total", "elapsed", "expected"), [
    (0, 0, 60.0, None),  # nothing known yet (the text model may still be loading)
    (1, 8, 60.0, None),  # one window says little: the first includes warm-up
    (4, 8, 2.0, None),  # too early to say
    (2, 8, 10.0, 30.0),  # 5 s a window, 6 windows left
    (8, 8, 40.0, 0.0),
])
def test_eta_is_shown_only_once_it_means_something(done: int, total: int, elapsed: float,
                                                   expected: float | None) -> None:
    assert eta_from(done, total, elapsed) == expected


def test_progress_board_reports_the_running_job_and_forgets_it() -> None:
    board = ProgressBoard()
    assert board.read("j") == (0, 0)
    board.update("j", 3, 9)
    assert board.read("j") == (3, 9)
    assert board.read("other") == (0, 0)
    board.end("j")
    assert board.read("j") == (0, 0)


def test_recent_uploads_hand_a_volume_to_its_first_job_only() -> None:
    uploads = RecentUploads(keep=2)
    volumes = [object() for _ in range(3)]
    for i, volume in enumerate(volumes):
        uploads.remember(f"v{i}", volume)  # type: ignore[arg-type]
    assert uploads.take("v0") is None  # the oldest was let go
    assert uploads.take("v2") is volumes[2] and uploads.take("v2") is None
    uploads.forget("v1")
    assert uploads.take("v1") is None


def test_a_rerun_removes_an_earlier_attempts_masks_before_it_predicts(tmp_path: Path) -> None:
    """A job re-run after its worker was lost: the earlier attempt's complete mask files are gone
    before this attempt predicts (a waiting distributed /predict answers once the files exist),
    and the job ends with this attempt's masks."""
    store = Store(tmp_path / "data")
    try:
        job_id = running_job(store, ["liver", "spleen"])
        folder = store.result_dir(job_id)
        folder.mkdir(parents=True)
        for i in range(2):
            (folder / f"mask_{i}.nii.gz").write_bytes(b"from the lost attempt")
        seen_at_predict: list[bool] = []

        class Probe(FakePredictor):
            def predict_single_image(self, data: Any, text_prompts: Any = None, text_embeddings: Any = None,
                                     progress_callback: Any = None) -> Any:
                seen_at_predict.extend((folder / f"mask_{i}.nii.gz").exists() for i in range(2))
                return super().predict_single_image(data, text_prompts, text_embeddings, progress_callback)

        outcome = runner_module.run_claimed_job(store, Probe(patches=1), job_id, timeout_s=None, keep_going=lambda: True)
        assert outcome == "done" and seen_at_predict == [False, False]
        assert all((folder / f"mask_{i}.nii.gz").read_bytes()[:2] == b"\x1f\x8b" for i in range(2))  # gzip NIfTI
    finally:
        store.close()


def test_a_database_error_while_choosing_the_next_job_does_not_stop_the_runner(
        runner: JobRunner, monkeypatch: pytest.MonkeyPatch) -> None:
    """The queue read fails once (a locked or lost database): the runner thread lives on, and the
    job it was woken for still runs once the database answers again."""
    import sqlite3
    runner.retry_s = 0.05
    real_fair_queue = runner.store.fair_queue
    failures = [sqlite3.OperationalError("database is locked")]

    def failing_once() -> list[str]:
        if failures:
            raise failures.pop()
        return real_fair_queue()

    monkeypatch.setattr(runner.store, "fair_queue", failing_once)
    runner.rendezvous.hold_s = 0.0
    job_id = _submit(runner, ["liver"])
    _wait_status(runner, job_id, "done")
    assert not failures
    assert runner.is_alive()

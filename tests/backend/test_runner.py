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

import backend.runner as runner_module
from backend.runner import JobRunner
from backend.store import Store
from tests.backend.conftest import FakePredictor, nifti_bytes


class HoldProbeRunner(JobRunner):
    """A runner that says when it starts holding a job's statistics: it reads ``HOLD_S`` only
    right before it waits for :meth:`release`. The hold never times out here (an hour)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.holding = threading.Event()
        self._hold_s = 3600.0

    @property  # type: ignore[override]
    def HOLD_S(self) -> float:  # noqa: N802 - the attribute it stands in for
        self.holding.set()
        return self._hold_s

    @HOLD_S.setter
    def HOLD_S(self, value: float) -> None:  # noqa: N802
        self._hold_s = value


@pytest.fixture()
def runner(tmp_path: Path) -> Iterator[HoldProbeRunner]:
    store = Store(tmp_path / "data")
    runner = HoldProbeRunner(store, FakePredictor(patches=1))
    runner.start()
    yield runner
    runner.stop()
    store.close()


def _submit(runner: JobRunner, prompts: list[str]) -> str:
    staged = runner.store.tmp_path(".nii.gz")
    staged.write_bytes(nifti_bytes((12, 10, 8)))
    volume_id = runner.store.add_volume(staged, ".nii.gz", {})
    job = runner.store.add_job(volume_id, prompts, {})
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
        runner: HoldProbeRunner, monkeypatch: pytest.MonkeyPatch) -> None:
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
    assert runner.holding.wait(10), "the runner never started holding the statistics"
    # The runner thread is now parked until release (an hour otherwise): nothing computed yet.
    assert computed == [] and _status(runner, job_id) == "running"
    runner.release(job_id)
    _wait_status(runner, job_id, "done")
    job = runner.store.get_job(job_id)
    assert job is not None and job.results[0]["voxels"] > 0 and computed == [1]


def test_statistics_are_not_held_forever_without_release(runner: JobRunner) -> None:
    runner.HOLD_S = 0.2
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

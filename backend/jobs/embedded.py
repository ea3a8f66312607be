"""Embedded mode's job queue: one thread in the server process runs one job at a time.

``JobRunner`` is only the queue and its thread; what the routes also need of it lives in small
parts it is built from: ``ProgressBoard`` (windows done / total of the running job, in memory),
``RecentUploads`` (a just-uploaded volume handed to its first job without reading it again) and
``backend.jobs.rendezvous.Rendezvous`` (``/predict`` requests waiting for their job). The job itself
runs through ``backend.jobs.execute.run_claimed_job``, the same function the distributed workers use;
every change it records wakes the job's progress streams (``backend.jobs.events``).
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable

from backend.domain.model import Predictor
from backend.jobs.events import JobEvents
from backend.jobs.execute import run_claimed_job
from backend.jobs.rendezvous import Rendezvous
from backend.states import TERMINAL, JobStatus
from backend.storage.store import Job, Store
from voxtell.api import LoadedVolume

logger = logging.getLogger("backend.jobs")


class ProgressBoard:
    """Windows done / total of running jobs, as the runner thread reports them (live, ahead of
    the job row, which is written every few windows). The ETA is not kept here: the routes
    compute it from the job row's phase log (``backend.domain.eta``), the same way in both modes."""

    def __init__(self) -> None:
        self._progress: dict[str, tuple[int, int]] = {}

    def update(self, job_id: str, done: int, total: int) -> None:
        self._progress[job_id] = (done, total)

    def read(self, job_id: str) -> tuple[int, int]:
        """(done, total); (0, 0) for a job that is not running here."""
        return self._progress.get(job_id, (0, 0))

    def end(self, job_id: str) -> None:
        self._progress.pop(job_id, None)


class RecentUploads:
    """Just-uploaded volumes kept in memory for their first job (the newest ``keep``)."""

    def __init__(self, keep: int = 2) -> None:
        self.keep = keep
        self._volumes: dict[str, LoadedVolume] = {}

    def remember(self, volume_id: str, volume: LoadedVolume) -> None:
        self._volumes[volume_id] = volume
        while len(self._volumes) > self.keep:
            self._volumes.pop(next(iter(self._volumes)))

    def take(self, volume_id: str) -> LoadedVolume | None:
        return self._volumes.pop(volume_id, None)

    def forget(self, volume_id: str) -> None:
        self._volumes.pop(volume_id, None)


class JobRunner:
    """The embedded ``JobQueue``: one thread that runs queued jobs one at a time, the fairest
    first (``Store.fair_queue``: the same order distributed workers would take); each submitted
    id is one wake-up of that thread."""

    def __init__(self, store: Store, predictor: Predictor, job_timeout_s: float | None = None,
                 rendezvous: Rendezvous | None = None, fallback_s: float = 5.0) -> None:
        self.store = store
        self.predictor = predictor
        self.job_timeout_s = job_timeout_s
        self.rendezvous = rendezvous or Rendezvous()
        self.events = JobEvents()
        self.fallback_s = fallback_s
        self.retry_s = 1.0  # how soon a wake-up is tried again after the queue could not be read
        self.progress_board = ProgressBoard()
        self.uploads = RecentUploads()
        self._queue: queue.Queue[str | None] = queue.Queue()
        self._cancel: set[str] = set()
        self._thread = threading.Thread(target=self._loop, name="voxtell-runner", daemon=True)

    # -- lifecycle --------------------------------------------------------------------------
    def start(self) -> None:
        for job_id in self.store.recover_after_restart():
            self._queue.put(job_id)
        self._thread.start()

    def is_alive(self) -> bool:
        return self._thread.is_alive()

    def stop(self) -> None:
        self._queue.put(None)
        self._thread.join(timeout=30)

    # -- what the routes use ----------------------------------------------------------------
    def submit(self, job_id: str) -> None:
        self._queue.put(job_id)

    def cancel(self, job_id: str) -> bool:
        """Queued: never starts. Running: stops at the next window. Returns False if finished."""
        if self.store.transition(job_id, (JobStatus.QUEUED,), JobStatus.CANCELLED, finished=time.time()):
            self.rendezvous.job_ended(job_id)
            self.events.notify(job_id)
            return True
        job = self.store.get_job(job_id)
        if job is not None and job.status == JobStatus.RUNNING:
            self._cancel.add(job_id)
            return True
        return False

    def progress(self, job: Job) -> tuple[int, int]:
        """(done, total) of a running job: the runner thread's live count, never behind the row."""
        done, total = self.progress_board.read(job.id)
        return max(done, job.done), max(total, job.total)

    def stream_fallback_s(self) -> float:
        """Every change is announced in this process: a stream reads its job at least this often
        only for changes made elsewhere (none today)."""
        return self.fallback_s

    def when_settled(self, job_id: str, callback: Callable[[bool], None], masks_only: bool = False) -> None:
        """``callback(True)`` once the job's masks are written (with ``masks_only``), else
        ``callback(False)`` once it has ended; see :class:`Rendezvous`."""
        def has_ended() -> bool:
            job = self.store.get_job(job_id)
            return job is None or job.status in TERMINAL

        self.rendezvous.wait(job_id, callback, masks_only, has_ended)

    def release(self, job_id: str) -> None:
        self.rendezvous.release(job_id)

    def remember_volume(self, volume_id: str, volume: LoadedVolume) -> None:
        self.uploads.remember(volume_id, volume)

    def forget_volume(self, volume_id: str) -> None:
        self.uploads.forget(volume_id)

    # -- the runner thread ------------------------------------------------------------------
    def _loop(self) -> None:
        while True:
            woken_for = self._queue.get()
            if woken_for is None:
                return
            try:
                job_id = self._start_fairest(woken_for)
            except Exception:  # the database failed us: never stop the runner for it; try again soon
                logger.exception("the queue could not be read; trying again in %.0f s", self.retry_s)
                threading.Timer(self.retry_s, self._queue.put, (woken_for,)).start()
                continue
            if job_id is None:
                continue
            self.events.notify(job_id)
            try:
                self._run(job_id)
            except Exception:  # the outcome could not even be recorded: never stop the runner for it
                logger.exception("job %s: its outcome could not be recorded; it is re-queued at the next start",
                                 job_id)

    def _start_fairest(self, woken_for: str) -> str | None:
        """Start the fairest queued job (the one woken for if nothing else is queued); None when
        none is left (a cancelled one's wake-up)."""
        for job_id in [*self.store.fair_queue(), woken_for]:
            if self.store.transition(job_id, (JobStatus.QUEUED,), JobStatus.RUNNING, started=time.time()):
                return job_id
        return None

    def _run(self, job_id: str) -> None:
        job = self.store.get_job(job_id)
        assert job is not None
        self.store.update_job(job_id, attempts=job.attempts + 1)
        try:
            run_claimed_job(self.store, self.predictor, job_id, timeout_s=self.job_timeout_s,
                            keep_going=lambda: job_id not in self._cancel,
                            on_progress=lambda done, total: self.progress_board.update(job_id, done, total),
                            volume=self.uploads.take(job.volume_id),
                            on_masks_written=lambda: self.rendezvous.masks_written(job_id),
                            on_change=lambda: self.events.notify(job_id))
        finally:
            self._cancel.discard(job_id)
            self.progress_board.end(job_id)
            self.rendezvous.job_ended(job_id)
            self.events.notify(job_id)

"""In-process job runner: one thread, one job at a time on the accelerator.

The runner takes only a job id; everything else comes from the store (scale-out ready: a
Celery worker can run :func:`execute_job` with the same store and files).
"""

from __future__ import annotations

import logging
import queue
import sqlite3
import threading
import time
from collections.abc import Callable
from typing import Any, Protocol, TypeVar

import sqlalchemy.exc

from backend.errors import is_disk_full
from backend.results import mask_file, result_entry
from backend.store import Store
from voxtell.errors import InferenceCancelled, InvalidInputError
from voxtell.io import read_volume, write_mask
from voxtell.io.nifti import LoadedVolume
from voxtell.postprocess import fill_holes, keep_largest_component, mask_statistics

logger = logging.getLogger("backend.runner")
T = TypeVar("T")


class Predictor(Protocol):
    """What the server needs from ``voxtell.VoxTellPredictor`` (tests pass fakes)."""

    @property
    def is_demo(self) -> bool: ...

    def predict_single_image(self, data: Any, text_prompts: Any = None, text_embeddings: Any = None,
                             progress_callback: Any = None, tile_step_size: float | None = None) -> Any:
        """``tile_step_size`` is passed only when a job asks for one (fakes may omit it)."""

    def info(self) -> dict[str, Any]: ...

    def vocabulary(self) -> list[str]: ...


class JobQueue(Protocol):
    """What the routes need of the job queue: the in-process ``JobRunner`` (embedded mode) or
    ``backend.distributed.DistributedQueue`` (Celery workers)."""

    def start(self) -> None: ...
    def stop(self) -> None: ...
    def is_alive(self) -> bool: ...
    def submit(self, job_id: str) -> None: ...
    def cancel(self, job_id: str) -> bool: ...
    def progress(self, job_id: str) -> tuple[int, int, float | None]: ...
    def queue_position(self, job_id: str) -> int | None: ...
    def when_settled(self, job_id: str, callback: Callable[[bool], None], masks_only: bool = False) -> None: ...
    def release(self, job_id: str) -> None: ...
    def remember_volume(self, volume_id: str, volume: LoadedVolume) -> None: ...
    def forget_volume(self, volume_id: str) -> None: ...


class JobRunner:
    """Runs queued jobs in a background thread; tracks progress and cancellation."""

    HOLD_S = 2.0  # longest wait of a job's statistics for its masks to be sent

    def __init__(self, store: Store, predictor: Predictor, job_timeout_s: float | None = None) -> None:
        self.store = store
        self.predictor = predictor
        self.job_timeout_s = job_timeout_s
        self._queue: queue.Queue[str | None] = queue.Queue()
        self._cancel: set[str] = set()
        self._progress: dict[str, tuple[int, int, float]] = {}
        self._thread = threading.Thread(target=self._loop, name="voxtell-runner", daemon=True)
        self._current: str | None = None
        self._waiters_lock = threading.Lock()
        self._waiters: dict[str, list[tuple[bool, Callable[[bool], None]]]] = {}
        self._holds: dict[str, threading.Event] = {}  # statistics wait until the masks are sent
        self._volumes: dict[str, LoadedVolume] = {}  # uploads handed over to their first job
        self._masks_written: set[str] = set()  # running jobs whose mask files are complete

    def remember_volume(self, volume_id: str, volume: LoadedVolume) -> None:
        """Keep a just-uploaded volume in memory for its first job (at most two kept)."""
        self._volumes[volume_id] = volume
        while len(self._volumes) > 2:
            self._volumes.pop(next(iter(self._volumes)))

    def forget_volume(self, volume_id: str) -> None:
        self._volumes.pop(volume_id, None)

    def start(self) -> None:
        for job_id in self.store.recover_after_restart():
            self._queue.put(job_id)
        self._thread.start()

    def is_alive(self) -> bool:
        return self._thread.is_alive()

    def stop(self) -> None:
        self._queue.put(None)
        self._thread.join(timeout=30)

    def submit(self, job_id: str) -> None:
        self._queue.put(job_id)

    def cancel(self, job_id: str) -> bool:
        """Queued: never starts. Running: stops at the next patch. Returns False if finished."""
        if self.store.transition(job_id, ("queued",), "cancelled", finished=time.time()):
            self._notify(job_id)
            return True
        job = self.store.get_job(job_id)
        if job is not None and job.status == "running":
            self._cancel.add(job_id)
            return True
        return False

    def progress(self, job_id: str) -> tuple[int, int, float | None]:
        """(done, total, eta seconds) of a running job."""
        done, total, started = self._progress.get(job_id, (0, 0, time.monotonic()))
        eta = None
        if done > 0 and total > 0:
            eta = (time.monotonic() - started) / done * (total - done)
        return done, total, eta

    def queue_position(self, job_id: str) -> int | None:
        ids = self.store.queued_ids()
        return ids.index(job_id) + 1 if job_id in ids else None

    def when_settled(self, job_id: str, callback: Callable[[bool], None], masks_only: bool = False) -> None:
        """Call ``callback(masks_ready)`` once the job has ended (done, failed or cancelled:
        ``False``) or, with ``masks_only``, as soon as its mask files are written (``True``);
        the job's statistics then wait until :meth:`release` (at most ``HOLD_S``), so that the
        caller sends the masks without competing for the CPU.

        It runs in the runner's thread (or right here if that has already happened), so it must
        be quick: ``/predict`` passes ``loop.call_soon_threadsafe`` to wake its request without
        parking a worker thread on a condition variable for the whole inference."""
        with self._waiters_lock:
            job = self.store.get_job(job_id)
            masks_ready = masks_only and job_id in self._masks_written
            if not masks_ready and job is not None and job.status not in ("done", "failed", "cancelled"):
                self._waiters.setdefault(job_id, []).append((masks_only, callback))
                if masks_only:
                    self._holds.setdefault(job_id, threading.Event())
                return
        callback(masks_ready)

    def release(self, job_id: str) -> None:
        """The masks a :meth:`when_settled` caller waited for have been sent: statistics may run."""
        with self._waiters_lock:
            hold = self._holds.get(job_id)
        if hold is not None:
            hold.set()

    def _masks_done(self, job_id: str) -> None:
        with self._waiters_lock:
            self._masks_written.add(job_id)
            waiters = self._waiters.get(job_id, [])
            ready = [cb for masks_only, cb in waiters if masks_only]
            self._waiters[job_id] = [(m, cb) for m, cb in waiters if not m]
            hold = self._holds.get(job_id)
        for callback in ready:
            callback(True)
        if hold is not None:
            hold.wait(self.HOLD_S)

    def _notify(self, job_id: str) -> None:
        """The job has ended: wake everything waiting for it."""
        with self._waiters_lock:
            ready = [cb for _, cb in self._waiters.pop(job_id, [])]
        for callback in ready:
            callback(False)

    def _loop(self) -> None:
        while True:
            job_id = self._queue.get()
            if job_id is None:
                return
            if not self.store.transition(job_id, ("queued",), "running", started=time.time()):
                continue
            job = self.store.get_job(job_id)
            assert job is not None
            self.store.update_job(job_id, attempts=job.attempts + 1)
            self._current = job_id
            try:
                self._execute(job_id)
            finally:
                self._current = None
                self._cancel.discard(job_id)
                self._progress.pop(job_id, None)
                self._masks_written.discard(job_id)
                self._holds.pop(job_id, None)
                self._notify(job_id)

    def _execute(self, job_id: str) -> None:
        started = time.monotonic()
        self._progress[job_id] = (0, 0, started)

        def on_progress(done: int, total: int) -> None:
            self._progress[job_id] = (done, total, started)

        job = self.store.get_job(job_id)
        volume = self._volumes.pop(job.volume_id, None) if job is not None else None
        run_claimed_job(self.store, self.predictor, job_id, timeout_s=self.job_timeout_s,
                        keep_going=lambda: job_id not in self._cancel, on_progress=on_progress, volume=volume,
                        on_masks_written=lambda: self._masks_done(job_id))


def with_database_retry(call: Callable[[], T], give_up_after_s: float = 300.0) -> T:
    """``call()``, retried while the job database is unreachable or locked (the job pauses and
    resumes instead of failing); a full disk or any other error is not retried."""
    deadline = time.monotonic() + give_up_after_s
    while True:
        try:
            return call()
        except (sqlalchemy.exc.OperationalError, sqlite3.OperationalError) as exc:
            if is_disk_full(exc) or time.monotonic() > deadline:
                raise
            logger.warning("job database unavailable; retrying")
            time.sleep(0.5)


def run_claimed_job(store: Store, predictor: Predictor, job_id: str, *, timeout_s: float | None,
                    keep_going: Callable[[], bool], on_progress: Callable[[int, int], None] | None = None,
                    volume: LoadedVolume | None = None,
                    on_masks_written: Callable[[], None] | None = None) -> str:
    """Run a job already moved to ``running`` and record how it ended; returns the status.

    The one place that decides a job's outcome, for the in-process runner and the distributed
    workers alike: progress goes to the job row, ``keep_going() is False`` cancels at the next
    window, a job over ``timeout_s`` fails as ``timeout``, the user's bad data as
    ``invalid_input``, a full disk as ``disk_full`` and anything else as ``internal`` (its
    details only in the log)."""
    started = time.monotonic()
    timed_out = False

    def progress(done: int, total: int) -> bool:
        nonlocal timed_out
        with_database_retry(lambda: store.update_job(job_id, done=done, total=total))
        if on_progress is not None:
            on_progress(done, total)
        if timeout_s is not None and time.monotonic() - started > timeout_s:
            timed_out = True
            return False
        return with_database_retry(keep_going)

    def record_notice(message: str) -> None:
        try:
            store.add_notice(job_id, message)
        except Exception:  # a notice is never worth failing the job for
            logger.warning("job %s: could not record a notice", job_id)
        if callable(previous_notice):
            previous_notice(message)

    # The predictor runs one job at a time here: its notices belong to this job while it runs.
    takes_notices = hasattr(predictor, "notice_callback")
    previous_notice = getattr(predictor, "notice_callback", None)
    if takes_notices:
        predictor.notice_callback = record_notice  # type: ignore[attr-defined]

    def fail(kind: str, message: str) -> str:
        with_database_retry(lambda: store.transition(job_id, ("running",), "failed", finished=time.time(),
                                                      error=message, error_kind=kind))
        logger.info("job %s failed: %s", job_id, kind)
        return "failed"

    try:
        try:
            results = execute_job(store, predictor, job_id, progress, volume, on_masks_written=on_masks_written)
        finally:
            if takes_notices:
                predictor.notice_callback = previous_notice  # type: ignore[attr-defined]
    except InferenceCancelled:
        if timed_out:
            return fail("timeout", f"the job ran longer than the time limit of {timeout_s:g} s and was stopped "
                        "(VOXTELL_JOB_TIMEOUT_S)")
        with_database_retry(lambda: store.transition(job_id, ("running",), "cancelled", finished=time.time()))
        logger.info("job %s cancelled", job_id)
        return "cancelled"
    except InvalidInputError as exc:  # the user's data: the message says what is wrong
        return fail("invalid_input", str(exc))
    except Exception as exc:  # a bug or the environment: never blamed on the user
        if is_disk_full(exc):
            return fail("disk_full", "the server's disk is full; the results could not be written")
        logger.exception("job %s failed", job_id)
        return fail("internal", "internal error during inference (see the server log)")
    with_database_retry(lambda: store.update_job(job_id, results=results, next_mask_index=len(results)))
    with_database_retry(lambda: store.transition(job_id, ("running",), "done", finished=time.time()))
    logger.info("job %s done", job_id)
    return "done"


def execute_job(store: Store, predictor: Predictor, job_id: str, on_progress: Any,
                volume: LoadedVolume | None = None,
                on_masks_written: Callable[[], None] | None = None) -> list[dict[str, Any]]:
    """Run one job from the store: predict, post-process, write masks and stats.

    ``on_masks_written`` is called once every mask file is complete, possibly while the
    statistics are still being computed (``/predict`` answers then)."""
    job = store.get_job(job_id)
    path = store.volume_path(job.volume_id) if job is not None else None
    if job is None or path is None:
        raise LookupError(f"job {job_id} or its volume is gone")
    if volume is None:
        volume = read_volume(path, confined=True)
    step = job.options.get("tile_step_size")
    extra = {"tile_step_size": float(step)} if step is not None else {}
    masks = predictor.predict_single_image(volume.data, text_prompts=job.prompts, progress_callback=on_progress,
                                           **extra)
    out_dir = store.result_dir(job_id)
    out_dir.mkdir(parents=True, exist_ok=True)
    finished = []
    for mask in masks:
        if job.options.get("fill_holes"):
            mask = fill_holes(mask)
        if job.options.get("keep_largest_component"):
            mask = keep_largest_component(mask)
        finished.append(mask)
    # Masks first (``/predict`` answers as soon as they are on disk), statistics after.
    for i, mask in enumerate(finished):
        staged = store.tmp_path(".nii.gz")  # a re-run overwrites its own files atomically
        write_mask(mask, volume.geometry, staged)
        staged.replace(out_dir / mask_file(i))
    if on_masks_written is not None:
        on_masks_written()
    results = [result_entry(i, prompt, "model", mask_statistics(mask, volume.data, volume.geometry.spacing))
               for i, (prompt, mask) in enumerate(zip(job.prompts, finished))]
    return results

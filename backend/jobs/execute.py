"""Running one job, the same way in both modes: :func:`run_claimed_job` decides its outcome and
:func:`execute_job` predicts, post-processes and writes its files.

Also the two seams the routes depend on: ``Predictor`` (what the server needs of the engine) and
``JobQueue`` (``backend.jobs.embedded.JobRunner`` in one process, ``backend.jobs.distributed.queue.DistributedQueue``
with Celery workers). A job is known by its id only; everything else comes from the store.
"""

from __future__ import annotations

import logging
import sqlite3
import time
from collections.abc import Callable
from typing import Any, Protocol, TypeVar

import sqlalchemy.exc

from backend.domain.masks import mask_file, result_entry
from backend.http.errors import is_disk_full
from backend.storage.store import Job, Store
from voxtell.errors import InferenceCancelled, InvalidInputError
from voxtell.io import read_volume, write_mask
from voxtell.io.nifti import LoadedVolume
from voxtell.postprocess import fill_holes, keep_largest_component, mask_location, mask_statistics

logger = logging.getLogger("backend.jobs.execute")
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
    """What the routes need of the job queue: ``backend.jobs.embedded.JobRunner`` (embedded mode) or
    ``backend.jobs.distributed.queue.DistributedQueue`` (Celery workers)."""

    def start(self) -> None: ...
    def stop(self) -> None: ...
    def is_alive(self) -> bool: ...
    def submit(self, job_id: str) -> None: ...
    def cancel(self, job_id: str) -> bool: ...
    def progress(self, job: Job) -> tuple[int, int]: ...  # (done, total) of a running job's row
    def queue_position(self, job_id: str) -> int | None: ...
    def when_settled(self, job_id: str, callback: Callable[[bool], None], masks_only: bool = False) -> None: ...
    def release(self, job_id: str) -> None: ...
    def remember_volume(self, volume_id: str, volume: LoadedVolume) -> None: ...
    def forget_volume(self, volume_id: str) -> None: ...


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
    phase = ""

    def record_phase(name: str) -> None:
        """The job's phase in plain words, kept in its row (every node's status shows it)."""
        nonlocal phase
        if name == phase:
            return
        phase = name
        try:
            store.set_phase(job_id, name)
        except Exception:  # a phase is never worth failing the job for
            logger.warning("job %s: could not record its phase", job_id)

    def progress(done: int, total: int) -> bool:
        nonlocal timed_out
        if phase != "segmenting":  # a predictor that does not report its phases
            record_phase("segmenting")
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

    # The predictor runs one job at a time here: its notices and phases belong to this job while it runs.
    takes_notices = hasattr(predictor, "notice_callback")
    previous_notice = getattr(predictor, "notice_callback", None)
    if takes_notices:
        predictor.notice_callback = record_notice  # type: ignore[attr-defined]
    takes_phases = hasattr(predictor, "phase_callback")
    previous_phase = getattr(predictor, "phase_callback", None)
    if takes_phases:
        predictor.phase_callback = record_phase  # type: ignore[attr-defined]

    def fail(kind: str, message: str) -> str:
        with_database_retry(lambda: store.transition(job_id, ("running",), "failed", finished=time.time(),
                                                      error=message, error_kind=kind))
        logger.info("job %s failed: %s", job_id, kind)
        return "failed"

    try:
        try:
            results = execute_job(store, predictor, job_id, progress, volume, on_masks_written=on_masks_written,
                                  on_phase=record_phase)
        finally:
            if takes_notices:
                predictor.notice_callback = previous_notice  # type: ignore[attr-defined]
            if takes_phases:
                predictor.phase_callback = previous_phase  # type: ignore[attr-defined]
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
                on_masks_written: Callable[[], None] | None = None,
                on_phase: Callable[[str], None] | None = None) -> list[dict[str, Any]]:
    """Run one job from the store: predict, post-process, write masks and stats.

    ``on_masks_written`` is called once every mask file is complete, possibly while the
    statistics are still being computed (``/predict`` answers then); ``on_phase("writing_results")``
    once the prediction is over."""
    job = store.get_job(job_id)
    path = store.volume_path(job.volume_id) if job is not None else None
    if job is None or path is None:
        raise LookupError(f"job {job_id} or its volume is gone")
    # An earlier attempt of this job (its worker was lost) may have left complete mask files: they
    # go before this attempt computes its own, so that a waiting /predict never takes them for
    # this attempt's (the distributed API node answers once the job's mask files exist).
    out_dir = store.result_dir(job_id)
    for i in range(len(job.prompts)):
        (out_dir / mask_file(i)).unlink(missing_ok=True)
    if volume is None:
        volume = read_volume(path, confined=True)
    step = job.options.get("tile_step_size")
    extra = {"tile_step_size": float(step)} if step is not None else {}
    masks = predictor.predict_single_image(volume.data, text_prompts=job.prompts, progress_callback=on_progress,
                                           **extra)
    if on_phase is not None:
        on_phase("writing_results")
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
    results = [result_entry(i, prompt, "model", {**mask_statistics(mask, volume.data, volume.geometry.spacing),
                                                  **mask_location(mask, volume.geometry)})
               for i, (prompt, mask) in enumerate(zip(job.prompts, finished))]
    return results

"""Running one job, the same way in both modes: :func:`run_claimed_job` decides its outcome and
:func:`execute_job` predicts, post-processes and writes its files. The queues
(``backend.jobs.embedded``, ``backend.jobs.distributed``) call it; a job is known by its id only,
everything else comes from the store.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any, TypeVar

from backend.domain import metrics
from backend.domain.errors import is_disk_full
from backend.domain.masks import MaskResult, mask_file, result_entry
from backend.domain.model import Predictor
from backend.states import ErrorKind, JobStatus, Phase
from backend.storage.failures import is_database_unavailable
from backend.storage.store import Store
from voxtell.api import (
    InferenceCancelled,
    InvalidInputError,
    LoadedVolume,
    fill_holes,
    keep_largest_component,
    mask_location,
    mask_statistics,
    read_volume,
    write_mask,
)

logger = logging.getLogger("backend.jobs")
T = TypeVar("T")


def with_database_retry(call: Callable[[], T], give_up_after_s: float = 300.0, disk_full_too: bool = False) -> T:
    """``call()``, retried while the job database is unreachable or locked (the job pauses and
    resumes instead of failing); with ``disk_full_too`` also while the disk is full (recording
    that a job failed must wait for space: the SQLite file may be on that disk). Any other error
    is not retried."""
    deadline = time.monotonic() + give_up_after_s
    while True:
        try:
            return call()
        except Exception as exc:
            retry = is_database_unavailable(exc) or (disk_full_too and is_disk_full(exc))
            if not retry or time.monotonic() > deadline:
                raise
            logger.warning("job database unavailable; retrying")
            time.sleep(0.5)


def run_claimed_job(store: Store, predictor: Predictor, job_id: str, *, timeout_s: float | None,
                    keep_going: Callable[[], bool], on_progress: Callable[[int, int], None] | None = None,
                    volume: LoadedVolume | None = None,
                    on_masks_written: Callable[[], None] | None = None,
                    on_change: Callable[[], None] | None = None, owner: str | None = None) -> JobStatus:
    """:func:`run_job_to_its_end`, counted for the operators' metrics (``backend.domain.metrics``)."""
    windows = [0]

    def counted(done: int, total: int) -> None:
        metrics.WINDOWS.inc(done - windows[0] if done >= windows[0] else done)  # a new pass starts again at 1
        windows[0] = done
        if on_progress is not None:
            on_progress(done, total)

    status = run_job_to_its_end(store, predictor, job_id, timeout_s=timeout_s, keep_going=keep_going,
                                on_progress=counted, volume=volume, on_masks_written=on_masks_written,
                                on_change=on_change, owner=owner)
    try:
        job = store.get_job(job_id)
        if job is not None:
            metrics.job_ended(status, job.created, job.started, job.finished)
    except Exception:  # a metric is never worth failing over
        logger.debug("job %s: not counted", job_id)
    return status


def run_job_to_its_end(store: Store, predictor: Predictor, job_id: str, *, timeout_s: float | None,
                       keep_going: Callable[[], bool], on_progress: Callable[[int, int], None] | None = None,
                       volume: LoadedVolume | None = None,
                       on_masks_written: Callable[[], None] | None = None,
                       on_change: Callable[[], None] | None = None, owner: str | None = None) -> JobStatus:
    """Run a job already moved to ``running`` and record how it ended; returns the status.

    The one place that decides a job's outcome, for the in-process runner and the distributed
    workers alike: progress goes to the job row, ``keep_going() is False`` cancels at the next
    window, a job over ``timeout_s`` fails as ``timeout``, the user's bad data as
    ``invalid_input``, a full disk as ``disk_full`` and anything else as ``internal`` (its
    details only in the log). ``on_change()`` follows every change recorded in the job's row
    (progress, phase, notice): the queue wakes the job's progress streams with it.

    ``owner`` (distributed mode: the worker's id) makes every write of this attempt conditional on
    the worker still holding the job: an attempt whose job was handed to another worker (its own
    worker seemed lost) records nothing, and its masks are not moved into place once it knows.
    ``keep_going()`` is asked once more before the masks are written."""
    started = time.monotonic()
    changed = on_change or (lambda: None)
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
        changed()

    def progress(done: int, total: int) -> bool:
        nonlocal timed_out
        if phase != Phase.SEGMENTING:  # a predictor that does not report its phases
            record_phase(Phase.SEGMENTING)
        with_database_retry(lambda: store.update_job(job_id, owner=owner, done=done, total=total))
        if on_progress is not None:
            on_progress(done, total)
        changed()
        if timeout_s is not None and time.monotonic() - started > timeout_s:
            timed_out = True
            return False
        return with_database_retry(keep_going)

    def record_notice(message: str) -> None:
        try:
            store.add_notice(job_id, message)
        except Exception:  # a notice is never worth failing the job for
            logger.warning("job %s: could not record a notice", job_id)
        changed()
        if previous_notice is not None:
            previous_notice(message)

    # The predictor runs one job at a time here: its notices and phases belong to this job while it runs.
    previous_notice, previous_phase = predictor.notice_callback, predictor.phase_callback
    predictor.notice_callback, predictor.phase_callback = record_notice, record_phase

    def fail(kind: ErrorKind, message: str) -> JobStatus:
        with_database_retry(lambda: store.transition(job_id, (JobStatus.RUNNING,), JobStatus.FAILED, owner=owner,
                                                      finished=time.time(), error=message, error_kind=kind),
                            disk_full_too=True)
        logger.info("job %s failed: %s", job_id, kind)
        return JobStatus.FAILED

    try:
        try:
            results = execute_job(store, predictor, job_id, progress, volume, on_masks_written=on_masks_written,
                                  on_phase=record_phase, may_write=lambda: with_database_retry(keep_going))
        finally:
            predictor.notice_callback, predictor.phase_callback = previous_notice, previous_phase
    except InferenceCancelled:
        if timed_out:
            return fail(ErrorKind.TIMEOUT, f"the job ran longer than the time limit of {timeout_s:g} s and was "
                        "stopped (VOXTELL_JOB_TIMEOUT_S)")
        with_database_retry(lambda: store.transition(job_id, (JobStatus.RUNNING,), JobStatus.CANCELLED,
                                                      owner=owner, finished=time.time()))
        logger.info("job %s cancelled", job_id)
        return JobStatus.CANCELLED
    except InvalidInputError as exc:  # the user's data: the message says what is wrong
        return fail(ErrorKind.INVALID_INPUT, str(exc))
    except Exception as exc:  # a bug or the environment: never blamed on the user
        if is_disk_full(exc):
            return fail(ErrorKind.DISK_FULL, "the server's disk is full; the results could not be written")
        logger.exception("job %s failed", job_id)
        return fail(ErrorKind.INTERNAL, "internal error during inference (see the server log)")
    # The results and "done" in one write: a job is never done without its result set, and an
    # attempt that no longer holds the job records nothing.
    if not with_database_retry(lambda: store.transition(job_id, (JobStatus.RUNNING,), JobStatus.DONE, owner=owner,
                                                         finished=time.time(), results=results,
                                                         next_mask_index=len(results))):
        logger.warning("job %s: this attempt no longer holds the job; its results are not recorded", job_id)
        return JobStatus.CANCELLED
    logger.info("job %s done", job_id)
    return JobStatus.DONE


def execute_job(store: Store, predictor: Predictor, job_id: str, on_progress: Any,
                volume: LoadedVolume | None = None,
                on_masks_written: Callable[[], None] | None = None,
                on_phase: Callable[[str], None] | None = None,
                may_write: Callable[[], bool] | None = None) -> list[MaskResult]:
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
        on_phase(Phase.WRITING_RESULTS)
    out_dir.mkdir(parents=True, exist_ok=True)
    # A protocol's job carries one structure per prompt: its export name, colour, interpreted type
    # and its own post-processing (on top of the job's).
    structures: list[dict[str, Any]] = list(job.options.get("structures") or [{} for _ in job.prompts])
    finished = []
    for mask, structure in zip(masks, structures):
        if job.options.get("fill_holes") or structure.get("fill_holes"):
            mask = fill_holes(mask)
        if job.options.get("keep_largest_component") or structure.get("keep_largest_component"):
            mask = keep_largest_component(mask)
        finished.append(mask)
    # Masks first (``/predict`` answers as soon as they are on disk), statistics after.
    if may_write is not None and not may_write():  # cancelled, or the job went to another worker meanwhile
        raise InferenceCancelled("the job was cancelled or handed to another worker before its masks were written")
    for i, mask in enumerate(finished):
        staged = store.tmp_path(".nii.gz")  # a re-run overwrites its own files atomically
        try:
            write_mask(mask, volume.geometry, staged)
            staged.replace(out_dir / mask_file(i))
        finally:
            staged.unlink(missing_ok=True)  # moved into place, or half-written on a full disk
    if on_masks_written is not None:
        on_masks_written()
    results = [result_entry(i, structure.get("name", prompt), "model",
                            {**mask_statistics(mask, volume.data, volume.geometry.spacing),
                             **mask_location(mask, volume.geometry),
                             **({"interpreted_type": structure["interpreted_type"]}
                                if "interpreted_type" in structure else {})},
                            color=structure.get("color"))
               for i, (prompt, mask, structure) in enumerate(zip(job.prompts, finished, structures))]
    return results

"""Jobs on behalf of a user: the checks a job request must pass (prompts, the compute budget,
the queue bound) and what a finished or failed job means to whoever waits for it."""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

from backend.domain import metrics
from backend.domain.context import AppState
from backend.domain.errors import BadInput, Conflict, JobCancelled, JobFailed, NotFound, QueueFull
from backend.domain.eta import queue_full_detail, retry_after_s
from backend.domain.identity import Principal
from backend.domain.model import ModelInfo
from backend.settings import Settings
from backend.states import JobStatus
from backend.storage.store import Access, Job, OwnerQueueFull, Store
from voxtell.api import ComputeBudgetExceeded, window_count


def check_prompts(settings: Settings, prompts: list[str]) -> list[str]:
    """The prompts, stripped, if every one has text within the limits (the one prompt check of
    every route and protocol).

    Raises:
        BadInput: naming the limit.
    """
    prompts = [p.strip() for p in prompts]
    if not prompts or any(not p for p in prompts):
        raise BadInput("a non-empty prompt is required (one was blank, or none was given)")
    if len(prompts) > settings.max_prompts:
        raise BadInput(f"at most {settings.max_prompts} prompts per job")
    if any(len(p) > settings.max_prompt_chars for p in prompts):
        raise BadInput(f"a prompt is longer than {settings.max_prompt_chars} characters")
    return prompts


def keep_within_budget(state: AppState, volume_id: str, meta: dict[str, Any]) -> None:
    """Delete a just-stored volume whose default sliding window is over the compute budget.

    Raises:
        ComputeBudgetExceeded: the volume is gone then.
    """
    try:
        check_window_budget(state, meta["ras_shape"])
    except ComputeBudgetExceeded:
        state.runner.forget_volume(volume_id)
        state.store.delete_volume(volume_id)
        raise


def check_window_budget(state: AppState, ras_shape: list[int], step: float | None = None) -> int:
    """The number of sliding windows a job on an image of ``ras_shape`` needs (an upper bound:
    before cropping); raises when it is over ``max_windows``.

    Raises:
        ComputeBudgetExceeded: naming the count, the patch, the step and the limit.
    """
    info = ModelInfo.of(state.predictor)
    patch = list(info.patch_size)
    if len(patch) != 3:
        return 0
    step = step or info.tile_step_size
    windows = int(window_count(ras_shape, patch, step))
    limit = state.settings.max_windows
    if windows > limit:
        metrics.JOBS_REJECTED.labels(reason=metrics.Rejection.COMPUTE_BUDGET.value).inc()
        shape = "x".join(str(s) for s in ras_shape)
        raise ComputeBudgetExceeded(
            f"the image ({shape} voxels) needs {windows} sliding windows of {patch[0]}x{patch[1]}x{patch[2]} "
            f"at step {step:g}; this server allows at most {limit} per job")
    return windows


def submit_job(state: AppState, volume_id: str, prompts: list[str], options: dict[str, object],
               caller: Principal) -> Job:
    """Check a job request and queue it as ``caller``'s (queue bound enforced atomically); the
    job goes into its volume's project.

    Raises:
        NotFound (also: a volume the caller may not see), BadInput, QueueFull, ComputeBudgetExceeded.
    """
    volume = state.store.get_volume(volume_id, caller.access)
    if volume is None:
        raise NotFound("volume not found")
    prompts = check_prompts(state.settings, prompts)
    check_daily_compute(state, caller)
    step = options.get("tile_step_size")
    check_window_budget(state, volume["ras_shape"], float(step) if isinstance(step, (int, float)) else None)
    own_limit = None if caller.is_admin else caller.max_queued or state.settings.max_queued_per_user
    try:
        job = state.store.add_job(volume_id, prompts, options, max_active=state.settings.queue_size,
                                  owner=caller.user_id, project=volume["project"], max_queued_of_owner=own_limit)
    except OwnerQueueFull:
        metrics.JOBS_REJECTED.labels(reason=metrics.Rejection.USER_LIMIT.value).inc()
        raise QueueFull(f"you have {own_limit} jobs waiting, the most one person may have queued on this server "
                        "(the per-user limit, VOXTELL_MAX_QUEUED_PER_USER or set for you by an administrator); "
                        "submit more once one has started", retry_after_s(state.store)) from None
    if job is None:
        metrics.JOBS_REJECTED.labels(reason=metrics.Rejection.QUEUE_FULL.value).inc()
        raise QueueFull(queue_full_detail(state.settings.queue_size), retry_after_s(state.store))
    metrics.JOBS_SUBMITTED.inc()
    state.runner.submit(job.id)
    return job


def check_daily_compute(state: AppState, caller: Principal, now: float | None = None) -> None:
    """Refuse a job of a person whose jobs used their compute for today (UTC) already.

    Raises:
        QueueFull: 429, ``Retry-After`` until midnight UTC, the limit named.
    """
    limit = None if caller.is_admin else caller.max_daily_compute_s or state.settings.max_daily_compute_s_per_user
    if limit is None:
        return
    now = time.time() if now is None else now
    midnight = dt.datetime.fromtimestamp(now, dt.timezone.utc).replace(hour=0, minute=0, second=0, microsecond=0)
    used = state.store.compute_seconds_since(caller.user_id, midnight.timestamp())
    if used >= limit:
        metrics.JOBS_REJECTED.labels(reason=metrics.Rejection.USER_LIMIT.value).inc()
        reset = midnight + dt.timedelta(days=1)
        raise QueueFull(f"your jobs used {used:.0f} s of compute today, the most one person may use per day "
                        f"({limit:.0f} s: VOXTELL_MAX_DAILY_COMPUTE_S_PER_USER or set for you by an administrator); "
                        f"it resets at 00:00 UTC", max(1, int(reset.timestamp() - now)))


def job_or_404(store: Store, job_id: str, access: Access | None, missing: str = "job not found") -> Job:
    """The job if ``access`` may see it, or NotFound with ``missing`` as its detail (the same
    answer for someone else's job as for no job: its existence is not revealed)."""
    job = store.get_job(job_id, access)
    if job is None:
        raise NotFound(missing)
    return job


def finished_job(store: Store, job_id: str, access: Access | None, with_masks: bool = False) -> Job:
    """A finished job that ``access`` may see, for its results.

    Raises:
        NotFound: unknown job; Conflict: not finished, or (``with_masks``) no mask left.
    """
    job = job_or_404(store, job_id, access)
    if job.status != JobStatus.DONE:
        raise Conflict(f"the job is {job.status}; results exist only for finished jobs")
    if with_masks and not job.results:
        raise Conflict("the job has no masks left (all were deleted)")
    return job


def job_outcome_error(job: Job, failed: str | None = None) -> JobCancelled | JobFailed:
    """What a job that ended without masks means to the request that waited for it (the HTTP
    status of each kind is chosen in ``backend.http.errors``, the same for every protocol).
    ``failed`` is the detail of a failed job (default: ``segmentation failed: <the job's error>``)."""
    if job.status == JobStatus.CANCELLED:
        return JobCancelled("segmentation cancelled before it finished")
    return JobFailed(failed or f"segmentation failed: {job.error or 'no result'}", job.error_kind)

"""How long until a job is done: only once that means something, never a guess from nothing.

* running: by the pace of its windows since segmenting began (the text model's loading and the
  prompts' encoding are not windows), once ``ETA_MIN_WINDOWS`` are done over ``ETA_MIN_SECONDS``;
* queued: from the median running time of recently finished jobs (none finished: ``None``), the
  jobs ahead of it in the queue and what the running ones have left.
"""

from __future__ import annotations

import math
import time

from backend.states import Phase
from backend.storage.store import Job, Store

# An ETA is only shown once it means something: a few windows done over a few seconds.
ETA_MIN_WINDOWS = 2
ETA_MIN_SECONDS = 3.0


def eta_from(done: int, total: int, elapsed_s: float) -> float | None:
    """Seconds left, by the pace so far; ``None`` while too little has run to say."""
    if total <= 0 or done < ETA_MIN_WINDOWS or elapsed_s < ETA_MIN_SECONDS:
        return None
    return elapsed_s / done * (total - done)


def segmenting_since(job: Job) -> float | None:
    """When the job's current ``segmenting`` phase began (epoch seconds); ``None`` outside it."""
    if job.phase != Phase.SEGMENTING or not job.phase_log:
        return None
    last = job.phase_log[-1]
    return float(last["started"]) if last.get("phase") == "segmenting" and last.get("finished") is None else None


def running_eta(job: Job, done: int, total: int, now: float | None = None) -> float | None:
    """Seconds until a running job's windows are done; ``None`` until the pace is known."""
    since = segmenting_since(job)
    if since is None:
        return None
    return eta_from(done, total, (now or time.time()) - since)


def queued_eta(store: Store, position: int | None, now: float | None = None) -> float | None:
    """Seconds until the job at queue ``position`` (1 = next) is expected to be done; ``None``
    before any job has finished on this server (nothing to go by)."""
    typical = store.known_job_seconds()
    if typical is None or position is None:
        return None
    now = now or time.time()
    running = store.running_jobs()
    left = 0.0
    for job in running:
        pace = running_eta(job, job.done, job.total, now)
        elapsed = now - job.started if job.started is not None else 0.0
        left += pace if pace is not None else max(typical - elapsed, 0.0)
    return (left + (position - 1) * typical) / max(1, len(running)) + typical


def queue_full_detail(queue_size: int) -> str:
    return f"the queue is full ({queue_size} jobs); retry later"


def retry_after_s(store: Store) -> int:
    """``Retry-After`` of a refused job: seconds until a queue slot is likely free (the median
    running time of recent jobs, 1 s to an hour)."""
    return min(3600, max(1, math.ceil(store.typical_job_seconds())))

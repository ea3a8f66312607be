"""The one way a progress stream follows a job (the web app's SSE, the official NDJSON).

It reads the job's row when the node's ``JobEvents`` say the job may have changed (the embedded
runner on every window, phase, notice and ending; in distributed mode the workers' Redis
announcements), or after ``stream_fallback_s`` without a word — one database read per change,
not a poll per stream every few milliseconds.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

from backend.domain.context import AppState
from backend.states import TERMINAL
from backend.storage.store import Job


async def watch_job(state: AppState, job_id: str) -> AsyncIterator[Job | None]:
    """Yields the job's row now and after each change, the last time once it has ended;
    ``None`` (and stops) if the job was deleted meanwhile."""
    fallback_s = state.runner.stream_fallback_s()
    with state.runner.events.subscribe(job_id) as changes:
        while True:
            job = state.store.get_job(job_id)
            yield job
            if job is None or job.status in TERMINAL:
                return
            await changes.next(fallback_s)

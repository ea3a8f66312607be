"""``JobQueue``: what the domain and the routes need of the job queue, implemented by
``backend.jobs.embedded.JobRunner`` (one process) and ``backend.jobs.distributed.queue.DistributedQueue``
(Celery workers). A job is known by its id only; everything else comes from the store."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any, Protocol

from backend.storage.store import Job


class JobEventSource(Protocol):
    """``backend.jobs.events.JobEvents``: the one source every progress stream reads."""

    def notify(self, job_id: str) -> None: ...
    def subscribe(self, job_id: str) -> AbstractContextManager[Any]: ...


class BearerVerifier(Protocol):
    """``backend.integrations.oidc.OidcVerifier``: the claims of a valid bearer JWT, or
    ``Unauthorized`` naming what is wrong."""

    def verify(self, token: str) -> dict[str, Any]: ...


class JobQueue(Protocol):
    @property
    def events(self) -> JobEventSource: ...  # wakes the job's progress streams

    def start(self) -> None: ...
    def stop(self) -> None: ...
    def is_alive(self) -> bool: ...
    def submit(self, job_id: str) -> None: ...
    def cancel(self, job_id: str) -> bool: ...
    def progress(self, job: Job) -> tuple[int, int]: ...  # (done, total) of a running job's row
    def when_settled(self, job_id: str, callback: Callable[[bool], None], masks_only: bool = False) -> None: ...
    def release(self, job_id: str) -> None: ...
    def remember_volume(self, volume_id: str, volume: Any) -> None: ...
    def forget_volume(self, volume_id: str) -> None: ...
    def stream_fallback_s(self) -> float: ...  # a progress stream reads its job at least this often

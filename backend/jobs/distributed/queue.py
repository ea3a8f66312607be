"""The API node's side of distributed mode: the job queue is Celery (Redis broker) and every
state lives in the database, so any API node can submit, watch, cancel and answer for any job.

``DistributedQueue`` offers what the routes use of the in-process ``JobRunner``: ``submit``,
``cancel``, ``progress``, ``when_settled``, ``events``. One reconciler thread per API
node re-publishes queued jobs the broker may have lost (Redis restarted empty) and puts the
running jobs of workers that stopped heartbeating back in the queue; one watcher thread wakes
the ``/predict`` requests waiting for a job (callbacks, no thread parked per request) as soon as
a worker announces over Redis pub/sub (``backend.jobs.distributed.wakeups``) that the job's mask files are written
or that the job has ended, and reads the database every ``settle_poll_s`` in case an announcement is
lost. A one-prompt ``/predict`` answers once its mask file is on the shared storage (files are
renamed into place whole), while the worker still computes the statistics, as in embedded mode.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from backend.domain.masks import mask_file
from backend.jobs.distributed.celery_app import QUEUE, TASK, make_celery
from backend.jobs.distributed.wakeups import JobEndedAnnouncer, JobEndedListener
from backend.jobs.events import JobEvents
from backend.settings import Settings
from backend.states import TERMINAL, JobStatus
from backend.storage.failures import is_database_unavailable
from backend.storage.store import Job, Store

logger = logging.getLogger("backend.jobs.distributed.queue")


class DistributedQueue:
    def __init__(self, store: Store, settings: Settings) -> None:
        assert settings.broker_url
        self.store = store
        self.settings = settings
        self.poll_s = settings.settle_poll_s  # the watcher's database read when no announcement arrives
        self.database_up_since: float | None = None  # monotonic; None until reached (again)
        self.events = JobEvents()
        self.celery = make_celery(settings.broker_url)
        self._stop = threading.Event()
        # job id -> [(callback, masks_only)]: masks_only waiters also answer once the masks are written
        self._waiters: dict[str, list[tuple[Callable[[bool], None], bool]]] = {}
        self._waiters_lock = threading.Lock()
        self._wake = threading.Event()
        self.announcer = JobEndedAnnouncer(settings.broker_url)
        self.listener = JobEndedListener(settings.broker_url, self._on_job_ended, self.events.notify)
        self._threads = [threading.Thread(target=self._reconcile_loop, name="voxtell-reconciler", daemon=True),
                         threading.Thread(target=self._watch_loop, name="voxtell-settle-watcher", daemon=True)]

    # -- lifecycle --------------------------------------------------------------------------
    def start(self) -> None:
        self.listener.start()
        for thread in self._threads:
            thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        self.listener.stop()
        for thread in self._threads:
            thread.join(timeout=10)
        self.announcer.close()

    def is_alive(self) -> bool:
        """Ready for jobs: at least one worker heartbeats."""
        return bool(self.store.workers_online(self.settings.worker_lost_after_s))

    # -- jobs -------------------------------------------------------------------------------
    def submit(self, job_id: str) -> None:
        self._publish([job_id])

    def cancel(self, job_id: str) -> bool:
        """Queued: never starts. Running (on any machine): its worker stops at the next window."""
        if self.store.transition(job_id, (JobStatus.QUEUED,), JobStatus.CANCELLED, finished=time.time()):
            self.announcer.announce(job_id)  # requests waiting on other API nodes answer now
            return True
        return self.store.request_cancel(job_id)

    def progress(self, job: Job) -> tuple[int, int]:
        """(done, total): the job row the caller read is the truth here (workers write it)."""
        return job.done, job.total

    def stream_fallback_s(self) -> float:
        """Workers announce changes over Redis, which may lose one: a stream reads its job at
        least this often."""
        return self.poll_s

    def when_settled(self, job_id: str, callback: Callable[[bool], None], masks_only: bool = False) -> None:
        """``callback(True)`` once every mask file of the running job is written (with
        ``masks_only``), else ``callback(False)`` once the job has ended; from the watcher
        thread, or right here.

        Registered before the database is read, so an announcement arriving in between is
        never missed."""
        with self._waiters_lock:
            self._waiters.setdefault(job_id, []).append((callback, masks_only))
        self._settle([job_id])

    def release(self, job_id: str) -> None:
        """Nothing is held back in distributed mode (statistics are computed by the worker)."""

    def remember_volume(self, volume_id: str, volume: Any) -> None:
        """Workers read volumes from the shared data dir; nothing is kept in this process."""

    def forget_volume(self, volume_id: str) -> None:
        """See :meth:`remember_volume`."""

    # -- internals --------------------------------------------------------------------------
    def _publish(self, job_ids: list[str]) -> None:
        published = []
        for job_id in job_ids:
            try:
                self.celery.send_task(TASK, args=[job_id], queue=QUEUE)
                published.append(job_id)
            except Exception:  # the broker is away: the job stays queued in the database
                logger.warning("broker unreachable; job %s will be published by the reconciler", job_id)
                break
        self.store.mark_published(published)

    def reconcile(self) -> None:
        """Re-queue the jobs of lost workers; re-publish queued jobs not published lately.

        A worker counts as lost only once this node has itself reached the database for a whole
        ``worker_lost_after_s``: while the database was away no worker could heartbeat, so after
        an outage (or this node's start) every worker gets that long to heartbeat again. A worker
        that computed through an outage then records its result; one that really died is found a
        lost-after period later than it otherwise would be."""
        now = time.monotonic()
        if self.database_up_since is None:
            self.database_up_since = now
        lost_after = self.settings.worker_lost_after_s
        if now - self.database_up_since >= lost_after:
            for job_id in self.store.orphaned_running(lost_after):
                if self.store.requeue(job_id):
                    logger.warning("job %s: its worker stopped heartbeating; back in the queue", job_id)
        stale = self.store.unpublished_since(time.time() - self.settings.republish_after_s)
        if stale:
            self._publish(stale)

    def _reconcile_loop(self) -> None:
        while not self._stop.is_set():
            try:
                self.reconcile()
            except Exception as exc:  # database or broker down for a moment: next round
                if is_database_unavailable(exc):
                    self.database_up_since = None  # the workers' heartbeats failed too meanwhile
                logger.warning("reconciler round failed; retrying")
            self._stop.wait(self.settings.reconcile_interval_s)

    def _on_job_ended(self, job_id: str) -> None:
        self.events.notify(job_id)
        with self._waiters_lock:
            watched = job_id in self._waiters
        if watched:
            self._wake.set()

    def _watch_loop(self) -> None:
        while not self._stop.is_set():
            self._wake.wait(self.poll_s)
            self._wake.clear()
            with self._waiters_lock:
                watched = list(self._waiters)
            try:
                self._settle(watched)
            except Exception:  # never let one bad round stop every waiting /predict on this node
                logger.exception("settling waiting requests failed; retrying at the next poll")

    def _settle(self, job_ids: list[str]) -> None:
        """Wake the waiters of those of ``job_ids`` that have ended, and the ``masks_only``
        waiters of those whose masks are all written."""
        for job_id in job_ids:
            try:
                job = self.store.get_job(job_id)
            except Exception:  # the database is away for a moment: the next round sees it
                continue
            ended = job is None or job.status in TERMINAL
            with self._waiters_lock:
                waiting = self._waiters.get(job_id, [])
                wants_masks = any(masks_only for _, masks_only in waiting)
            masks_ready = (not ended and wants_masks and job is not None and job.status == JobStatus.RUNNING
                           and self._masks_written(job))
            if not (ended or masks_ready):
                continue
            with self._waiters_lock:
                waiting = self._waiters.pop(job_id, [])
                if not ended:  # the others wait for the end
                    rest = [w for w in waiting if not w[1]]
                    waiting = [w for w in waiting if w[1]]
                    if rest:
                        self._waiters[job_id] = rest
            for callback, _ in waiting:
                callback(masks_ready)

    def _masks_written(self, job: Job) -> bool:
        """Every mask file of a running job is in place (workers rename them in whole, and remove
        an earlier attempt's before they start). A storage error (a stale NFS handle, EIO) reads
        as "not yet": the job's end still answers the request."""
        folder = self.store.result_dir(job.id)
        try:
            return all((folder / mask_file(i)).is_file() for i in range(len(job.prompts)))
        except OSError:
            logger.warning("job %s: the shared storage did not answer; waiting for the job's end", job.id)
            return False

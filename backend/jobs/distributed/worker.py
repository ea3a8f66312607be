"""``voxtell-web worker``: a Celery worker that loads the model once and runs one job at a time.

Jobs reach workers through Celery with a Redis broker; the job database is the source of truth
(the broker only delivers job ids). Delivery is at least once (``acks_late``, a prefetch of one,
redelivery when a worker is lost) and results exactly once: a worker *claims* a job in the
database before running it, so a duplicate delivery of a job that is finished, cancelled or held
by a live worker is a no-op, and a re-run writes its files to temporary names and renames them.
A worker heartbeats into the ``workers`` table; one that stops is seen as gone by the API nodes
(``VOXTELL_WORKER_LOST_AFTER_S``) and its job goes back to the queue.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import uuid
from typing import Any

from backend.domain.metrics import DeploymentCollector, registry_for, serve_on_loopback
from backend.domain.model import Predictor, default_predictor
from backend.jobs.distributed.celery_app import QUEUE, TASK, make_celery
from backend.jobs.distributed.wakeups import JobEndedAnnouncer
from backend.jobs.execute import run_claimed_job
from backend.settings import Settings
from backend.states import JobStatus
from backend.storage.datadir import DataDir
from backend.storage.store import Store

logger = logging.getLogger("backend.jobs.worker")
__all__ = ["QUEUE", "TASK", "Worker", "make_celery", "serve_worker", "worker_settings"]


class Worker:
    """One model on one device; claims, runs and records jobs; heartbeats meanwhile."""

    def __init__(self, settings: Settings, store: Store, predictor: Predictor, device: str,
                 announcer: JobEndedAnnouncer | None = None) -> None:
        self.settings = settings
        self.announcer = announcer
        self.store = store
        self.predictor = predictor
        self.host = socket.gethostname()
        self.id = f"{self.host}-{os.getpid()}-{uuid.uuid4().hex[:6]}"
        self.device = device
        self.gpu_name = _gpu_name(device)
        self.current: str | None = None
        self._stop = threading.Event()
        self._beat = threading.Thread(target=self._heartbeat_loop, name="voxtell-heartbeat", daemon=True)

    def start(self) -> None:
        self.heartbeat()
        self._beat.start()

    def stop(self) -> None:
        self._stop.set()
        self.store.forget_worker(self.id)

    def heartbeat(self) -> None:
        try:
            self.store.heartbeat(self.id, self.host, self.device, self.gpu_name, self.current)
        except Exception:  # the database is down for a moment: the next beat tries again
            logger.warning("heartbeat failed; retrying")

    def _heartbeat_loop(self) -> None:
        while not self._stop.wait(self.settings.heartbeat_s):
            self.heartbeat()

    def run(self, woken_for: str) -> JobStatus | str:
        """Claim and run one job: the fairest queued one (``Store.fair_queue``, the order embedded
        mode keeps too; a message only wakes a worker, it does not choose the job), else the
        one the message names (a job re-delivered from a lost worker). Returns what happened
        (``skip`` when there was nothing to claim: a duplicate delivery)."""
        job_id, outcome = woken_for, "skip"
        for candidate in dict.fromkeys([*self.store.fair_queue(), woken_for]):
            outcome = self.store.claim(candidate, self.id, self.settings.max_attempts,
                                       self.settings.worker_lost_after_s)
            if outcome == "claimed":
                job_id = candidate
                break
            logger.info("job %s: %s", candidate, outcome)
            if outcome == "failed" and self.announcer is not None:
                self.announcer.announce(candidate)
        if outcome != "claimed":
            return outcome
        self.current = job_id
        self.heartbeat()
        try:
            announcer = self.announcer
            masks_written = (lambda: announcer.announce(job_id)) if announcer is not None else None
            changed = (lambda: announcer.announce_change(job_id)) if announcer is not None else None
            # keep_going: no cancel requested and the job still ours (an API node may have handed it to
            # another worker if this one seemed lost); every write of this attempt checks the latter too.
            return run_claimed_job(self.store, self.predictor, job_id, timeout_s=self.settings.job_timeout_s,
                                   keep_going=lambda: self.store.holds(job_id, self.id),
                                   on_masks_written=masks_written, on_change=changed, owner=self.id)
        finally:
            self.current = None
            if self.announcer is not None:  # the API nodes' waiting requests answer now
                self.announcer.announce(job_id)
            self.heartbeat()


def _gpu_name(device: str) -> str | None:
    if not device.startswith("cuda"):
        return None
    import torch

    index = int(device.split(":", 1)[1]) if ":" in device else 0
    return str(torch.cuda.get_device_name(index))


def worker_settings(settings: Settings, device: str) -> Settings:
    """A worker's settings: its device, and the prompt cache in the shared data dir (unless one
    is configured), so that a prompt encoded by one worker is never encoded again by another."""
    return settings.model_copy(update={"device": device,
                                       "cache_dir": settings.cache_dir or DataDir(settings.data_dir).prompt_cache})


def serve_worker(settings: Settings, device: str) -> int:
    """Load the model once, then take jobs from the broker until stopped."""
    broker_url = settings.broker_url
    if not broker_url:
        raise SystemExit("voxtell-web worker: error: VOXTELL_BROKER_URL is not set (redis://host:port/n)")
    settings = worker_settings(settings, device)
    if settings.worker_threads:
        import torch

        torch.set_num_threads(settings.worker_threads)
    store = Store(settings.data_dir, settings.database_url)
    predictor = default_predictor(settings)
    announcer = JobEndedAnnouncer(broker_url)
    worker = Worker(settings, store, predictor, device, announcer)
    app = make_celery(broker_url)

    @app.task(name=TASK)  # type: ignore[untyped-decorator]
    def run_job(job_id: str) -> Any:
        return worker.run(job_id)

    worker.start()
    # This worker's own scrape target (its jobs, windows, engine totals), loopback only.
    stop_metrics = serve_on_loopback(settings.metrics_port, registry_for(DeploymentCollector(
        store, lambda: predictor, lambda: 1))) if settings.metrics_port else None
    logger.info("worker %s ready on %s", worker.id, device)
    try:
        app.worker_main(["worker", "--pool=solo", "--concurrency=1", f"--hostname={worker.id}@%h",
                         "--without-gossip", "--without-mingle", "-Q", QUEUE, "--loglevel=WARNING"])
    finally:
        if stop_metrics is not None:
            stop_metrics()
        worker.stop()
        announcer.close()
        store.close()
    return 0

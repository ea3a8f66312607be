"""The Celery app both sides share: API nodes publish job ids, workers consume them.

A leaf module (it imports nothing of ``backend``): the API node's queue and the worker both
import it, and neither imports the other. The broker only delivers job ids; the database is the
truth (``backend.jobs.distributed.worker`` claims a job there before running it).
"""

from __future__ import annotations

from celery import Celery

TASK = "voxtell.run_job"
QUEUE = "voxtell"


def make_celery(broker_url: str) -> Celery:
    app = Celery("voxtell", broker=broker_url)
    app.conf.update(
        task_acks_late=True,  # a job is acknowledged only once it has run
        task_reject_on_worker_lost=True,  # ... and redelivered when its worker dies
        worker_prefetch_multiplier=1,  # one job per worker at a time, none held back
        task_default_queue=QUEUE,
        task_ignore_result=True,  # results live in the database and the data dir
        broker_connection_retry_on_startup=True,
        worker_hijack_root_logger=False,
        worker_cancel_long_running_tasks_on_connection_loss=False,
    )
    return app

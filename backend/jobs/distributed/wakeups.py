"""Distributed mode: a worker tells the API nodes that a job's masks are written and that it has
ended (``CHANNEL``), and that its row changed — progress, phase, a notice (``CHANGED``, at most a
few times a second) — over Redis pub/sub, so that a waiting ``/predict`` answers at once and a
progress stream sends the change at once rather than at its node's next database read (the
node reads what changed from the database and the data dir).

Only a hint: the database stays the source of truth. A lost message (Redis restarted, a node
reconnecting) costs at most one poll interval of the API node's watcher, never a job.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Callable

import redis

logger = logging.getLogger("backend.jobs.distributed.wakeups")
CHANNEL = "voxtell:job-ended"
CHANGED = "voxtell:job-changed"
CHANGE_EVERY_S = 0.25  # the most often one job's changes are announced (the last one always is)


class JobEndedAnnouncer:
    """Publishes ``job_id`` on :data:`CHANNEL`; never raises (a hint is not worth a failure)."""

    def __init__(self, url: str) -> None:
        self._client = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)
        self._last_change: dict[str, float] = {}

    def announce(self, job_id: str) -> None:
        self._last_change.pop(job_id, None)
        try:
            self._client.publish(CHANNEL, job_id)
        except redis.RedisError:
            logger.warning("could not announce the end of job %s; API nodes will see it on their next poll", job_id)

    def announce_change(self, job_id: str) -> None:
        """The job's row changed; skipped when the last announcement of it is very recent (the
        streams then see this change with the next one, or the job's end)."""
        now = time.monotonic()
        if now - self._last_change.get(job_id, 0.0) < CHANGE_EVERY_S:
            return
        self._last_change = {job_id: now}  # one job at a time per worker: forget the others
        with contextlib.suppress(redis.RedisError):  # a hint: streams read the database at their fallback
            self._client.publish(CHANGED, job_id)

    def close(self) -> None:
        self._client.close()


class JobEndedListener:
    """A thread that calls ``on_job_ended(job_id)`` for every announcement on :data:`CHANNEL`
    and ``on_job_changed(job_id)`` for every one on :data:`CHANGED`, reconnecting after Redis
    goes away."""

    def __init__(self, url: str, on_job_ended: Callable[[str], None],
                 on_job_changed: Callable[[str], None] | None = None) -> None:
        self.url = url
        self.on_job_ended = on_job_ended
        self.on_job_changed = on_job_changed
        self._stop = threading.Event()
        self._subscribed = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="voxtell-job-ended-listener", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def wait_subscribed(self, timeout: float) -> bool:
        """True once the listener receives announcements (tests; start-up checks)."""
        return self._subscribed.wait(timeout)

    def _loop(self) -> None:
        while not self._stop.is_set():
            client = redis.Redis.from_url(self.url, socket_timeout=5, socket_connect_timeout=2)
            pubsub = client.pubsub(ignore_subscribe_messages=True)
            try:
                pubsub.subscribe(CHANNEL, CHANGED)
                self._subscribed.set()
                while not self._stop.is_set():
                    message = pubsub.get_message(timeout=0.5)
                    if message is not None and message.get("type") == "message":
                        data, channel = message["data"], message.get("channel")
                        job_id = data.decode() if isinstance(data, bytes) else str(data)
                        channel = channel.decode() if isinstance(channel, bytes) else str(channel)
                        if channel == CHANGED:
                            if self.on_job_changed is not None:
                                self.on_job_changed(job_id)
                        else:
                            self.on_job_ended(job_id)
            except redis.RedisError:
                self._subscribed.clear()
                logger.warning("job announcements unavailable (Redis away); polling the database meanwhile")
                self._stop.wait(1.0)
            finally:
                pubsub.close()
                client.close()

"""One source of job progress for every stream of a node: the web app's Server-Sent Events, the
official protocol's NDJSON and ``/predict``'s wait all learn here that a job may have changed.

``notify(job_id)`` is called from any thread: by the embedded runner on every window, phase,
notice and ending; in distributed mode by the listener of the workers' Redis announcements. A
stream then reads the job row once and sends what changed. ``wait`` also returns after
``timeout_s`` without a notification (an announcement lost with a Redis restart), so a stream
falls back to one database read per ``timeout_s`` — never a poll per stream every few
milliseconds.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Iterator


class Subscription:
    """A stream's interest in one job: registered before the stream reads the job's row, so a
    change between that read and the next :meth:`next` is never missed."""

    def __init__(self, hub: JobEvents, job_id: str) -> None:
        self.hub = hub
        self.job_id = job_id
        self.entry = (asyncio.get_running_loop(), asyncio.Event())

    async def next(self, timeout_s: float) -> bool:
        """Until the job may have changed, or ``timeout_s``; True when notified."""
        event = self.entry[1]
        try:
            await asyncio.wait_for(event.wait(), timeout_s)
            return True
        except asyncio.TimeoutError:
            return False
        finally:
            event.clear()


class JobEvents:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._waiting: dict[str, set[tuple[asyncio.AbstractEventLoop, asyncio.Event]]] = {}

    def notify(self, job_id: str) -> None:
        """The job may have changed: wake every stream waiting for it (cheap; any thread)."""
        with self._lock:
            waiting = list(self._waiting.get(job_id, ()))
        for loop, event in waiting:
            with contextlib.suppress(RuntimeError):  # that loop is closed: the server is stopping
                loop.call_soon_threadsafe(event.set)

    def watching(self) -> list[str]:
        """The jobs some stream of this node waits for (tests use it to know a stream subscribed)."""
        with self._lock:
            return list(self._waiting)

    @contextlib.contextmanager
    def subscribe(self, job_id: str) -> Iterator[Subscription]:
        """``with events.subscribe(job_id) as changes: ... await changes.next(timeout_s)``."""
        subscription = Subscription(self, job_id)
        with self._lock:
            self._waiting.setdefault(job_id, set()).add(subscription.entry)
        try:
            yield subscription
        finally:
            with self._lock:
                waiting = self._waiting.get(job_id)
                if waiting is not None:
                    waiting.discard(subscription.entry)
                    if not waiting:
                        del self._waiting[job_id]

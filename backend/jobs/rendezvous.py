"""Where ``/predict`` requests meet the embedded runner's thread: callbacks, not parked threads.

A request registers a callback for its job; the runner thread calls it when the job's mask files
are written (``masks_only`` waiters, ``True``) or when the job ends (everyone else, ``False``).
After waking the ``masks_only`` waiters the runner holds the job's statistics back until the
answer has been sent (:meth:`Rendezvous.release`, at most ``hold_s``), so that the statistics
do not compete with sending the masks for the CPU.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

Callback = Callable[[bool], None]


class Rendezvous:
    def __init__(self, hold_s: float = 2.0) -> None:
        self.hold_s = hold_s  # longest wait of a job's statistics for its masks to be sent
        self._lock = threading.Lock()
        self._waiters: dict[str, list[tuple[bool, Callback]]] = {}
        self._holds: dict[str, threading.Event] = {}
        self._masks_written: set[str] = set()

    def wait(self, job_id: str, callback: Callback, masks_only: bool, has_ended: Callable[[], bool]) -> None:
        """Register ``callback``; call it right here when the moment has already passed.

        ``has_ended`` is read under the lock that :meth:`job_ended` takes, so a job ending at
        the same time is never missed. The callback must be quick (it may run in the runner's
        thread): ``/predict`` passes ``loop.call_soon_threadsafe``."""
        with self._lock:
            masks_ready = masks_only and job_id in self._masks_written
            if not masks_ready and not has_ended():
                self._waiters.setdefault(job_id, []).append((masks_only, callback))
                if masks_only:
                    self._holds.setdefault(job_id, threading.Event())
                return
        callback(masks_ready)

    def masks_written(self, job_id: str) -> None:
        """Runner thread: every mask file of the job is complete. Wakes the ``masks_only``
        waiters, then holds the runner until :meth:`release` (at most ``hold_s``) if one waits."""
        with self._lock:
            self._masks_written.add(job_id)
            waiters = self._waiters.get(job_id, [])
            ready = [callback for masks_only, callback in waiters if masks_only]
            self._waiters[job_id] = [(m, callback) for m, callback in waiters if not m]
            hold = self._holds.get(job_id)
        for callback in ready:
            callback(True)
        if hold is not None:
            self._hold(hold)

    def _hold(self, hold: threading.Event) -> None:
        hold.wait(self.hold_s)

    def release(self, job_id: str) -> None:
        """The masks a waiter asked for have been sent: the statistics may run."""
        with self._lock:
            hold = self._holds.get(job_id)
        if hold is not None:
            hold.set()

    def job_ended(self, job_id: str) -> None:
        """The job is done, failed or cancelled: wake everyone still waiting, forget the job."""
        with self._lock:
            ready = [callback for _, callback in self._waiters.pop(job_id, [])]
            self._masks_written.discard(job_id)
            self._holds.pop(job_id, None)
        for callback in ready:
            callback(False)

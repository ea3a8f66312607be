"""Completion: when a series has arrived, and handing it over exactly once.

DIMSE has no "end of series": a sender opens an association, stores instances and releases it,
and may send the rest of the same series later over another association (or several at once).
So a series is *complete* when nothing has been added to it for ``quiet_s`` seconds, or, if it
keeps trickling, ``ceiling_s`` seconds after its first instance arrived. A series that an open
association is still adding to is not complete before the ceiling.

Handover: the series folder is moved to ``handover/`` (so later arrivals start a new
generation), ``on_complete(series)`` is called, and only when it returns without raising is the
series recorded in ``complete/`` and its files deleted. A callback that raises is called again
``retry_s`` later, also after a restart. The only window for a second call is a crash between
the callback's return and that record (at-least-once): ``(key, generation)`` identifies a
delivery.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from backend.integrations.dicom_node.records import ReceivedSeries, SeriesRecord
from backend.integrations.dicom_node.spool import Spool

log = logging.getLogger(__name__)

OnComplete = Callable[[ReceivedSeries], None]


class CompletionWatcher:
    """Finds complete series in a spool and hands each to ``on_complete`` once.

    Use `poll` from your own loop, or `start` / `stop` a thread that polls every ``poll_s``.
    """

    def __init__(self, spool: Spool, on_complete: OnComplete, *, quiet_s: float, ceiling_s: float,
                 retry_s: float = 30.0, poll_s: float = 1.0, forget_after_s: float = 7 * 24 * 3600.0,
                 busy: Callable[[], set[str]] | None = None,
                 quiet_for: Callable[[SeriesRecord], float | None] | None = None) -> None:
        """``quiet_for(record)``: the quiet time of that series (e.g. its routing rule's), None for
        ``quiet_s``; never beyond the ceiling."""
        self.spool = spool
        self.quiet_for = quiet_for
        self.on_complete = on_complete
        self.quiet_s = quiet_s
        self.ceiling_s = ceiling_s
        self.retry_s = retry_s
        self.poll_s = poll_s
        self.forget_after_s = forget_after_s
        self._busy = busy or (lambda: set())
        self._retry_at: dict[tuple[str, int], float] = {}
        self._poll_lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def due(self, now: float | None = None) -> list[ReceivedSeries]:
        """The series being received that are complete at ``now`` (nothing is moved)."""
        now = time.time() if now is None else now
        busy = self._busy()
        out = []
        for record in self.spool.records():
            past_ceiling = now - record.first_arrival >= self.ceiling_s
            quiet_s = (self.quiet_for(record) if self.quiet_for is not None else None) or self.quiet_s
            quiet = now - record.last_arrival >= quiet_s and record.key not in busy
            if past_ceiling or quiet:
                out.append(self.spool.view(record))
        return out

    def poll(self, now: float | None = None) -> int:
        """Hand over every complete series (and retry failed ones whose time has come).

        Returns how many series ``on_complete`` accepted.
        """
        now = time.time() if now is None else now
        accepted = 0
        with self._poll_lock:
            try:
                for series in self.due(now):
                    self.spool.begin_handover(series.key)
                waiting: set[str] = set()  # a key whose earlier generation waits: later ones wait too
                for series in self.spool.handovers():
                    if series.key in waiting or self._retry_at.get((series.key, series.generation), 0.0) > now:
                        waiting.add(series.key)
                        continue
                    if not self._hand_over(series, now):
                        waiting.add(series.key)
                        continue
                    accepted += 1
                self.spool.forget(now - self.forget_after_s)
            except OSError as exc:
                log.error("dicom node: spool error while handing over series (%s)", type(exc).__name__)
        return accepted

    def _hand_over(self, series: ReceivedSeries, now: float) -> bool:
        try:
            self.on_complete(series)
        except Exception as exc:  # the callback's failure: retried later, never lost
            self._retry_at[(series.key, series.generation)] = now + self.retry_s
            log.warning("dicom node: on_complete failed for series %s (%s); retried in %.0f s",
                        series.key, type(exc).__name__, self.retry_s)
            return False
        self._retry_at.pop((series.key, series.generation), None)
        self.spool.finish_handover(series)
        log.info("dicom node: series %s (generation %d, %d instance(s)) handed over",
                 series.key, series.generation, series.instance_count)
        return True

    def start(self) -> None:
        """Poll in a daemon thread until `stop`."""
        if self._thread is not None:
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="dicom-node-completion", daemon=True)
        self._thread.start()

    def stop(self, timeout: float | None = 30.0) -> None:
        """Stop the thread (a callback in progress is waited for, up to ``timeout``)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def _run(self) -> None:
        while not self._stop.wait(self.poll_s):
            try:
                self.poll()
            except Exception as exc:  # the watcher thread must outlive any surprise
                log.error("dicom node: completion poll failed (%s)", type(exc).__name__)

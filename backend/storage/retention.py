"""The retention sweep: volumes (and with them their jobs' results) older than the retention
time, and staging files left in ``tmp/`` by a crash, a lost connection or a full disk."""

from __future__ import annotations

import logging
import shutil
import threading
import time

from backend.settings import Settings
from backend.storage.store import Store

logger = logging.getLogger("backend")


class RetentionSweeper:
    def __init__(self, store: Store, settings: Settings) -> None:
        self.store = store
        self.settings = settings
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="voxtell-sweeper", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def sweep(self, now: float | None = None) -> int:
        cutoff = (now or time.time()) - self.settings.retention_hours * 3600
        removed = 0
        for volume_id in self.store.expired_volumes(cutoff):
            if self.store.delete_volume(volume_id):
                removed += 1
        self.sweep_tmp(now=now)
        if removed:
            logger.info("retention: removed %d volume(s) and their results", removed)
        return removed

    def sweep_tmp(self, max_age_s: float | None = None, now: float | None = None) -> int:
        """Remove staging files and folders older than ``max_age_s`` (default ``tmp_max_age_s``)."""
        age = self.settings.tmp_max_age_s if max_age_s is None else max_age_s
        cutoff = (now or time.time()) - age
        removed = 0
        for stale in self.store.paths.tmp.iterdir():
            try:
                if stale.lstat().st_mtime >= cutoff:
                    continue
                if stale.is_dir() and not stale.is_symlink():
                    shutil.rmtree(stale, ignore_errors=True)
                else:
                    stale.unlink(missing_ok=True)
                removed += 1
            except FileNotFoundError:
                continue  # finished and moved meanwhile
        return removed

    def _loop(self) -> None:
        while not self._stop.wait(self.settings.sweep_interval_s):
            try:
                self.sweep()
            except Exception:
                logger.exception("retention sweep failed")

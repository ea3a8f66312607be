"""The spool: received instances on disk, the one truth that survives a restart.

Layout under the spool directory (every name is generated; nothing a peer sent names a file)::

    .lock                                one node per spool directory (an flock)
    pending/<association>/<series-key>/<instance>.dcm
                                         instances of associations not yet released; a released
                                         association moves them to series/, an aborted one (or
                                         a restart) deletes them
    series/<series-key>/series.json      a series being received: SeriesRecord (header fields,
    series/<series-key>/<instance>.dcm   callers, arrival times, count) and its instances
    handover/<series-key>-<generation>/  a complete series being handed to on_complete (kept
                                         there until the callback returns; retried if it raised)
    complete/<series-key>.json           a handed-over series: its last generation and the
                                         instances it had (a resend of them is dropped)

``<series-key>`` is a digest of (called AE title, Study Instance UID, Series Instance UID) and
``<instance>`` a digest of the SOP Instance UID, so a duplicate instance replaces its file.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import shutil
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from backend.integrations.dicom_node.records import (
    ReceivedSeries,
    SeriesHeader,
    SeriesRecord,
    fsync_dir,
    write_atomic,
)

try:
    import fcntl
except ImportError:  # pragma: no cover - not on POSIX: no cross-process lock
    fcntl = None  # type: ignore[assignment]

log = logging.getLogger(__name__)

INSTANCE_SUFFIX = ".dcm"
RECORD_NAME = "series.json"


class SpoolBusy(RuntimeError):
    """Another node (another process) already uses this spool directory."""


@dataclass
class PendingSeries:
    """What an open association has received of one series so far (in memory)."""

    header: SeriesHeader
    first_arrival: float
    instances: int = 0


@dataclass(frozen=True)
class Sender:
    """Who sent an association's instances."""

    called_ae: str
    calling_ae: str
    address: str


class Spool:
    """The spool directory: pending writes, commits, series records and handovers.

    Thread-safe within one process; `open` takes an exclusive lock on the directory so that a
    second process cannot spool into it at the same time.
    """

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.pending = self.root / "pending"
        self.series = self.root / "series"
        self.handover = self.root / "handover"
        self.complete = self.root / "complete"
        self._lock = threading.RLock()
        self._lock_file: IO[bytes] | None = None

    # -- lifecycle ---------------------------------------------------------------------------

    def open(self) -> None:
        """Create the layout, lock the directory, drop what dead associations left behind."""
        for folder in (self.pending, self.series, self.handover, self.complete):
            folder.mkdir(parents=True, exist_ok=True)
        lock_file = open(self.root / ".lock", "ab")  # noqa: SIM115 - held until close()
        if fcntl is not None:
            try:
                fcntl.flock(lock_file.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError as exc:
                lock_file.close()
                raise SpoolBusy("the spool directory is in use by another node") from exc
        self._lock_file = lock_file
        stale = [p for p in self.pending.iterdir()]
        for path in stale:
            _remove(path)
        for path in self.series.iterdir():
            if path.name.startswith("."):  # a series folder being created when the process died
                _remove(path)
        if stale:
            log.info("dicom node: dropped %d unreleased association(s) of an earlier run", len(stale))

    def close(self) -> None:
        """Release the directory lock."""
        if self._lock_file is not None:
            self._lock_file.close()
            self._lock_file = None

    # -- free space --------------------------------------------------------------------------

    def has_room(self, high_water: float, min_free_bytes: int) -> bool:
        """False when the spool file system is fuller than ``high_water`` or too few bytes are free."""
        try:
            usage = shutil.disk_usage(self.root)
        except OSError:
            return False
        if usage.free < min_free_bytes:
            return False
        return usage.total <= 0 or 1.0 - usage.free / usage.total <= high_water

    # -- receiving ---------------------------------------------------------------------------

    def write_pending(self, association: str, key: str, instance: str, data: bytes) -> None:
        """Write one instance of an open association, durably, before it is acknowledged."""
        folder = self.pending / association / key
        folder.mkdir(parents=True, exist_ok=True)
        write_atomic(folder / f"{instance}{INSTANCE_SUFFIX}", data)

    def discard(self, association: str) -> None:
        """Forget everything an association received (it was aborted)."""
        _remove(self.pending / association)

    def commit(self, association: str, arrivals: dict[str, PendingSeries], sender: Sender,
               now: float | None = None) -> tuple[int, int]:
        """Move a released association's instances into their series.

        Returns (instances added, instances dropped because their series already handed them
        over).
        """
        now = time.time() if now is None else now
        added = dropped = 0
        with self._lock:
            for key, pending in arrivals.items():
                source = self.pending / association / key
                names = sorted(p.name for p in source.glob(f"*{INSTANCE_SUFFIX}"))
                known = self._handed_over(key)
                fresh = [n for n in names if n[: -len(INSTANCE_SUFFIX)] not in known]
                dropped += len(names) - len(fresh)
                if not fresh:
                    continue
                folder = self.series / key
                record = self._read_record(folder)
                if record is None:
                    record = SeriesRecord(
                        key=key, generation=self._last_generation(key) + 1, called_ae=sender.called_ae,
                        calling_ae=sender.calling_ae, caller_address=sender.address,
                        first_arrival=pending.first_arrival, last_arrival=now, instance_count=0,
                        header=pending.header)
                    stage = self.series / f".{key}.{association}"
                    stage.mkdir()
                    write_atomic(stage / RECORD_NAME, record.to_json().encode())
                    os.rename(stage, folder)
                    fsync_dir(self.series)
                for name in fresh:
                    os.replace(source / name, folder / name)
                fsync_dir(folder)
                record = record.updated(
                    first_arrival=min(record.first_arrival, pending.first_arrival),
                    last_arrival=max(record.last_arrival, now),
                    instance_count=len(self._instances(folder)))
                write_atomic(folder / RECORD_NAME, record.to_json().encode())
                added += len(fresh)
            _remove(self.pending / association)
        return added, dropped

    # -- completion --------------------------------------------------------------------------

    def records(self) -> list[SeriesRecord]:
        """The series being received (``series/``), oldest first."""
        records = []
        for folder in self.series.iterdir():
            if not folder.name.startswith("."):
                record = self._read_record(folder)
                if record is not None:
                    records.append(record)
        return sorted(records, key=lambda r: r.first_arrival)

    def view(self, record: SeriesRecord) -> ReceivedSeries:
        """A series being received as it stands now (its files may still change)."""
        folder = self.series / record.key
        return ReceivedSeries.from_record(record, folder, self._instances(folder))

    def begin_handover(self, key: str) -> ReceivedSeries | None:
        """Move a complete series to ``handover/`` (later arrivals start a new generation)."""
        with self._lock:
            folder = self.series / key
            record = self._read_record(folder)
            if record is None:
                return None
            target = self.handover / f"{key}-{record.generation}"
            os.rename(folder, target)
            fsync_dir(self.handover)
            fsync_dir(self.series)
            return ReceivedSeries.from_record(record, target, self._instances(target))

    def handovers(self) -> list[ReceivedSeries]:
        """Series waiting for (another try of) ``on_complete``, earliest generations first.

        One whose generation the ``complete/`` record already lists (the process died between
        the callback's return and the clean-up) is cleaned up here, never offered again.
        """
        out = []
        with self._lock:
            for folder in sorted(self.handover.iterdir()):
                record = self._read_record(folder)
                if record is None:
                    continue
                if self._tombstone(record.key)[0] >= record.generation:
                    _remove(folder)
                    continue
                out.append(ReceivedSeries.from_record(record, folder, self._instances(folder)))
        return sorted(out, key=lambda s: (s.generation, s.first_arrival))

    def finish_handover(self, series: ReceivedSeries, now: float | None = None) -> None:
        """Record a series as handed over (its instances remembered), then delete its files."""
        now = time.time() if now is None else now
        with self._lock:
            generation, known = self._tombstone(series.key)
            known |= {p.name[: -len(INSTANCE_SUFFIX)] for p in series.files}
            data = {"generation": max(generation, series.generation), "handed_over_at": now,
                    "instances": sorted(known)}
            write_atomic(self.complete / f"{series.key}.json", json.dumps(data).encode())
            _remove(series.folder)
            fsync_dir(self.handover)

    def forget(self, older_than: float) -> int:
        """Delete ``complete/`` records handed over before ``older_than``; returns how many."""
        removed = 0
        with self._lock:
            for path in self.complete.glob("*.json"):
                try:
                    at = float(json.loads(path.read_text())["handed_over_at"])
                except (OSError, ValueError, KeyError, TypeError):
                    at = 0.0
                if at < older_than:
                    path.unlink(missing_ok=True)
                    removed += 1
        return removed

    # -- internals ---------------------------------------------------------------------------

    @staticmethod
    def _instances(folder: Path) -> tuple[Path, ...]:
        return tuple(sorted(folder.glob(f"*{INSTANCE_SUFFIX}")))

    @staticmethod
    def _read_record(folder: Path) -> SeriesRecord | None:
        try:
            return SeriesRecord.from_json((folder / RECORD_NAME).read_text())
        except FileNotFoundError:
            return None
        except (OSError, ValueError, KeyError, TypeError):
            log.warning("dicom node: an unreadable series record was left alone")
            return None

    def _tombstone(self, key: str) -> tuple[int, set[str]]:
        try:
            data = json.loads((self.complete / f"{key}.json").read_text())
            return int(data["generation"]), set(data["instances"])
        except FileNotFoundError:
            return 0, set()
        except (OSError, ValueError, KeyError, TypeError):
            log.warning("dicom node: an unreadable handover record was ignored")
            return 0, set()

    def _waiting(self, key: str) -> list[Path]:
        return [p for p in self.handover.glob(f"{key}-*") if p.is_dir()]

    def _handed_over(self, key: str) -> set[str]:
        """Instances of ``key`` already handed over or waiting to be."""
        known = self._tombstone(key)[1]
        for folder in self._waiting(key):
            known |= {p.name[: -len(INSTANCE_SUFFIX)] for p in self._instances(folder)}
        return known

    def _last_generation(self, key: str) -> int:
        generations = [self._tombstone(key)[0]]
        for folder in self._waiting(key):
            with contextlib.suppress(ValueError):
                generations.append(int(folder.name.rsplit("-", 1)[1]))
        return max(generations)


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)

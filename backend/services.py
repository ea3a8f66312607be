"""Operations that touch files and the engine on behalf of the routers (no array maths here:
every voxel operation is a ``voxtell`` function)."""

from __future__ import annotations

import logging
import re
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from backend.errors import BadInput, NotFound
from backend.runner import result_entry
from backend.store import Job
from backend.uploads import read_validated_nifti
from voxtell.inference.exceptions import InvalidInputError
from voxtell.io import read_volume, write_mask
from voxtell.io.validation import InvalidImageError
from voxtell.postprocess import mask_statistics

if TYPE_CHECKING:
    from backend.deps import AppState

logger = logging.getLogger("backend")
_MASK_FILE = re.compile(r"mask_(\d+)\.(?:nii\.gz|deleted)")


def safe_download_name(name: str) -> str:
    """A prompt as a file-name part: letters, digits, ``-`` and ``_`` only."""
    return re.sub(r"[^\w\-]+", "_", name, flags=re.UNICODE).strip("_")[:100] or "mask"


def _next_index(job: Job, out_dir: Path) -> int:
    """A mask index never used in this job, deleted ones included (a client may still hold
    ``jobid-index`` keys for those, e.g. for colours)."""
    used = [r["index"] for r in job.results]
    used += [int(m.group(1)) for f in out_dir.glob("mask_*") if (m := _MASK_FILE.fullmatch(f.name))]
    return max(used, default=-1) + 1


def delete_mask(state: AppState, job: Job, index: int) -> None:
    """Remove result ``index`` of ``job``: from its results, its files and every export.

    Raises:
        NotFound: the job has no such mask.
    """
    with state.edit_lock:
        current = state.store.get_job(job.id)
        assert current is not None
        if not any(r["index"] == index for r in current.results):
            raise NotFound(f"job has no mask {index}")
        out_dir = state.store.result_dir(job.id)
        (out_dir / f"mask_{index}.deleted").touch()  # keeps the index used (see _next_index)
        state.store.update_job(job.id, results=[r for r in current.results if r["index"] != index])
        (out_dir / f"mask_{index}.nii.gz").unlink(missing_ok=True)
        (out_dir / "labelmap.nii.gz").unlink(missing_ok=True)  # rebuilt without it on request


def add_edited_mask(state: AppState, job: Job, data: bytes, name: str) -> None:
    """Store a mask edited in the viewer as a new result of ``job`` with fresh statistics."""
    staged = state.store.tmp_path(".nii.gz" if data[:2] == b"\x1f\x8b" else ".nii")
    staged.write_bytes(data)
    try:
        _, edited = read_validated_nifti(staged, state.settings)
        volume = read_volume(state.store.volume_path(job.volume_id))
    except (InvalidImageError, InvalidInputError) as exc:
        raise BadInput(f"edited mask: {exc}") from None
    finally:
        staged.unlink(missing_ok=True)
    if edited.geometry.ras_shape != volume.geometry.ras_shape or not np.allclose(
            edited.geometry.original_affine, volume.geometry.original_affine, atol=1e-3):
        raise BadInput("edited mask: its shape or affine differs from the volume's")
    mask = (edited.data > 0).astype(np.uint8)
    with state.edit_lock:  # two saves for one job must not pick the same index
        current = state.store.get_job(job.id)
        assert current is not None
        out_dir = state.store.result_dir(job.id)
        index = _next_index(current, out_dir)
        write_mask(mask, volume.geometry, out_dir / f"mask_{index}.nii.gz")
        results = [*current.results, result_entry(index, name, "edited",
                                                  mask_statistics(mask, volume.data, volume.geometry.spacing))]
        (out_dir / "labelmap.nii.gz").unlink(missing_ok=True)  # rebuilt with the new mask on request
        state.store.update_job(job.id, results=results)


class RetentionSweeper:
    """Deletes volumes (and with them their jobs' results) older than the retention time."""

    def __init__(self, state: AppState) -> None:
        self.state = state
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="voxtell-sweeper", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def sweep(self, now: float | None = None) -> int:
        cutoff = (now or time.time()) - self.state.settings.retention_hours * 3600
        removed = 0
        for volume_id in self.state.store.expired_volumes(cutoff):
            if self.state.store.delete_volume(volume_id):
                removed += 1
        for stale in (self.state.store.data_dir / "tmp").iterdir():
            if stale.stat().st_mtime < cutoff:
                stale.unlink(missing_ok=True)
        if removed:
            logger.info("retention: removed %d volume(s) and their results", removed)
        return removed

    def _loop(self) -> None:
        while not self._stop.wait(self.state.settings.sweep_interval_s):
            try:
                self.sweep()
            except Exception:
                logger.exception("retention sweep failed")

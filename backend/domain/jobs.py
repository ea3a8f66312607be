"""Operations that touch files and the engine on behalf of the routers (no array maths here:
every voxel operation is a ``voxtell`` function)."""

from __future__ import annotations

import hashlib
import logging
import shutil
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fastapi import UploadFile
from starlette.concurrency import run_in_threadpool

from backend.domain.ingest import ingest_volume, read_validated_nifti, stage_upload
from backend.domain.ingest_dicom import ingest_dicom, looks_like_dicom_or_zip, stage_dicom
from backend.domain.masks import color_of, forget_label_maps, mask_file, result_entry, selected_results
from backend.http.errors import BadInput, Conflict, NotFound, QueueFull
from backend.http.middleware import queue_full_detail, retry_after_s
from backend.storage.store import Job
from voxtell.errors import ComputeBudgetExceeded, InvalidInputError
from voxtell.inference.sliding_window import window_count
from voxtell.io import read_volume, write_mask
from voxtell.postprocess import as_mask, mask_location, mask_statistics

if TYPE_CHECKING:
    from backend.http.deps import AppState

logger = logging.getLogger("backend")


async def ingest_files(state: AppState, files: list[UploadFile], series_uid: str | None) -> tuple[str, dict[str, Any]]:
    """Store an upload (one image file, a DICOM zip or DICOM files) as a volume: the one path of
    every upload route. A volume whose default sliding window is over the compute budget is
    refused (422) and not kept.

    Raises:
        BadInput, SeriesChoiceNeeded, ComputeBudgetExceeded: nothing is stored then.
    """
    head = await files[0].read(132)
    await files[0].seek(0)
    if len(files) > 1 or looks_like_dicom_or_zip(head):
        folder = await stage_dicom(files, state.store)
        volume_id, meta = await run_in_threadpool(ingest_dicom, folder, series_uid, state.store, state.settings)
    else:
        staged, suffix = await stage_upload(files[0], state.store)
        volume_id, meta = await run_in_threadpool(ingest_volume, staged, suffix, state.store, state.settings,
                                                  state.runner.remember_volume)
    await run_in_threadpool(keep_within_budget, state, volume_id, meta)
    return volume_id, meta


def keep_within_budget(state: AppState, volume_id: str, meta: dict[str, Any]) -> None:
    """Delete a just-stored volume whose default sliding window is over the compute budget.

    Raises:
        ComputeBudgetExceeded: the volume is gone then.
    """
    try:
        check_window_budget(state, meta["ras_shape"])
    except ComputeBudgetExceeded:
        state.runner.forget_volume(volume_id)
        state.store.delete_volume(volume_id)
        raise


def check_window_budget(state: AppState, ras_shape: list[int], step: float | None = None) -> int:
    """The number of sliding windows a job on an image of ``ras_shape`` needs (an upper bound:
    before cropping); raises when it is over ``max_windows``.

    Raises:
        ComputeBudgetExceeded: naming the count, the patch, the step and the limit.
    """
    info = state.predictor.info()
    patch = [int(p) for p in info.get("patch_size") or []]
    if len(patch) != 3:
        return 0
    step = step or float(getattr(state.predictor, "tile_step_size", None) or info.get("tile_step_size") or 0.5)
    windows = window_count(ras_shape, patch, step)
    limit = state.settings.max_windows
    if windows > limit:
        shape = "x".join(str(s) for s in ras_shape)
        raise ComputeBudgetExceeded(
            f"the image ({shape} voxels) needs {windows} sliding windows of {patch[0]}x{patch[1]}x{patch[2]} "
            f"at step {step:g}; this server allows at most {limit} per job")
    return windows


def submit_job(state: AppState, volume_id: str, prompts: list[str], options: dict[str, object]) -> Job:
    """Check a job request and queue it (queue bound enforced atomically).

    Raises:
        NotFound, BadInput, QueueFull, ComputeBudgetExceeded.
    """
    volume = state.store.get_volume(volume_id)
    if volume is None:
        raise NotFound("volume not found")
    prompts = [p.strip() for p in prompts]
    if not prompts or any(not p for p in prompts):
        raise BadInput("prompts must be non-empty text")
    if len(prompts) > state.settings.max_prompts:
        raise BadInput(f"at most {state.settings.max_prompts} prompts per job")
    if any(len(p) > 500 for p in prompts):
        raise BadInput("a prompt is longer than 500 characters")
    step = options.get("tile_step_size")
    check_window_budget(state, volume["ras_shape"], float(step) if isinstance(step, (int, float)) else None)
    job = state.store.add_job(volume_id, prompts, options, max_active=state.settings.queue_size)
    if job is None:
        raise QueueFull(queue_full_detail(state.settings.queue_size), retry_after_s(state))
    state.runner.submit(job.id)
    return job


def finished_job(state: AppState, job_id: str, with_masks: bool = False) -> Job:
    """A finished job, for its results.

    Raises:
        NotFound: unknown job; Conflict: not finished, or (``with_masks``) no mask left.
    """
    job = state.store.get_job(job_id)
    if job is None:
        raise NotFound("job not found")
    if job.status != "done":
        raise Conflict(f"the job is {job.status}; results exist only for finished jobs")
    if with_masks and not job.results:
        raise Conflict("the job has no masks left (all were deleted)")
    return job


DICOM_EXPORTS = {"seg": ("DICOM SEG", "segmentation.dcm"), "rtstruct": ("RTSTRUCT", "rtstruct.dcm")}


def dicom_export(state: AppState, job_id: str, kind: str, mask: int | None, masks: str | None = None) -> Path:
    """All masks (or mask ``mask``, or the comma-separated indices ``masks`` in that order) of a
    finished job as a DICOM SEG (``kind="seg"``) or RT Structure Set (``"rtstruct"``)
    referencing the source series, with the masks' current names and colours; the file's path.
    Written to a temporary name and renamed: a reader never sees half a file.

    Raises:
        NotFound, Conflict, BadInput: unknown job or mask; not finished; the volume did not come
        from DICOM; both ``mask`` and ``masks``, or a malformed ``masks``.
    """
    from voxtell.io.dicom_export import write_dicom_seg_from_files, write_rtstruct_from_files

    label, filename = DICOM_EXPORTS[kind]
    job = finished_job(state, job_id, with_masks=True)
    headers_dir = state.store.dicom_headers_dir(job.volume_id)
    if not headers_dir.is_dir():
        raise Conflict(f"{label} export needs a volume uploaded as DICOM")
    if mask is not None and masks is not None:
        raise BadInput("give either mask or masks, not both")
    results = selected_results(job, str(mask) if mask is not None else masks)
    writer = write_dicom_seg_from_files if kind == "seg" else write_rtstruct_from_files
    selection = ",".join(str(r["index"]) for r in results)
    out = state.store.result_dir(job_id) / f"{hashlib.sha256(selection.encode()).hexdigest()[:16]}-{filename}"
    staged = state.store.tmp_path(".dcm")
    try:
        writer([state.store.result_dir(job_id) / r["file"] for r in results], [r["name"] for r in results],
               sorted(headers_dir.iterdir()), staged, colors=[color_of(r) for r in results])
        staged.replace(out)
    finally:
        staged.unlink(missing_ok=True)
    return out


def delete_mask(state: AppState, job: Job, index: int) -> None:
    """Remove result ``index`` of ``job``: from its results, its files and every export.

    Raises:
        NotFound: the job has no such mask.
    """
    def without(results: list[dict[str, Any]]) -> list[dict[str, Any]]:
        if not any(r["index"] == index for r in results):
            raise NotFound(f"job has no mask {index}")
        return [r for r in results if r["index"] != index]

    # The index stays used: the job row's next_mask_index only grows (clients key colours on it).
    state.store.edit_results(job.id, without)
    out_dir = state.store.result_dir(job.id)
    with state.edit_lock:
        (out_dir / mask_file(index)).unlink(missing_ok=True)
        forget_label_maps(state.store, job.id)  # none may keep its voxels; rebuilt on request


def update_mask(state: AppState, job: Job, index: int, name: str | None, color: list[int] | None) -> None:
    """Rename and/or recolour result ``index`` of ``job`` (kept in the job row: every export and
    every node sees it).

    Raises:
        NotFound: the job has no such mask.
    """
    def changed(results: list[dict[str, Any]]) -> list[dict[str, Any]]:
        if not any(r["index"] == index for r in results):
            raise NotFound(f"job has no mask {index}")
        return [{**r, **({"name": name} if name is not None else {}), **({"color": color} if color else {})}
                if r["index"] == index else r for r in results]

    state.store.edit_results(job.id, changed)


def add_edited_mask(state: AppState, job: Job, data: bytes, name: str, color: list[int] | None = None) -> None:
    """Store a mask edited in the viewer as a new result of ``job`` with fresh statistics;
    ``color`` defaults to the palette colour of its new index."""
    staged = state.store.tmp_path(".nii.gz" if data[:2] == b"\x1f\x8b" else ".nii")
    staged.write_bytes(data)
    try:
        _, edited = read_validated_nifti(staged, state.settings)
        path = state.store.volume_path(job.volume_id)
        if path is None:
            raise NotFound("the job's volume is gone")
        volume = read_volume(path, confined=True)
    except InvalidInputError as exc:
        raise BadInput(f"edited mask: {exc}") from None
    finally:
        staged.unlink(missing_ok=True)
    if not edited.geometry.same_grid(volume.geometry):
        raise BadInput("edited mask: its shape or affine differs from the volume's")
    mask = as_mask(edited.data)
    index = state.store.reserve_mask_index(job.id)  # two saves, on any nodes, never share an index
    out_dir = state.store.result_dir(job.id)
    staged = state.store.tmp_path(".nii.gz")
    try:
        write_mask(mask, volume.geometry, staged)
        staged.replace(out_dir / mask_file(index))
    finally:
        staged.unlink(missing_ok=True)
    stats = {**mask_statistics(mask, volume.data, volume.geometry.spacing), **mask_location(mask, volume.geometry)}
    entry = result_entry(index, name, "edited", stats, color)
    state.store.edit_results(job.id, lambda results: [*results, entry])
    with state.edit_lock:
        forget_label_maps(state.store, job.id)  # "all masks" now has one more; rebuilt on request


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
        self.sweep_tmp(now=now)
        if removed:
            logger.info("retention: removed %d volume(s) and their results", removed)
        return removed

    def sweep_tmp(self, max_age_s: float | None = None, now: float | None = None) -> int:
        """Remove staging files and folders older than ``max_age_s`` (default ``tmp_max_age_s``):
        uploads cut off by a crash, a lost connection or a full disk."""
        age = self.state.settings.tmp_max_age_s if max_age_s is None else max_age_s
        cutoff = (now or time.time()) - age
        removed = 0
        for stale in (self.state.store.data_dir / "tmp").iterdir():
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
        while not self._stop.wait(self.state.settings.sweep_interval_s):
            try:
                self.sweep()
            except Exception:
                logger.exception("retention sweep failed")

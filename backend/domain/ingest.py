"""Uploads: staged in the data dir under generated names, validated from the header, stored as
volumes — the one path of every upload (``/api/volumes``, ``/predict``, the official ``/images``;
a DICOM zip or files go through ``backend.domain.ingest_dicom``). Functions here block: the
HTTP layer calls them from a worker thread."""

from __future__ import annotations

import os
import re
import shutil
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, BinaryIO

from backend.domain.context import AppState
from backend.domain.identity import Owned, Principal, project_of
from backend.domain.ingest_dicom import ingest_dicom, looks_like_dicom_or_zip, stage_parts, stage_staged_file
from backend.domain.jobs import keep_within_budget
from backend.settings import Settings
from backend.storage.store import Store
from voxtell.api import (
    LoadedVolume,
    read_volume,
    sniff_itk_format,
    validate_itk,
    validate_nifti,
    volume_from_bytes,
    volume_summary,
)

_CHUNK = 1 << 20
_KEEP_DECOMPRESSED = 64 << 20  # smaller gzip uploads are inflated once, by validation


Remember = Callable[[str, LoadedVolume], None]
# Uploads are read and validated a few at a time (one per core): a burst of uploads in 40 worker
# threads would hold the GIL in turns, and every other request of the process — the health check
# included — would wait behind them; each also holds a whole volume in memory.
_INGESTING = threading.BoundedSemaphore(max(1, os.cpu_count() or 1))


def ingest_files(state: AppState, sources: list[BinaryIO], series_uid: str | None, owner: Principal,
                 project: str | None = None, display_name: str | None = None) -> tuple[str, dict[str, Any]]:
    """Store an upload (one image file, a DICOM zip or DICOM files: the parts' file objects) as a
    volume of ``owner`` (and ``project``, which the owner must belong to); a NIfTI, NRRD or MHA
    upload keeps ``display_name`` (sanitised: :func:`display_name_of`) for the banner. A volume whose default sliding window is over the compute budget is refused (422)
    and not kept.

    Raises:
        InvalidInputError, BadInput, SeriesChoiceNeeded, ComputeBudgetExceeded: nothing is stored then.
    """
    owned = Owned(owner.user_id, project_of(owner, project))
    with _INGESTING:
        return _ingest_files(state, sources, series_uid, owned, display_name_of(display_name))


_UNPRINTABLE = re.compile(r"[\x00-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")


def display_name_of(name: str | None) -> str | None:
    """A file's display name as sent by a client, reduced to something safe to show: its last path
    component only, no control or bidirectional-override characters, at most 200 characters. It is
    shown, never used as a path (the stored file has a generated name)."""
    if not name:
        return None
    text = _UNPRINTABLE.sub("", name.replace("\\", "/").rsplit("/", 1)[-1]).strip()
    return text[:200] or None


def _ingest_files(state: AppState, sources: list[BinaryIO], series_uid: str | None,
                  owned: Owned, display_name: str | None = None) -> tuple[str, dict[str, Any]]:
    head = sources[0].read(132)
    sources[0].seek(0)
    if len(sources) > 1 or looks_like_dicom_or_zip(head):
        folder = stage_parts(sources, state.store)
        volume_id, meta = ingest_dicom(folder, series_uid, state.store, state.settings, owned)
    else:
        staged, suffix = _stage_file(sources[0], state.store)
        volume_id, meta = ingest_volume(staged, suffix, state.store, state.settings, owned,
                                        state.runner.remember_volume, display_name)
    keep_within_budget(state, volume_id, meta)
    return volume_id, meta


def ingest_staged(state: AppState, staged: Path, owner: Principal,
                  remember: Remember | None = None) -> tuple[str, dict[str, Any]]:
    """Store a body already streamed into ``tmp/`` (the official ``/images``) exactly as
    :func:`ingest_files` stores an upload, as ``owner``'s; the staged file is moved or removed."""
    with _INGESTING:
        return _ingest_staged(state, staged, Owned(owner.user_id), remember)


def _ingest_staged(state: AppState, staged: Path, owned: Owned,
                   remember: Remember | None) -> tuple[str, dict[str, Any]]:
    try:
        with staged.open("rb") as handle:
            head = handle.read(132)
        if looks_like_dicom_or_zip(head):
            folder = stage_staged_file(staged, state.store)
            volume_id, meta = ingest_dicom(folder, None, state.store, state.settings, owned)
        else:
            suffix = ".nii.gz" if head[:2] == b"\x1f\x8b" else (sniff_itk_format(head) or ".nii")
            named = staged.with_name(staged.name + suffix)
            staged.replace(named)
            staged = named
            volume_id, meta = ingest_volume(staged, suffix, state.store, state.settings, owned,
                                            remember or state.runner.remember_volume)
    finally:
        staged.unlink(missing_ok=True)  # moved into volumes/ when all went well
    keep_within_budget(state, volume_id, meta)
    return volume_id, meta


def _stage_file(source: BinaryIO, store: Store) -> tuple[Path, str]:
    source.seek(0)
    first = source.read(64)
    suffix = ".nii.gz" if first[:2] == b"\x1f\x8b" else (sniff_itk_format(first) or ".nii")
    path = store.tmp_path(suffix)
    try:
        with path.open("wb") as out:
            out.write(first)
            shutil.copyfileobj(source, out, _CHUNK)
    except BaseException:  # a full disk: nothing half-written stays behind
        path.unlink(missing_ok=True)
        raise
    return path, suffix


def read_validated_nifti(staged: Path, settings: Settings) -> tuple[str, LoadedVolume]:
    """Validate a staged NIfTI (header first, gzip budget) and read it: ``(dtype, volume)``.

    A gzip file is inflated once: validation keeps the bytes of a small enough image for reading.

    Raises:
        InvalidInputError: naming the problem.
    """
    info = validate_nifti(staged, max_voxels=settings.max_voxels, max_bytes=settings.max_image_bytes,
                          keep_up_to=_KEEP_DECOMPRESSED)
    return info.dtype, volume_from_bytes(info.content) if info.content else read_volume(staged, confined=True)


def ingest_volume(staged: Path, suffix: str, store: Store, settings: Settings, owned: Owned,
                  remember: Remember | None = None, display_name: str | None = None) -> tuple[str, dict[str, Any]]:
    """Validate a staged NIfTI and store it as ``owned``'s volume; the staged file is removed on error."""
    try:
        if suffix in (".nrrd", ".mha"):
            _, dtype = validate_itk(staged, max_voxels=settings.max_voxels)
            fmt = suffix[1:]
            volume = read_volume(staged, confined=True)
        else:
            dtype, volume = read_validated_nifti(staged, settings)
            fmt = "nifti"
    except BaseException:  # InvalidInputError included: 422 from the one error handler
        staged.unlink(missing_ok=True)
        raise
    meta = {**volume_summary(volume), "dtype": dtype, "format": fmt,
            "header": {"file_name": display_name} if display_name else None}
    volume_id = store.add_volume(staged, suffix, meta, owner=owned.owner, project=owned.project)
    if remember is not None:
        remember(volume_id, volume)
    return volume_id, meta

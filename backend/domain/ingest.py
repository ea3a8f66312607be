"""Uploads: streamed to the data dir, validated from the header, never named by the client."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any, BinaryIO

from fastapi import UploadFile
from starlette.concurrency import run_in_threadpool

from backend.settings import Settings
from backend.storage.store import Store
from voxtell.io import read_volume
from voxtell.io.itk import sniff_itk_format, validate_itk
from voxtell.io.nifti import LoadedVolume, volume_from_bytes, volume_summary
from voxtell.io.validation import validate_nifti

_CHUNK = 1 << 20
_KEEP_DECOMPRESSED = 64 << 20  # smaller gzip uploads are inflated once, by validation


async def stage_upload(upload: UploadFile, store: Store) -> tuple[Path, str]:
    """Copy an upload to a private temp file; returns it and its format suffix, by content
    (``.nii.gz``, ``.nii``, ``.nrrd`` or ``.mha``), never by the client's file name. The copy
    runs in a worker thread: disk writes never hold up the event loop."""
    return await run_in_threadpool(_stage_file, upload.file, store)


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


def ingest_volume(staged: Path, suffix: str, store: Store, settings: Settings,
                  remember: Callable[[str, LoadedVolume], None] | None = None) -> tuple[str, dict[str, Any]]:
    """Validate a staged NIfTI and store it as a volume; the staged file is removed on error."""
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
    meta = {**volume_summary(volume), "dtype": dtype, "format": fmt}
    volume_id = store.add_volume(staged, suffix, meta)
    if remember is not None:
        remember(volume_id, volume)
    return volume_id, meta

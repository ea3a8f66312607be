"""DICOM uploads: a zip or several files -> one series -> a stored volume with its UIDs."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any, BinaryIO

from backend.domain.errors import BadInput, SeriesChoiceNeeded
from backend.domain.identity import Owned
from backend.settings import Settings
from backend.storage.store import Store
from voxtell.api import (
    ZipLimits,
    load_series,
    safe_extract_zip,
    save_source_headers,
    scan_series,
    volume_from_image,
    volume_summary,
)

_CHUNK = 1 << 20


def looks_like_dicom_or_zip(head: bytes) -> bool:
    return head[:4] == b"PK\x03\x04" or head[128:132] == b"DICM"


def stage_parts(sources: list[BinaryIO], store: Store) -> Path:
    """Copy the uploaded parts into a private temp folder under generated names and unzip zips
    safely (blocking: call it from a worker thread)."""
    folder = store.tmp_path("-dicom")
    folder.mkdir()
    try:
        for n, source in enumerate(sources):
            part = folder / f"part{n:05d}"
            source.seek(0)
            with part.open("wb") as out:
                shutil.copyfileobj(source, out, _CHUNK)
            _unzip_in_place(part, folder / f"zip{n:05d}")
    except BaseException:  # InvalidInputError included: 422 from the one error handler
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return folder


def stage_staged_file(staged: Path, store: Store) -> Path:
    """A body already streamed into ``tmp/`` as the one part of a DICOM upload (no second copy)."""
    folder = store.tmp_path("-dicom")
    folder.mkdir()
    try:
        part = folder / "part00000"
        staged.replace(part)
        _unzip_in_place(part, folder / "zip00000")
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return folder


def _unzip_in_place(part: Path, into: Path) -> None:
    with part.open("rb") as f:
        is_zip = f.read(4) == b"PK\x03\x04"
    if is_zip:
        safe_extract_zip(part, into, ZipLimits())
        part.unlink()


def ingest_dicom(folder: Path, series_uid: str | None, store: Store, settings: Settings,
                 owned: Owned) -> tuple[str, dict[str, Any]]:
    """Pick the series (or ask the client to), build the volume, store it as NIfTI plus UIDs, as
    ``owned``'s."""
    staged = store.tmp_path(".nii.gz")
    headers = store.tmp_path("-headers")
    try:
        series = scan_series(p for p in folder.rglob("*") if p.is_file())
        if series_uid:
            chosen = [s for s in series if s.uid == series_uid]
            if not chosen:
                raise BadInput("series_uid does not name a series of this upload")
        elif len(series) > 1:
            raise SeriesChoiceNeeded([s.public() for s in series])
        else:
            chosen = series
        loaded = load_series(chosen[0], max_voxels=settings.max_voxels)
        volume = volume_from_image(loaded.image)
        loaded.save_nifti(staged)
        save_source_headers(loaded.source_files, headers)
        modality = chosen[0].modality.strip() or None  # what the series says it is, not a guess
        meta = {**volume_summary(volume), "dtype": "float32", "format": "dicom", "modality": modality,
                "intensity_unit": "HU" if modality == "CT" else None,
                "dicom": {"study_uid": loaded.study_uid, "series_uid": loaded.series_uid,
                          "frame_of_reference_uid": loaded.frame_of_reference_uid,
                          "sop_instance_uids": list(loaded.sop_instance_uids)}}
        volume_id = store.add_volume(staged, ".nii.gz", meta, owner=owned.owner, project=owned.project)
        try:
            headers.replace(store.dicom_headers_dir(volume_id))
        except BaseException:
            store.delete_volume(volume_id)
            raise
    finally:
        shutil.rmtree(folder, ignore_errors=True)
        staged.unlink(missing_ok=True)  # moved into volumes/ when all went well
        shutil.rmtree(headers, ignore_errors=True)
    return volume_id, meta

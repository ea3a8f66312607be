"""DICOM uploads: a zip or several files -> one series -> a stored volume with its UIDs."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any, BinaryIO

import pydicom

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
# The header fields kept for the viewer's banner (patient data: stored and returned, never logged).
_HEADER_FIELDS = {"patient_name": "PatientName", "patient_id": "PatientID", "patient_sex": "PatientSex",
                  "patient_birth_date": "PatientBirthDate", "study_date": "StudyDate",
                  "study_description": "StudyDescription", "series_description": "SeriesDescription",
                  "modality": "Modality"}
_DATES = {"patient_birth_date", "study_date"}


def patient_header(path: Path) -> dict[str, str | None]:
    """The banner's fields from one file of the series (read without its pixels): text as the file
    has it (a person name keeps its ``^``), dates as ``YYYY-MM-DD``; absent or empty fields None."""
    ds = pydicom.dcmread(path, stop_before_pixels=True, force=True)
    header: dict[str, str | None] = {}
    for key, keyword in _HEADER_FIELDS.items():
        value = str(ds.get(keyword, "") or "").strip()
        header[key] = (_iso_date(value) if key in _DATES else value) or None
    return header


def _iso_date(value: str) -> str:
    """A DICOM DA (``YYYYMMDD``; the old ``YYYY.MM.DD`` too) as ``YYYY-MM-DD``; anything else as it is."""
    digits = value.replace(".", "")
    return f"{digits[:4]}-{digits[4:6]}-{digits[6:8]}" if len(digits) == 8 and digits.isdigit() else value


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
                          "sop_instance_uids": list(loaded.sop_instance_uids)},
                "header": patient_header(loaded.source_files[0]) if loaded.source_files else None}
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

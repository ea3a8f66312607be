"""The configured DICOMweb archive: client, QIDO-RS searches shaped for the API, imports into
stored volumes and STOW-RS of exports; archive failures become domain errors (502/504 in http/errors.py).

The archive is server configuration (``VOXTELL_DICOMWEB_URL``); a client never names one.
Patient name and id go back to the caller of a search and are never logged.
"""

from __future__ import annotations

import hashlib
import json
import logging
import shutil
from pathlib import Path
from typing import Any

from backend.domain.context import AppState
from backend.domain.errors import DomainError, NotFound, UpstreamFailed, UpstreamTimeout
from backend.domain.identity import Owned, Principal
from backend.domain.ingest_dicom import ingest_dicom
from backend.domain.jobs import keep_within_budget
from backend.settings import Settings
from voxtell.api import ArchiveConfig, DicomWebError, archive_errors, open_archive, orientation_hint
from voxtell.api import retrieve_series as _retrieve_series
from voxtell.api import store_file as _store_file

logger = logging.getLogger("backend")
NO_PACS = "no PACS is configured on this server (VOXTELL_DICOMWEB_URL)"


class ArchiveFailed(UpstreamFailed):
    """The archive is unreachable, refused our credentials or refused a store (502)."""


class ArchiveTimeout(UpstreamTimeout):
    """The archive did not answer in time (504)."""


def archive_error(exc: DicomWebError, missing: str = "") -> DomainError:
    """The domain error for an archive failure (``missing``: what a 404 of the archive means)."""
    if exc.kind == "timeout":
        return ArchiveTimeout(str(exc))
    if exc.kind == "not_found" and missing:
        return NotFound(missing)
    return ArchiveFailed(str(exc))


class Pacs:
    """One configured archive. Methods block (run them in a worker thread)."""

    def __init__(self, settings: Settings) -> None:
        assert settings.dicomweb_url
        password = settings.dicomweb_password.get_secret_value() if settings.dicomweb_password else None
        token = settings.dicomweb_token.get_secret_value() if settings.dicomweb_token else None
        self.url = settings.dicomweb_url
        self.client = open_archive(ArchiveConfig(
            url=settings.dicomweb_url, user=settings.dicomweb_user, password=password, token=token,
            connect_timeout_s=settings.dicomweb_connect_timeout_s, read_timeout_s=settings.dicomweb_timeout_s))

    def search_studies(self, filters: dict[str, str], limit: int, offset: int) -> list[dict[str, Any]]:
        try:
            with archive_errors("searching studies"):
                found = self.client.search_for_studies(
                    search_filters=filters, limit=limit, offset=offset,
                    fields=["StudyDate", "StudyTime", "StudyDescription", "AccessionNumber", "ModalitiesInStudy",
                            "NumberOfStudyRelatedSeries", "NumberOfStudyRelatedInstances"])
        except DicomWebError as exc:
            raise archive_error(exc) from None
        return [_study(item) for item in found]

    def list_series(self, study_uid: str) -> list[dict[str, Any]]:
        missing = f"the PACS has no study {study_uid}"
        try:
            with archive_errors("listing the study's series"):
                found = self.client.search_for_series(
                    study_uid, fields=["SeriesDescription", "SeriesNumber", "Modality", "ImageOrientationPatient",
                                       "NumberOfSeriesRelatedInstances", "BodyPartExamined"])
                series = [_series(item) for item in found]
                for entry, item in zip(series, found):
                    if not entry["orientation"] and "00200037" not in item:  # not a series attribute here
                        entry["orientation"] = self._first_orientation(study_uid, entry["series_uid"])
        except DicomWebError as exc:
            raise archive_error(exc, missing) from None
        if not series:
            raise NotFound(missing)
        return sorted(series, key=lambda s: (s["series_number"] is None, s["series_number"] or 0, s["series_uid"]))

    def _first_orientation(self, study_uid: str, series_uid: str) -> str:
        first = self.client.search_for_instances(study_uid, series_uid, fields=["ImageOrientationPatient"], limit=1)
        return orientation_hint(_value(first[0], "00200037", many=True)) if first else ""

    def import_series(self, state: AppState, study_uid: str, series_uid: str,
                      caller: Principal) -> tuple[str, dict[str, Any], bool]:
        """Retrieve a series and store it as ``caller``'s volume (the DICOM upload path); the same
        series again, by the same person, answers the volume already stored (someone else gets
        their own copy: a volume is seen by its owner). Returns ``(volume_id, meta, reused)``."""
        key = hashlib.sha256(f"{self.url}\n{study_uid}\n{series_uid}\n{caller.user_id}".encode()).hexdigest()
        record = state.store.paths.pacs_record(key)
        # One import of a series at a time on every API node (a database lock): the second waits
        # and answers the volume the first stored.
        with state.store.exclusive(f"pacs-import:{key}"):
            if record.is_file():
                volume_id = json.loads(record.read_text())["volume_id"]
                meta = state.store.get_volume(volume_id, caller.access)
                if meta is not None:
                    return volume_id, meta, True
            folder = state.store.tmp_path("-pacs")
            try:
                _retrieve_series(self.client, study_uid, series_uid, folder, max_bytes=state.settings.max_upload_bytes,
                                 max_voxels=state.settings.max_voxels)
            except DicomWebError as exc:
                shutil.rmtree(folder, ignore_errors=True)
                raise archive_error(exc, f"the PACS has no series {series_uid} in study {study_uid}") from None
            except BaseException:  # InvalidInputError (over the limits) answers 422 as any upload
                shutil.rmtree(folder, ignore_errors=True)
                raise
            volume_id, meta = ingest_dicom(folder, series_uid, state.store, state.settings,  # removes the folder
                                           Owned(caller.user_id))
            keep_within_budget(state, volume_id, meta)
            record.parent.mkdir(exist_ok=True)
            _write_atomic(record, json.dumps({"volume_id": volume_id}))
        logger.info("pacs: imported a series of %d instances as volume %s",
                    len(meta.get("dicom", {}).get("sop_instance_uids", [])), volume_id)
        return volume_id, meta, False

    def store(self, path: Path) -> dict[str, str]:
        try:
            return _store_file(self.client, path)
        except DicomWebError as exc:
            raise ArchiveFailed(str(exc)) from None


def _write_atomic(path: Path, text: str) -> None:
    tmp = path.with_suffix(".tmp")
    tmp.write_text(text)
    tmp.replace(path)


def _value(item: dict[str, Any], tag: str, many: bool = False) -> Any:
    values = (item.get(tag) or {}).get("Value") or []
    if many:
        return values
    return values[0] if values else None


def _text(item: dict[str, Any], tag: str) -> str:
    value = _value(item, tag)
    if isinstance(value, dict):  # a person name: {"Alphabetic": "Doe^Jane"}
        value = value.get("Alphabetic", "")
    return "" if value is None else str(value)


def _int(item: dict[str, Any], tag: str) -> int | None:
    try:
        value = _value(item, tag)
        return None if value is None else int(value)
    except (TypeError, ValueError):
        return None


def _study(item: dict[str, Any]) -> dict[str, Any]:
    return {"study_uid": _text(item, "0020000D"), "study_date": _text(item, "00080020"),
            "study_time": _text(item, "00080030"), "description": _text(item, "00081030"),
            "accession_number": _text(item, "00080050"),
            "modalities": [str(m) for m in _value(item, "00080061", many=True)],
            "series_count": _int(item, "00201206"), "instance_count": _int(item, "00201208"),
            "patient_name": _text(item, "00100010"), "patient_id": _text(item, "00100020")}


def _series(item: dict[str, Any]) -> dict[str, Any]:
    return {"series_uid": _text(item, "0020000E"), "modality": _text(item, "00080060"),
            "description": _text(item, "0008103E"), "series_number": _int(item, "00200011"),
            "instance_count": _int(item, "00201209"), "body_part": _text(item, "00180015"),
            "orientation": orientation_hint(_value(item, "00200037", many=True)) if "00200037" in item else ""}


def study_filters(patient_id: str | None, patient_name: str | None, accession: str | None,
                  study_date: str | None, modality: str | None) -> dict[str, str]:
    """QIDO-RS search keys. A name without a wildcard matches as a prefix (``doe`` finds ``Doe^Jane``)."""
    filters: dict[str, str] = {}
    if patient_id:
        filters["PatientID"] = patient_id
    if patient_name:
        filters["PatientName"] = patient_name if any(c in patient_name for c in "*?") else f"{patient_name}*"
    if accession:
        filters["AccessionNumber"] = accession
    if study_date:
        filters["StudyDate"] = study_date
    if modality:
        filters["ModalitiesInStudy"] = modality
    return filters

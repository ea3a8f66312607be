"""One export per case: the masks of several jobs of one volume (every run and edit the viewer
lists, in its order) as ONE file — the zip of NIfTI masks, the label map with its labels, a DICOM
SEG or an RT Structure Set (``POST /api/volumes/{id}/export``, served with the volumes router)."""

from __future__ import annotations

import io
import json
import zipfile
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path
from fastapi.responses import Response
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from backend.domain.context import AppState
from backend.domain.errors import BadInput, Conflict, NotFound
from backend.domain.jobs import finished_job
from backend.domain.masks import (
    DICOM_EXPORTS,
    color_of,
    dicom_export_options,
    itksnap_labels,
    labels,
    zip_entry_names,
)
from backend.http.audit import audited
from backend.http.deps import Caller, State, authenticated
from backend.http.errors import COMMON_ERRORS, error_responses, file_response
from backend.states import AuditAction
from voxtell.api import (
    combine_labels,
    read_volume,
    write_dicom_seg_from_files,
    write_mask,
    write_rtstruct_from_files,
)

router = APIRouter(prefix="/api/volumes", dependencies=[Depends(authenticated)],
                   responses=error_responses(*COMMON_ERRORS))

ExportFormat = Literal["zip", "labelmap", "labels-json", "labels-txt", "seg", "rtstruct"]
_MEDIA = {"zip": ("application/zip", "masks.zip"), "labelmap": ("application/gzip", "labels.nii.gz"),
          "labels-json": ("application/json", "labels.json"), "labels-txt": ("text/plain; charset=utf-8", "labels.txt"),
          "seg": ("application/dicom", "seg.dcm"), "rtstruct": ("application/dicom", "rtstruct.dcm")}


class MaskRef(BaseModel):
    """One mask of the case: a job of the volume and the index of one of its results."""
    job: str = Field(min_length=1, max_length=64)
    mask: int = Field(ge=0)


class CaseExport(BaseModel):
    """What to export: the format, and the masks in the order the file holds them (label value
    ``k + 1``, segment or ROI number ``k + 1`` = ``masks[k]``)."""
    format: ExportFormat
    masks: list[MaskRef] = Field(min_length=1, max_length=1000)


@router.post("/{volume_id}/export", response_class=Response, responses={
    **file_response("application/octet-stream", (
        "the masks as one file: masks.zip (<name>.nii.gz, labels.json, labels.txt), labels.nii.gz, "
        "labels.json, labels.txt, seg.dcm or rtstruct.dcm")),
    **error_responses(400, 404, 409, 422)})
@audited(AuditAction.EXPORT, "volume", id_param="volume_id")
async def export_case(state: State, caller: Caller, volume_id: Annotated[str, Path(max_length=64)],
                      body: CaseExport) -> Response:
    """Masks of several finished jobs of one volume as one file. 404 for a volume or job the caller
    may not see (as for one that does not exist), a job of another volume, or a mask the job does
    not have; 409 for an unfinished job, or SEG/RTSTRUCT of a volume not uploaded as DICOM."""
    content, headers = await run_in_threadpool(_export, state, caller, volume_id, body)
    media, filename = _MEDIA[body.format]
    return Response(content, media_type=media,
                    headers={**headers, "Content-Disposition": f'attachment; filename="{filename}"'})


def _export(state: AppState, caller: Caller, volume_id: str, body: CaseExport) -> tuple[bytes, dict[str, str]]:
    if state.store.get_volume(volume_id, caller.access) is None:
        raise NotFound("volume not found")
    selected = _resolve(state, caller, volume_id, body.masks)
    results = [r for _, r in selected]
    store = state.store
    files = [store.result_dir(job_id) / r["file"] for job_id, r in selected]
    if body.format == "labels-json":
        return json.dumps(_labels(selected), ensure_ascii=False).encode(), {}
    if body.format == "labels-txt":
        return itksnap_labels(results).encode(), {}
    if body.format == "zip":
        buffer = io.BytesIO()
        with state.edit_lock, zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as zf:
            for path, entry in zip(files, zip_entry_names(results)):
                zf.write(path, entry)
            zf.writestr("labels.json", json.dumps(_labels(selected), indent=1, ensure_ascii=False))
            zf.writestr("labels.txt", itksnap_labels(results))
        return buffer.getvalue(), {}
    staged = store.tmp_path(".nii.gz" if body.format == "labelmap" else ".dcm")
    try:
        if body.format == "labelmap":
            with state.edit_lock:
                masks = [read_volume(path) for path in files]
            write_mask(combine_labels([m.data for m in masks]), masks[0].geometry, staged)
            return staged.read_bytes(), {"X-VoxTell-Labels": json.dumps([r["name"] for r in results])}
        headers_dir = store.dicom_headers_dir(volume_id)
        if not headers_dir.is_dir():
            raise Conflict(f"{DICOM_EXPORTS[body.format][0]} export needs a volume uploaded as DICOM")
        writer = write_dicom_seg_from_files if body.format == "seg" else write_rtstruct_from_files
        with state.edit_lock:
            writer(files, [r["name"] for r in results], sorted(headers_dir.iterdir()), staged,
                   colors=[color_of(r) for r in results], **dicom_export_options(state, body.format, results))
        return staged.read_bytes(), {}
    finally:
        staged.unlink(missing_ok=True)


def _resolve(state: AppState, caller: Caller, volume_id: str,
             refs: list[MaskRef]) -> list[tuple[str, dict[str, Any]]]:
    """``(job id, result)`` per reference, in order; each job the caller's to see, finished, of
    this volume, holding that mask."""
    if len({(r.job, r.mask) for r in refs}) != len(refs):
        raise BadInput("masks names a mask twice")
    jobs = {}
    for job_id in dict.fromkeys(r.job for r in refs):
        job = finished_job(state.store, job_id, caller.access)  # 404: unknown or not the caller's to see
        if job.volume_id != volume_id:
            raise NotFound(f"job {job_id} is not of this volume")
        jobs[job_id] = {int(r["index"]): r for r in job.results}
    selected = []
    for ref in refs:
        result = jobs[ref.job].get(ref.mask)
        if result is None:
            raise NotFound(f"job {ref.job} has no mask {ref.mask}")
        selected.append((ref.job, result))
    return selected


def _labels(selected: list[tuple[str, dict[str, Any]]]) -> list[dict[str, object]]:
    """``labels.json`` of the export: as a job's, with the job each mask came from."""
    return [{**entry, "job": job_id} for entry, (job_id, _) in zip(labels([r for _, r in selected]), selected)]

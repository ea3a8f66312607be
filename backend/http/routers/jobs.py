"""Segmentation jobs: create, status, progress events, cancel, results, edited masks."""

from __future__ import annotations

import io
import json
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, Query, Request, UploadFile
from fastapi.responses import FileResponse, PlainTextResponse, Response, StreamingResponse
from starlette.concurrency import run_in_threadpool

from backend.domain.errors import BadInput, Conflict, NotFound
from backend.domain.eta import queued_eta, running_eta
from backend.domain.jobs import submit_job
from backend.domain.masks import (
    add_edited_mask,
    delete_mask,
    dicom_export,
    itksnap_labels,
    labelmap_path,
    labels,
    masks_zip,
    safe_download_name,
    selected_results,
    update_mask,
)
from backend.domain.palette import parse_color
from backend.domain.protocols import job_request, stored
from backend.http.admission import Admission, admits
from backend.http.audit import audited, note_object, note_prompts
from backend.http.deps import AppState, Caller, FinishedJob, JobById, JobWithMasks, State, authenticated
from backend.http.errors import COMMON_ERRORS, error_responses, file_response
from backend.http.schemas import JobCreate, JobStatus, MaskUpdate
from backend.http.streams import watch_job
from backend.states import TERMINAL, AuditAction
from backend.storage.store import Job

router = APIRouter(prefix="/api/jobs", dependencies=[Depends(authenticated)],
                   responses=error_responses(*COMMON_ERRORS))
_MISSING = error_responses(404)
_NOT_READY = error_responses(404, 409)  # unknown job; job not finished or no masks left
_SELECTION = {**_NOT_READY, **error_responses(422)}  # and a malformed ?masks=
Masks = Annotated[str | None, Query(max_length=4000, description=(
    "comma-separated mask indices, e.g. 0,2: only these, in this order (label-map value k + 1 = the k-th); "
    "absent: all"))]


def job_status(state: AppState, job: Job, queue: list[str] | None = None) -> JobStatus:
    """A job as the API shows it; ``queue`` is ``Store.fair_queue()`` when the caller has read it
    already (a list of jobs reads it once, not once per queued job)."""
    done, total, eta, position = job.done, job.total, None, None
    if job.status == "running":
        done, total = state.runner.progress(job)
        eta = running_eta(job, done, total)
    elif job.status == "queued":
        position = state.store.queue_position(job.id, queue)
        eta = queued_eta(state.store, position)
    # A job that ended before phases were kept (migration 0006) shows its status as its phase.
    phase = job.status if job.status in TERMINAL else job.phase
    return JobStatus(id=job.id, volume_id=job.volume_id, status=job.status,  # type: ignore[arg-type]
                     prompts=job.prompts, options=job.options, error_kind=job.error_kind, notices=job.notices,  # type: ignore[arg-type]
                     queue_position=position, done=done, total=total, eta_s=eta, error=job.error,
                     created=job.created, started=job.started, finished=job.finished,
                     results=job.results, phase=phase, phase_log=job.phase_log,  # type: ignore[arg-type]
                     owner=job.owner, project=job.project, protocol=job.options.get("protocol"))


@router.post("", status_code=201, responses=error_responses(400, 404, 429, 507))
@admits(Admission.ENQUEUE)
@audited(AuditAction.INFER, "job")
def create_job(state: State, caller: Caller, request: Request, body: JobCreate) -> JobStatus:
    prompts, options = body.prompts, body.options.model_dump()
    if body.protocol is not None:
        prompts, from_protocol = job_request(stored(state, body.protocol)[0])
        options.update(from_protocol)
    assert prompts is not None  # JobCreate has prompts or a protocol
    job = submit_job(state, body.volume_id, prompts, options, caller)
    note_object(request, "job", job.id)
    note_prompts(request, job.prompts)
    return job_status(state, job)


@router.get("", responses=error_responses(422))
@audited(AuditAction.VIEW, "job")
def list_jobs(state: State, caller: Caller,
              volume_id: Annotated[str | None, Query(max_length=64, description="only the jobs of this volume")] = None,
              limit: Annotated[int, Query(ge=1, le=500, description="at most this many, newest first")] = 100,
              ) -> list[JobStatus]:
    """The jobs the caller may see (their own and their projects'; everything for an
    administrator), newest first."""
    jobs = state.store.list_jobs(caller.access, volume_id, limit)
    queue = state.store.fair_queue() if any(job.status == "queued" for job in jobs) else []
    return [job_status(state, job, queue) for job in jobs]


@router.get("/{job_id}", responses=_MISSING)
@audited(AuditAction.VIEW, "job", id_param="job_id")
def get_job(state: State, job: JobById) -> JobStatus:
    return job_status(state, job)


@router.get("/{job_id}/events", response_class=StreamingResponse, responses={
    200: {"content": {"text/event-stream": {"schema": {"type": "string"}}},
          "description": "Server-Sent Events: one JobStatus JSON per change, until the job ends"}, **_MISSING})
@audited(AuditAction.VIEW, "job", id_param="job_id")
async def job_events(state: State, job: JobById) -> StreamingResponse:
    """Server-Sent Events: a JSON status on every change, until the job ends."""

    async def stream() -> AsyncIterator[str]:
        last = None
        async for current in watch_job(state, job.id):
            if current is None:
                yield "event: error\ndata: {\"detail\": \"job not found\"}\n\n"
                return
            payload = job_status(state, current).model_dump_json()
            if payload != last:
                last = payload
                yield f"data: {payload}\n\n"

    return StreamingResponse(stream(), media_type="text/event-stream",
                             headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})


@router.post("/{job_id}/cancel", responses=_NOT_READY)
@audited(AuditAction.EDIT, "job", id_param="job_id")
def cancel_job(state: State, job: JobById) -> JobStatus:
    if job.status in TERMINAL:
        raise Conflict(f"the job is already {job.status}")
    state.runner.cancel(job.id)
    return _current(state, job.id)


def _current(state: AppState, job_id: str) -> JobStatus:
    """The job's status as it is now (after a change); 404 if it went meanwhile."""
    job = state.store.get_job(job_id)
    if job is None:
        raise NotFound("job not found")
    return job_status(state, job)


@router.get("/{job_id}/masks/{index:int}.nii.gz", response_class=FileResponse,
            responses={**file_response("application/gzip", "one mask in the input's orientation"), **_NOT_READY})
@audited(AuditAction.DOWNLOAD, "job", id_param="job_id")
def download_mask(state: State, job: FinishedJob, index: int) -> FileResponse:
    entry = next((r for r in job.results if r["index"] == index), None)
    if entry is None:
        raise NotFound(f"job has no mask {index}")
    return FileResponse(state.store.result_dir(job.id) / entry["file"], media_type="application/gzip",
                        filename=f"{safe_download_name(entry['name'])}.nii.gz")


@router.delete("/{job_id}/masks/{index:int}", responses=_NOT_READY)
@audited(AuditAction.DELETE, "job", id_param="job_id")
def delete_result_mask(state: State, job: FinishedJob, index: int) -> JobStatus:
    """Delete one mask of a finished job; downloads, the label map and DICOM exports lose it too."""
    delete_mask(state, job, index)
    return _current(state, job.id)


@router.get("/{job_id}/masks.zip", response_class=StreamingResponse,
            responses={**file_response("application/zip", "the masks as <name>.nii.gz, labels.json, labels.txt"),
                       **_SELECTION})
@audited(AuditAction.DOWNLOAD, "job", id_param="job_id")
def download_all(state: State, job: FinishedJob, masks: Masks = None) -> StreamingResponse:
    return StreamingResponse(io.BytesIO(masks_zip(state.store, job, selected_results(job, masks))),
                             media_type="application/zip",
                             headers={"Content-Disposition": 'attachment; filename="masks.zip"'})


@router.get("/{job_id}/labelmap.nii.gz", response_class=FileResponse,
            responses={**file_response("application/gzip", "value k + 1 = the k-th mask exported"), **_SELECTION})
@audited(AuditAction.DOWNLOAD, "job", id_param="job_id")
def download_labelmap(state: State, job: JobWithMasks, masks: Masks = None) -> FileResponse:
    results = selected_results(job, masks)
    with state.edit_lock:
        path = labelmap_path(state.store, job.id, results)
    return FileResponse(path, media_type="application/gzip",
                        filename="labelmap.nii.gz", headers={"X-VoxTell-Labels": json.dumps([r["name"] for r in results])})


@router.get("/{job_id}/seg.dcm", response_class=FileResponse,
            responses={**file_response("application/dicom", "DICOM SEG"), **_SELECTION})
@audited(AuditAction.EXPORT, "job", id_param="job_id")
def download_dicom_seg(state: State, job: JobWithMasks, mask: Annotated[int | None, Query(ge=0)] = None,
                       masks: Masks = None) -> FileResponse:
    """All masks (or ``?mask=i``, or ``?masks=i,j``) as one DICOM SEG referencing the source series
    (DICOM uploads only)."""
    return FileResponse(dicom_export(state, job, "seg", mask, masks), media_type="application/dicom",
                        filename="segmentation.dcm")


@router.get("/{job_id}/rtstruct.dcm", response_class=FileResponse,
            responses={**file_response("application/dicom", "RT Structure Set"), **_SELECTION})
@audited(AuditAction.EXPORT, "job", id_param="job_id")
def download_rtstruct(state: State, job: JobWithMasks, mask: Annotated[int | None, Query(ge=0)] = None,
                      masks: Masks = None) -> FileResponse:
    """All masks (or ``?mask=i``, or ``?masks=i,j``) as one RT Structure Set on the source series
    (DICOM uploads only)."""
    return FileResponse(dicom_export(state, job, "rtstruct", mask, masks), media_type="application/dicom",
                        filename="rtstruct.dcm")


@router.get("/{job_id}/labels.json", responses=_SELECTION)
@audited(AuditAction.VIEW, "job", id_param="job_id")
def job_labels(job: FinishedJob, masks: Masks = None) -> list[dict[str, object]]:
    """``[{value, name, color, index, source}]`` of the label map with the same ``masks``."""
    return labels(selected_results(job, masks))


@router.get("/{job_id}/labels.txt", response_class=Response,  # errors stay documented as JSON
            responses={200: {"content": {"text/plain": {"schema": {"type": "string"}}},
                             "description": "ITK-SNAP label description file"}, **_SELECTION})
@audited(AuditAction.VIEW, "job", id_param="job_id")
def job_labels_itksnap(job: FinishedJob, masks: Masks = None) -> PlainTextResponse:
    """The ITK-SNAP label description file matching ``labelmap.nii.gz`` with the same ``masks``."""
    return PlainTextResponse(itksnap_labels(selected_results(job, masks)))


@router.post("/{job_id}/masks", status_code=201, responses={**_NOT_READY, **error_responses(400, 413, 507)})
@admits(Admission.UPLOAD)
@audited(AuditAction.EDIT, "job", id_param="job_id")
async def save_edited_mask(
    state: State, job: FinishedJob, file: Annotated[UploadFile, File()],
    name: Annotated[str, Form(max_length=200)] = "edited mask",
    color: Annotated[str | None, Form(max_length=40, description="'r,g,b' (0..255); default: the next palette colour")]
    = None,
) -> JobStatus:
    try:
        rgb = parse_color(color) if color is not None else None
    except ValueError as exc:
        raise BadInput(str(exc)) from None
    data = await file.read(state.settings.max_image_bytes + 1)
    if len(data) > state.settings.max_image_bytes:
        raise BadInput("the edited mask is too large")
    await run_in_threadpool(add_edited_mask, state, job, data, name.strip() or "edited mask", rgb)
    return _current(state, job.id)


@router.patch("/{job_id}/masks/{index:int}", responses={**_NOT_READY, **error_responses(422)})
@audited(AuditAction.EDIT, "job", id_param="job_id")
def update_result_mask(state: State, job: FinishedJob, index: int, body: MaskUpdate) -> JobStatus:
    """Rename and/or recolour mask ``index`` of a finished job; every export uses the new name
    and colour."""
    update_mask(state, job, index, body.name, body.color)
    return _current(state, job.id)

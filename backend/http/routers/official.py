"""The official ``voxtell-server`` protocol (spec §6.6), at the official paths, so napari-voxtell's
Remote mode and scripts written for the official server work against this server unchanged.

Each call maps onto ours: an image is a volume (``image_id`` = volume id, usable in the web app
and ``/api`` both ways), a job is an ordinary job (same queue and bound, durable, retention).
Arrays travel packed (``voxtell.io.packed``) in RAS-array order; every array step is a
``voxtell`` function. Status codes and ``detail`` texts are the official ones where it defines
them; anything else the client sent wrong is a 4xx with a ``detail``.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response, StreamingResponse
from starlette.concurrency import run_in_threadpool

from backend.domain.errors import BadInput, Conflict, NotFound
from backend.domain.ingest import ingest_staged
from backend.domain.jobs import job_outcome_error, submit_job
from backend.http.admission import Admission, admits
from backend.http.audit import audited, note_object, note_prompts
from backend.http.deps import AppState, Caller, State, authenticated, job_lookup
from backend.http.errors import COMMON_ERRORS, ErrorDetail, ProtocolError, error_responses
from backend.http.schemas import PROMPT_SCHEMA, JobOptions
from backend.http.streams import watch_job
from backend.states import TERMINAL, AuditAction, JobStatus
from backend.storage.store import Access, Job
from voxtell.api import (
    LoadedVolume,
    label_map_for_export,
    pack_array,
    read_volume,
    stack_ras_masks,
    unpack_array,
    write_mask,
)

META_HEADER = "X-Meta"
OCTET = "application/octet-stream"
UNKNOWN_IMAGE = "Unknown image_id (upload it first)."
UNKNOWN_JOB = "Unknown job_id."

router = APIRouter(tags=["official voxtell-server protocol"])
_PROTECTED: dict[str, Any] = {"dependencies": [Depends(authenticated)]}
OfficialJob = Annotated[Job, Depends(job_lookup(UNKNOWN_JOB))]


def _binary(description: str) -> dict[int | str, dict[str, Any]]:
    return {200: {"content": {OCTET: {"schema": {"type": "string", "format": "binary"}}},
                  "description": description}}


@router.get("/healthz")
async def healthz() -> dict[str, bool]:
    """Liveness, always open (as the official server)."""
    return {"ok": True}


@router.get("/capabilities", responses=error_responses(*COMMON_ERRORS), **_PROTECTED)
def capabilities(state: State) -> dict[str, Any]:
    """Model name, patch size and the embedding-bank prompts (``available_embeddings``)."""
    info = state.predictor.info()
    return {"model": str(info.get("model_name", "voxtell")), "patch_size": list(info.get("patch_size") or []),
            "available_embeddings": state.predictor.vocabulary(), "demo": bool(info.get("demo", False))}


@router.post("/images", response_class=Response, **_PROTECTED, responses={
    **_binary("the packed RAS array (float32, (A0, A1, A2)); empty with include_image=false. "
              "Header X-Meta: {image_id, spacing, shape} (RAS-array order)"),
    **error_responses(*COMMON_ERRORS, 409, 413, 507)},
    openapi_extra={"requestBody": {"required": True, "description": "the image file's bytes (.nii.gz; also .nii, "
                                   ".nrrd, .mha or a DICOM .zip)",
                                   "content": {OCTET: {"schema": {"type": "string", "format": "binary"}}}}})
@admits(Admission.UPLOAD)
@audited(AuditAction.UPLOAD, "volume")
async def upload_image(state: State, caller: Caller, request: Request, include_image: bool = True) -> Response:
    """Store the image as a volume of ours (the same id in ``/api/volumes``) and answer its RAS array."""
    if request.headers.get("content-type", "").startswith("multipart/"):
        raise BadInput("POST /images takes the image file's bytes as the request body, not a form "
                       "(form uploads go to POST /api/volumes)")
    staged = state.store.tmp_path()
    try:
        size = 0
        with staged.open("wb") as out:
            async for chunk in request.stream():
                out.write(chunk)
                size += len(chunk)
        if size == 0:
            raise BadInput("the request body is empty: send the image file's bytes (.nii.gz)")
        kept: list[LoadedVolume] = []

        def remember(volume_id: str, volume: LoadedVolume) -> None:  # its array is the answer
            kept.append(volume)
            state.runner.remember_volume(volume_id, volume)

        volume_id, _ = await run_in_threadpool(ingest_staged, state, staged, caller, remember)
        note_object(request, "volume", volume_id)
    finally:
        staged.unlink(missing_ok=True)  # moved into volumes/ when all went well
    volume = kept[0] if kept else await run_in_threadpool(_read_volume, state, volume_id, caller.access)
    meta = {"image_id": volume_id, "spacing": [float(s) for s in volume.geometry.spacing],
            "shape": [int(s) for s in volume.geometry.ras_shape]}
    body = await run_in_threadpool(pack_array, volume.data) if include_image else b""
    return Response(body, media_type=OCTET, headers={META_HEADER: json.dumps(meta)})


def _read_volume(state: AppState, volume_id: str, access: Access) -> LoadedVolume:
    path = state.store.volume_path(volume_id, access)
    if path is None:
        raise NotFound(UNKNOWN_IMAGE)
    return read_volume(path, confined=True)


_PROMPT_SCHEMA = PROMPT_SCHEMA


@router.post("/jobs", **_PROTECTED, responses=error_responses(*COMMON_ERRORS, 400, 404, 429),
             openapi_extra={"requestBody": {"required": True, "content": {"application/json": {"schema": {
                 "type": "object", "required": ["image_id", "prompts"],
                 "properties": {"image_id": {"type": "string"},
                                "prompts": {"anyOf": [_PROMPT_SCHEMA,
                                                      {"type": "array", "minItems": 1, "items": _PROMPT_SCHEMA}]},
                                "keep_largest": {"type": "boolean"}}}}}}})
@admits(Admission.ENQUEUE)
@audited(AuditAction.INFER, "job")
async def start_job(state: State, caller: Caller, request: Request) -> dict[str, str]:
    """``{image_id, prompts (a string or a list of non-empty strings), keep_largest}`` -> ``{job_id}``:
    an ordinary job of ours (``GET /api/jobs/{job_id}`` shows it)."""
    try:
        payload = json.loads(await request.body())
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise BadInput('the body must be JSON: {"image_id": ..., "prompts": [...], "keep_largest": false}') from None
    if not isinstance(payload, dict):
        raise BadInput('the body must be a JSON object: {"image_id": ..., "prompts": [...]}')
    image_id = payload.get("image_id")
    if not isinstance(image_id, str) or state.store.get_volume(image_id, caller.access) is None:
        raise NotFound(UNKNOWN_IMAGE)
    prompts = payload.get("prompts") or []
    if isinstance(prompts, str):
        prompts = [prompts]  # a single prompt, not a sequence of characters
    if not prompts:
        raise _bad_request("No prompts given.")
    if not isinstance(prompts, list) or not all(isinstance(p, str) and p.strip() for p in prompts):
        raise _bad_request("prompts must be a list of non-empty strings.")
    keep_largest = payload.get("keep_largest", False)
    if keep_largest is not None and not isinstance(keep_largest, bool):
        raise _bad_request("keep_largest must be true or false.")
    options = JobOptions(keep_largest_component=bool(keep_largest)).model_dump()
    job = await run_in_threadpool(submit_job, state, image_id, prompts, options, caller)
    note_object(request, "job", job.id)
    note_prompts(request, job.prompts)
    return {"job_id": job.id}


def _bad_request(detail: str) -> ProtocolError:
    return ProtocolError(detail, 400)


def _terminal(job: Job) -> dict[str, str]:
    if job.status == JobStatus.FAILED:
        return {"status": "error", "message": job.error or "Inference failed."}
    return {"status": job.status}


@router.get("/jobs/{job_id}/events", response_class=StreamingResponse, **_PROTECTED, responses={
    200: {"content": {"application/x-ndjson": {"schema": {"type": "string"}}},
          "description": 'NDJSON: {"done", "total"} per window, {"event": "oom_fallback", "message"}, then '
                         '{"status": "done" | "cancelled" | "error"[, "message"]}'},
    **error_responses(*COMMON_ERRORS, 404)})
@audited(AuditAction.VIEW, "job", id_param="job_id")
async def job_events(state: State, job: OfficialJob) -> StreamingResponse:
    """Progress of the job as NDJSON until its terminal status (a finished job: at once)."""

    async def stream() -> AsyncIterator[str]:
        sent_done, sent_notices = 0, 0
        async for current in watch_job(state, job.id):
            if current is None:  # deleted meanwhile (the volume was deleted in the web app)
                yield json.dumps({"status": "error", "message": "the job was deleted"}) + "\n"
                return
            for message in current.notices[sent_notices:]:
                sent_notices += 1
                yield json.dumps({"event": "oom_fallback", "message": message}) + "\n"
            done, total = current.done, current.total
            if current.status == JobStatus.RUNNING:
                done, total = state.runner.progress(current)
            if done < sent_done:  # re-run after a restart: counting starts again
                sent_done = 0
            lines = [json.dumps({"done": k, "total": total}) + "\n" for k in range(sent_done + 1, done + 1)]
            sent_done = max(sent_done, done)
            if lines:
                yield "".join(lines)
            if current.status in TERMINAL:
                yield json.dumps(_terminal(current)) + "\n"

    return StreamingResponse(stream(), media_type="application/x-ndjson",
                             headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"})


@router.get("/jobs/{job_id}/result", response_class=Response, **_PROTECTED, responses={
    **_binary("the masks, packed: (N, A0, A1, A2) uint8, prompt i in [i]"),
    **error_responses(*COMMON_ERRORS, 404, 409, 507),
    500: {"model": ErrorDetail, "description": "the job failed inside the server (as the official server)"}})
@audited(AuditAction.DOWNLOAD, "job", id_param="job_id")
async def job_result(state: State, job: OfficialJob) -> Response:
    """The job's masks in RAS-array order; 409 until it has finished."""
    if job.status == JobStatus.FAILED:
        raise job_outcome_error(job, failed=job.error or "Inference failed.")
    if job.status != JobStatus.DONE:
        raise Conflict(f"Job not finished (status={'running' if job.status == 'queued' else job.status}).")
    results = sorted((r for r in job.results if r.get("source") == "model"), key=lambda r: r["index"])
    if len(results) != len(job.prompts):
        raise Conflict("some of this job's masks were deleted (in the web app); its result is incomplete")
    paths = [state.store.result_dir(job.id) / r["file"] for r in results]
    body = await run_in_threadpool(lambda: pack_array(stack_ras_masks(paths)))
    return Response(body, media_type=OCTET)


@router.post("/jobs/{job_id}/cancel", **_PROTECTED, responses=error_responses(*COMMON_ERRORS, 404))
@audited(AuditAction.EDIT, "job", id_param="job_id")
def cancel_job(state: State, job: OfficialJob) -> dict[str, bool]:
    """Queued: never starts; running: stops at the next window (the stream then ends with
    ``cancelled``). ``cancelling`` is false when the job had already finished."""
    return {"cancelling": job.status not in TERMINAL and state.runner.cancel(job.id)}


@router.post("/images/{image_id}/export", response_class=Response, **_PROTECTED, responses={
    **_binary("the label map as .nii.gz in the image's original orientation and affine"),
    **error_responses(*COMMON_ERRORS, 404, 413)},
    openapi_extra={"requestBody": {"required": True, "description": "a packed (A0, A1, A2) integer label map",
                                   "content": {OCTET: {"schema": {"type": "string", "format": "binary"}}}}})
@audited(AuditAction.EXPORT, "volume", id_param="image_id")
async def export_labelmap(state: State, caller: Caller, request: Request, image_id: str) -> Response:
    """Write a label map (RAS-array order, the image's shape) back as the original file would be."""
    if state.store.volume_path(image_id, caller.access) is None:
        raise NotFound("Unknown image_id.")
    body = await request.body()
    labels = await run_in_threadpool(unpack_array, body, state.settings.max_image_bytes)
    content = await run_in_threadpool(_export, state, image_id, labels, caller.access)
    return Response(content, media_type=OCTET)


def _export(state: AppState, image_id: str, labels: Any, access: Access) -> bytes:
    volume = _read_volume(state, image_id, access)
    label_map = label_map_for_export(labels, volume.geometry.ras_shape)
    staged = state.store.tmp_path(".nii.gz")
    try:
        write_mask(label_map, volume.geometry, staged)
        return staged.read_bytes()
    finally:
        staged.unlink(missing_ok=True)


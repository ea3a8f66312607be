"""The official ``voxtell-server`` protocol (spec §6.6), at the official paths, so napari-voxtell's
Remote mode and scripts written for the official server work against this server unchanged.

Each call maps onto ours: an image is a volume (``image_id`` = volume id, usable in the web app
and ``/api`` both ways), a job is an ordinary job (same queue and bound, durable, retention).
Arrays travel packed (``voxtell.io.packed``) in RAS-array order; every array step is a
``voxtell`` function. Status codes and ``detail`` texts are the official ones where it defines
them; anything else the client sent wrong is a 4xx with a ``detail``.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from typing import Any

from fastapi import APIRouter, Depends, Request, UploadFile
from fastapi.responses import Response, StreamingResponse
from starlette.concurrency import run_in_threadpool

from backend.domain.ingest import ingest_volume
from backend.domain.ingest_dicom import looks_like_dicom_or_zip
from backend.domain.jobs import ingest_files, keep_within_budget, submit_job
from backend.http.deps import AppState, State, require_key
from backend.http.errors import (
    COMMON_ERRORS,
    DISK_FULL,
    BadInput,
    Conflict,
    DomainError,
    ErrorDetail,
    NotFound,
    error_responses,
)
from backend.http.schemas import JobOptions
from backend.storage.store import TERMINAL, Job
from voxtell.io import read_volume, write_mask
from voxtell.io.itk import sniff_itk_format
from voxtell.io.nifti import LoadedVolume
from voxtell.io.packed import label_map_for_export, pack_array, stack_ras_masks, unpack_array

META_HEADER = "X-Meta"
OCTET = "application/octet-stream"
UNKNOWN_IMAGE = "Unknown image_id (upload it first)."
UNKNOWN_JOB = "Unknown job_id."
_POLL_S = 0.1  # progress between two polls is reported window by window

router = APIRouter(tags=["official voxtell-server protocol"])
_PROTECTED: dict[str, Any] = {"dependencies": [Depends(require_key)]}


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
async def upload_image(state: State, request: Request, include_image: bool = True) -> Response:
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
        with staged.open("rb") as handle:
            head = handle.read(132)
        if looks_like_dicom_or_zip(head):
            with staged.open("rb") as handle:
                volume_id, _ = await ingest_files(state, [UploadFile(handle, filename="upload")], None)
            volume = await run_in_threadpool(_read_volume, state, volume_id)
        else:
            suffix = ".nii.gz" if head[:2] == b"\x1f\x8b" else (sniff_itk_format(head) or ".nii")
            named = staged.with_name(staged.name + suffix)
            staged.replace(named)
            staged = named
            volume_id, volume = await run_in_threadpool(_ingest, state, staged, suffix)
    finally:
        staged.unlink(missing_ok=True)  # moved into volumes/ when all went well
    meta = {"image_id": volume_id, "spacing": [float(s) for s in volume.geometry.spacing],
            "shape": [int(s) for s in volume.geometry.ras_shape]}
    body = await run_in_threadpool(pack_array, volume.data) if include_image else b""
    return Response(body, media_type=OCTET, headers={META_HEADER: json.dumps(meta)})


def _ingest(state: AppState, staged: Any, suffix: str) -> tuple[str, LoadedVolume]:
    """``ingest_volume`` keeping the volume read (its array is the answer), then the budget check."""
    kept: list[LoadedVolume] = []

    def remember(volume_id: str, volume: LoadedVolume) -> None:
        kept.append(volume)
        state.runner.remember_volume(volume_id, volume)

    volume_id, meta = ingest_volume(staged, suffix, state.store, state.settings, remember)
    keep_within_budget(state, volume_id, meta)
    return volume_id, kept[0]


def _read_volume(state: AppState, volume_id: str) -> LoadedVolume:
    path = state.store.volume_path(volume_id)
    if path is None:
        raise NotFound(UNKNOWN_IMAGE)
    return read_volume(path, confined=True)


_PROMPT_SCHEMA = {"type": "string", "minLength": 1, "maxLength": 500, "pattern": r"\S"}


@router.post("/jobs", **_PROTECTED, responses=error_responses(*COMMON_ERRORS, 400, 404, 429),
             openapi_extra={"requestBody": {"required": True, "content": {"application/json": {"schema": {
                 "type": "object", "required": ["image_id", "prompts"],
                 "properties": {"image_id": {"type": "string"},
                                "prompts": {"anyOf": [_PROMPT_SCHEMA,
                                                      {"type": "array", "minItems": 1, "items": _PROMPT_SCHEMA}]},
                                "keep_largest": {"type": "boolean"}}}}}}})
async def start_job(state: State, request: Request) -> dict[str, str]:
    """``{image_id, prompts (a string or a list of non-empty strings), keep_largest}`` -> ``{job_id}``:
    an ordinary job of ours (``GET /api/jobs/{job_id}`` shows it)."""
    try:
        payload = json.loads(await request.body())
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise BadInput('the body must be JSON: {"image_id": ..., "prompts": [...], "keep_largest": false}') from None
    if not isinstance(payload, dict):
        raise BadInput('the body must be a JSON object: {"image_id": ..., "prompts": [...]}')
    image_id = payload.get("image_id")
    if not isinstance(image_id, str) or state.store.get_volume(image_id) is None:
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
    job = await run_in_threadpool(submit_job, state, image_id, prompts, options)
    return {"job_id": job.id}


def _bad_request(detail: str) -> DomainError:
    error = DomainError(detail)
    error.status = 400
    return error


def _job(state: AppState, job_id: str) -> Job:
    job = state.store.get_job(job_id)
    if job is None:
        raise NotFound(UNKNOWN_JOB)
    return job


def _terminal(job: Job) -> dict[str, str]:
    if job.status == "failed":
        return {"status": "error", "message": job.error or "Inference failed."}
    return {"status": job.status}


@router.get("/jobs/{job_id}/events", response_class=StreamingResponse, **_PROTECTED, responses={
    200: {"content": {"application/x-ndjson": {"schema": {"type": "string"}}},
          "description": 'NDJSON: {"done", "total"} per window, {"event": "oom_fallback", "message"}, then '
                         '{"status": "done" | "cancelled" | "error"[, "message"]}'},
    **error_responses(*COMMON_ERRORS, 404)})
async def job_events(state: State, request: Request, job_id: str) -> StreamingResponse:
    """Progress of the job as NDJSON until its terminal status (a finished job: at once)."""
    _job(state, job_id)
    loop = asyncio.get_running_loop()
    ended = asyncio.Event()

    def wake(_: bool) -> None:
        with contextlib.suppress(RuntimeError):  # the loop is closed: the server is stopping
            loop.call_soon_threadsafe(ended.set)

    state.runner.when_settled(job_id, wake)

    async def stream() -> AsyncIterator[str]:
        sent_done, sent_notices = 0, 0
        while True:
            job = state.store.get_job(job_id)
            if job is None:  # deleted meanwhile (the volume was deleted in the web app)
                yield json.dumps({"status": "error", "message": "the job was deleted"}) + "\n"
                return
            for message in job.notices[sent_notices:]:
                sent_notices += 1
                yield json.dumps({"event": "oom_fallback", "message": message}) + "\n"
            done, total = job.done, job.total
            if job.status == "running":
                done, total = state.runner.progress(job)
            if done < sent_done:  # re-run after a restart: counting starts again
                sent_done = 0
            lines = [json.dumps({"done": k, "total": total}) + "\n" for k in range(sent_done + 1, done + 1)]
            sent_done = max(sent_done, done)
            if lines:
                yield "".join(lines)
            if job.status in TERMINAL:
                yield json.dumps(_terminal(job)) + "\n"
                return
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(ended.wait(), _POLL_S)

    return StreamingResponse(stream(), media_type="application/x-ndjson",
                             headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"})


_STATUS_BY_ERROR_KIND = {"invalid_input": 422, "timeout": 422, "disk_full": 507}


@router.get("/jobs/{job_id}/result", response_class=Response, **_PROTECTED, responses={
    **_binary("the masks, packed: (N, A0, A1, A2) uint8, prompt i in [i]"),
    **error_responses(*COMMON_ERRORS, 404, 409, 507),
    500: {"model": ErrorDetail, "description": "the job failed inside the server (as the official server)"}})
async def job_result(state: State, job_id: str) -> Response:
    """The job's masks in RAS-array order; 409 until it has finished."""
    job = _job(state, job_id)
    if job.status == "failed":
        error = DomainError(DISK_FULL if job.error_kind == "disk_full" else (job.error or "Inference failed."))
        error.status = _STATUS_BY_ERROR_KIND.get(job.error_kind or "", 500)
        raise error
    if job.status != "done":
        raise Conflict(f"Job not finished (status={'running' if job.status == 'queued' else job.status}).")
    results = sorted((r for r in job.results if r.get("source") == "model"), key=lambda r: r["index"])
    if len(results) != len(job.prompts):
        raise Conflict("some of this job's masks were deleted (in the web app); its result is incomplete")
    paths = [state.store.result_dir(job_id) / r["file"] for r in results]
    body = await run_in_threadpool(lambda: pack_array(stack_ras_masks(paths)))
    return Response(body, media_type=OCTET)


@router.post("/jobs/{job_id}/cancel", **_PROTECTED, responses=error_responses(*COMMON_ERRORS, 404))
def cancel_job(state: State, job_id: str) -> dict[str, bool]:
    """Queued: never starts; running: stops at the next window (the stream then ends with
    ``cancelled``). ``cancelling`` is false when the job had already finished."""
    job = _job(state, job_id)
    return {"cancelling": job.status not in TERMINAL and state.runner.cancel(job_id)}


@router.post("/images/{image_id}/export", response_class=Response, **_PROTECTED, responses={
    **_binary("the label map as .nii.gz in the image's original orientation and affine"),
    **error_responses(*COMMON_ERRORS, 404, 413)},
    openapi_extra={"requestBody": {"required": True, "description": "a packed (A0, A1, A2) integer label map",
                                   "content": {OCTET: {"schema": {"type": "string", "format": "binary"}}}}})
async def export_labelmap(state: State, request: Request, image_id: str) -> Response:
    """Write a label map (RAS-array order, the image's shape) back as the original file would be."""
    if state.store.volume_path(image_id) is None:
        raise NotFound("Unknown image_id.")
    body = await request.body()
    labels = await run_in_threadpool(unpack_array, body, state.settings.max_image_bytes)
    content = await run_in_threadpool(_export, state, image_id, labels)
    return Response(content, media_type=OCTET)


def _export(state: AppState, image_id: str, labels: Any) -> bytes:
    volume = _read_volume(state, image_id)
    label_map = label_map_for_export(labels, volume.geometry.ras_shape)
    staged = state.store.tmp_path(".nii.gz")
    try:
        write_mask(label_map, volume.geometry, staged)
        return staged.read_bytes()
    finally:
        staged.unlink(missing_ok=True)


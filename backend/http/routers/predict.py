"""``POST /predict``: the seed-compatible synchronous endpoint (curl-friendly)."""

from __future__ import annotations

import asyncio
import contextlib
import json
from pathlib import Path
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import FileResponse, Response
from starlette.background import BackgroundTask
from starlette.concurrency import run_in_threadpool

from backend.domain.errors import BadInput
from backend.domain.ingest import ingest_files
from backend.domain.jobs import check_prompts, job_outcome_error, submit_job
from backend.domain.masks import labelmap_path, safe_download_name
from backend.domain.protocols import job_request, stored
from backend.http.admission import Admission, admits
from backend.http.audit import audited, note_object, note_prompts
from backend.http.deps import AppState, Caller, State, authenticated
from backend.http.errors import COMMON_ERRORS, ErrorDetail, SeriesChoice, error_responses
from backend.http.schemas import JobOptions, Prompt
from backend.states import AuditAction, JobStatus

router = APIRouter(dependencies=[Depends(authenticated)], responses=error_responses(*COMMON_ERRORS))


@router.post("/predict", response_class=Response,
             responses={200: {"content": {"application/gzip": {"schema": {"type": "string", "format": "binary"}}},
                              "description": "mask or label map (.nii.gz)"},
                        **error_responses(400, 404, 413, 429, 507),
                        409: {"model": SeriesChoice,
                              "description": "several DICOM series (pick one), or the job was cancelled"},
                        500: {"model": ErrorDetail, "description": "the segmentation failed inside the server"}})
@admits(Admission.UPLOAD | Admission.ENQUEUE)
@audited(AuditAction.INFER, "job")
async def predict(state: State, caller: Caller, request: Request, image: Annotated[UploadFile, File(description=".nii, .nii.gz, .nrrd, .mha or a DICOM .zip")],
                  prompt: Annotated[list[Prompt] | None, Form(min_length=1, description="one or more prompts "
                                                                "(or a protocol)")] = None,
                  protocol: Annotated[str | None, Form(pattern=r"^[a-z0-9][a-z0-9-]{0,62}$",
                                                       description="a protocol's id instead of prompts: its "
                                                                   "structures' names label the answer")] = None,
                  keep_largest_component: Annotated[bool, Form()] = False,
                  fill_holes: Annotated[bool, Form()] = False,
                  series_uid: Annotated[str | None, Form(description="DICOM zip with several series")] = None,
                  ) -> Response:
    """One prompt -> its mask; several -> a label map (label i = prompt i, later prompts win).
    With ``protocol``: its structures' prompts, named by their structure names."""
    if (prompt is None) == (protocol is None):
        raise BadInput("give either prompt fields or a protocol (exactly one of them)")
    options = JobOptions(keep_largest_component=keep_largest_component, fill_holes=fill_holes).model_dump()
    if protocol is not None:  # before the upload is stored
        prompt, from_protocol = job_request(stored(state, protocol)[0])
        options.update(from_protocol)
        names = [s["name"] for s in from_protocol["structures"]]  # type: ignore[attr-defined]
    else:
        assert prompt is not None
        prompt = names = check_prompts(state.settings, prompt)
    volume_id, _ = await run_in_threadpool(ingest_files, state, [image.file], series_uid, caller)
    try:
        job = submit_job(state, volume_id, prompt, options, caller)
    except BaseException:  # refused (queue full, over budget): this request stores nothing
        state.runner.forget_volume(volume_id)
        await run_in_threadpool(state.store.delete_volume, volume_id)
        raise
    note_object(request, "job", job.id)
    note_prompts(request, job.prompts)
    headers = {"X-VoxTell-Job": job.id, "X-VoxTell-Labels": json.dumps(names),
               "Link": f'</api/jobs/{job.id}/labels.json>; rel="describedby"'}
    # One prompt: answer as soon as the mask file is written; the job's statistics follow once
    # the answer is sent (they would compete with sending it for the CPU and the GIL).
    try:
        response = await _answer(state, job.id, names, headers)
    except BaseException:
        state.runner.release(job.id)
        raise

    async def release() -> None:
        state.runner.release(job.id)

    response.background = BackgroundTask(release)
    return response


async def _answer(state: AppState, job_id: str, prompt: list[str], headers: dict[str, str]) -> Response:
    if not await _settled(state, job_id, masks_only=len(prompt) == 1):
        finished = state.store.get_job(job_id)
        assert finished is not None
        if finished.status != JobStatus.DONE:
            raise job_outcome_error(finished)
        if len(prompt) > 1:
            path = await run_in_threadpool(labelmap_path, state.store, job_id, finished.results)
            return await _download(path, "labelmap.nii.gz", headers)
    return await _download(state.store.result_dir(job_id) / "mask_0.nii.gz",
                           f"{safe_download_name(prompt[0])}.nii.gz", headers)


async def _settled(state: AppState, job_id: str, masks_only: bool) -> bool:
    """Wait for the job without holding a worker thread; True if it answered with its masks
    written while the job is still finishing (``masks_only``), False once it has ended."""
    loop = asyncio.get_running_loop()
    settled: asyncio.Future[bool] = loop.create_future()

    def resolve(masks_ready: bool) -> None:
        if not settled.done():  # the client may have gone away (the request is cancelled)
            settled.set_result(masks_ready)

    def wake(masks_ready: bool) -> None:
        with contextlib.suppress(RuntimeError):  # the server is shutting down; its loop is closed
            loop.call_soon_threadsafe(resolve, masks_ready)

    state.runner.when_settled(job_id, wake, masks_only)
    return await settled


_IN_MEMORY_BYTES = 4 << 20


async def _download(path: Path, filename: str, headers: dict[str, str]) -> Response:
    """The file as an attachment; a small one (a compressed mask usually is) is sent from memory,
    which saves the streaming machinery's thread hops (milliseconds per request)."""
    content = await run_in_threadpool(_small_file_bytes, path)
    if content is None:
        return FileResponse(path, media_type="application/gzip", filename=filename, headers=headers)
    quoted = quote(filename)
    disposition = (f'attachment; filename="{filename}"' if quoted == filename
                   else f"attachment; filename*=utf-8''{quoted}")
    return Response(content, media_type="application/gzip",
                    headers={**headers, "Content-Disposition": disposition})


def _small_file_bytes(path: Path) -> bytes | None:
    """The file's bytes if it is at most ``_IN_MEMORY_BYTES``, else None (sent streamed)."""
    return path.read_bytes() if path.stat().st_size <= _IN_MEMORY_BYTES else None

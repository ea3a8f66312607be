"""``POST /predict``: the seed-compatible synchronous endpoint (curl-friendly)."""

from __future__ import annotations

import json
from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, UploadFile
from fastapi.responses import FileResponse
from starlette.concurrency import run_in_threadpool

from backend.deps import State, require_key
from backend.dicom_uploads import ingest_dicom, looks_like_dicom_or_zip, stage_dicom
from backend.errors import BadInput, DomainError
from backend.routers.jobs import submit_job
from backend.runner import labelmap_path
from backend.schemas import JobCreate, JobOptions
from backend.services import safe_download_name
from backend.uploads import ingest_volume, stage_upload

router = APIRouter(dependencies=[Depends(require_key)])


@router.post("/predict", response_class=FileResponse,
             responses={200: {"content": {"application/gzip": {}}, "description": "mask or label map (.nii.gz)"}})
async def predict(state: State, image: Annotated[UploadFile, File(description=".nii, .nii.gz, .nrrd, .mha or a DICOM .zip")],
                  prompt: Annotated[list[str], Form(description="one or more prompts")],
                  keep_largest_component: Annotated[bool, Form()] = False,
                  fill_holes: Annotated[bool, Form()] = False,
                  series_uid: Annotated[str | None, Form(description="DICOM zip with several series")] = None,
                  ) -> FileResponse:
    """One prompt -> its mask; several -> a label map (label i = prompt i, later prompts win)."""
    if not prompt or any(not p.strip() for p in prompt):
        raise BadInput("give at least one non-empty prompt field")
    head = await image.read(132)
    await image.seek(0)
    if looks_like_dicom_or_zip(head):  # a DICOM series as a zip (or one DICOM file)
        folder = await stage_dicom([image], state.store)
        volume_id, _ = await run_in_threadpool(ingest_dicom, folder, series_uid, state.store, state.settings)
    else:
        staged, suffix = await stage_upload(image, state.store)
        volume_id, _ = await run_in_threadpool(ingest_volume, staged, suffix, state.store, state.settings,
                                               state.runner.remember_volume)
    body = JobCreate(volume_id=volume_id, prompts=prompt,
                     options=JobOptions(keep_largest_component=keep_largest_component, fill_holes=fill_holes))
    job = submit_job(state, body)
    await run_in_threadpool(state.runner.wait, job.id)
    finished = state.store.get_job(job.id)
    assert finished is not None
    if finished.status != "done":
        error = DomainError(f"segmentation {finished.status}: {finished.error or 'no result'}")
        error.status = 422 if finished.status == "failed" and finished.error and "internal" not in finished.error else 500
        raise error
    names = [r["name"] for r in finished.results]
    headers = {"X-VoxTell-Job": job.id, "X-VoxTell-Labels": json.dumps(names),
               "Link": f'</api/jobs/{job.id}/labels.json>; rel="describedby"'}
    if len(names) == 1:
        return FileResponse(state.store.result_dir(job.id) / "mask_0.nii.gz", media_type="application/gzip",
                            filename=f"{safe_download_name(names[0])}.nii.gz", headers=headers)
    return FileResponse(labelmap_path(state.store, job.id, finished.results), media_type="application/gzip",
                        filename="labelmap.nii.gz", headers=headers)

"""Uploaded volumes."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, Query, Request, UploadFile
from fastapi.responses import FileResponse
from starlette.concurrency import run_in_threadpool

from backend.domain.errors import NotFound
from backend.domain.ingest import ingest_files
from backend.http.admission import Admission, admits
from backend.http.audit import audited, note_object
from backend.http.deps import Caller, State, authenticated
from backend.http.errors import COMMON_ERRORS, SeriesChoice, error_responses, file_response
from backend.http.routers import case_exports
from backend.http.schemas import VolumeInfo
from backend.states import AuditAction

router = APIRouter(prefix="/api/volumes", dependencies=[Depends(authenticated)],
                   responses=error_responses(*COMMON_ERRORS))


@router.post("", status_code=201, responses={
    **error_responses(400, 404, 413, 507),  # 404: a project that is not the caller's
    409: {"model": SeriesChoice, "description": "several DICOM series: pick one (list in `series`)"}})
@admits(Admission.UPLOAD)
@audited(AuditAction.UPLOAD, "volume")
async def upload_volume(
    state: State,
    caller: Caller,
    request: Request,
    file: Annotated[list[UploadFile], File(min_length=1,
                                           description=".nii/.nii.gz/.nrrd/.mha, a DICOM .zip, or DICOM files")],
    series_uid: Annotated[str | None, Form(description="which DICOM series, when the upload holds several")] = None,
    project: Annotated[str | None, Form(max_length=64, description=(
        "a project id of yours: its members see the volume and its jobs too"))] = None,
    display_name: Annotated[str | None, Form(max_length=1000, description=(
        "NIfTI/NRRD/MHA: the file's name to show (header.file_name; its last path component, "
        "control characters removed, at most 200 characters; never used as a path)"))] = None,
) -> VolumeInfo:
    volume_id, meta = await run_in_threadpool(ingest_files, state, [f.file for f in file], series_uid, caller,
                                              project, display_name)
    note_object(request, "volume", volume_id)
    stored = await run_in_threadpool(state.store.get_volume, volume_id)  # with its owner, project and time
    return _info(stored or {**meta, "id": volume_id})


@router.get("", responses=error_responses(422))
@audited(AuditAction.VIEW, "volume")
def list_volumes(state: State, caller: Caller,
                 limit: Annotated[int, Query(ge=1, le=500, description="at most this many, newest first")] = 100,
                 ) -> list[VolumeInfo]:
    """The volumes the caller may see (their own and their projects'; everything for an
    administrator), newest first."""
    return [_info(meta) for meta in state.store.list_volumes(caller.access, limit)]


@router.get("/{volume_id}", responses=error_responses(404))
@audited(AuditAction.VIEW, "volume", id_param="volume_id")
def get_volume(state: State, caller: Caller, volume_id: str) -> VolumeInfo:
    meta = state.store.get_volume(volume_id, caller.access)
    if meta is None:
        raise NotFound("volume not found")
    return _info(meta)


def _info(meta: dict[str, Any]) -> VolumeInfo:
    """A stored volume's description (fields added later, e.g. ``modality``, default when absent)."""
    return VolumeInfo(**{k: meta[k] for k in VolumeInfo.model_fields if k in meta})


@router.get("/{volume_id}/image", response_class=FileResponse,
            responses={**file_response("application/gzip", "the stored upload"), **error_responses(404)})
@audited(AuditAction.DOWNLOAD, "volume", id_param="volume_id")
def get_volume_image(state: State, caller: Caller, volume_id: str) -> FileResponse:
    path = state.store.volume_path(volume_id, caller.access)
    if path is None:
        raise NotFound("volume not found")
    return FileResponse(path, media_type="application/gzip" if path.name.endswith(".gz") else "application/octet-stream",
                        filename=f"volume{''.join(path.suffixes)}")


@router.delete("/{volume_id}", status_code=204, responses=error_responses(404))
@audited(AuditAction.DELETE, "volume", id_param="volume_id")
def delete_volume(state: State, caller: Caller, volume_id: str) -> None:
    if not state.store.delete_volume(volume_id, caller.access):
        raise NotFound("volume not found")


# One export per case (masks of several jobs of a volume in one file): a router of its own under
# /api/volumes, served with these routes (its routes carry their full paths and dependencies).
router.routes.extend(case_exports.router.routes)

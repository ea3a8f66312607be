"""PACS: find studies in the configured DICOMweb archive, import a series as a volume, and send
a job's DICOM SEG / RTSTRUCT back (404 on every route when no archive is configured)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request, Response
from starlette.concurrency import run_in_threadpool

from backend.domain.errors import NotFound
from backend.domain.masks import dicom_export
from backend.http.admission import Admission, admits
from backend.http.audit import audited, note_object
from backend.http.deps import AppState, Caller, JobWithMasks, State, authenticated
from backend.http.errors import COMMON_ERRORS, ErrorDetail, error_responses
from backend.http.schemas import PacsImport, PacsSeries, PacsStore, PacsStored, PacsStudy, VolumeInfo
from backend.integrations.pacs import NO_PACS, Pacs, study_filters
from backend.states import AuditAction
from backend.storage.store import Job

_ARCHIVE: dict[int | str, dict[str, Any]] = {502: {"model": ErrorDetail, "description": "the PACS is unreachable, refused our credentials or the store"},
            504: {"model": ErrorDetail, "description": "the PACS did not answer in time"}}
router = APIRouter(prefix="/api", dependencies=[Depends(authenticated)],
                   responses={**error_responses(*COMMON_ERRORS, 404), **_ARCHIVE})

_UID = r"^[0-9]+(\.[0-9]+)*$"  # a DICOM UID: digits and dots only (nothing else reaches the archive's URLs)
Uid = Annotated[str, Path(min_length=1, max_length=64, pattern=_UID)]


def get_pacs(state: State) -> Pacs:
    if not state.settings.dicomweb_url:
        raise NotFound(NO_PACS)
    return Pacs(state.settings)


Archive = Annotated[Pacs, Depends(get_pacs)]


@router.get("/pacs/studies")
@audited(AuditAction.VIEW, "study")
async def search_studies(
    pacs: Archive,
    patient_id: Annotated[str | None, Query(max_length=64)] = None,
    patient_name: Annotated[str | None, Query(max_length=64, description="prefix match unless it has * or ?")] = None,
    accession: Annotated[str | None, Query(max_length=16)] = None,
    study_date: Annotated[str | None, Query(pattern=r"^(\d{8})?-?(\d{8})?$", description="YYYYMMDD or a range A-B")] = None,
    modality: Annotated[str | None, Query(pattern=r"^[A-Za-z]{1,16}$")] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> list[PacsStudy]:
    """QIDO-RS study search in the configured archive (patient name and id are returned, never logged)."""
    filters = study_filters(*(v.strip() if v else None for v in (patient_id, patient_name, accession, study_date,
                                                               modality.upper() if modality else None)))
    found = await run_in_threadpool(pacs.search_studies, filters, limit, offset)
    return [PacsStudy(**s) for s in found]


@router.get("/pacs/studies/{study_uid}/series")
@audited(AuditAction.VIEW, "study", id_param="study_uid")
async def list_series(pacs: Archive, study_uid: Uid) -> list[PacsSeries]:
    """The series of one study, with an orientation hint (404 when the archive has no such study)."""
    return [PacsSeries(**s) for s in await run_in_threadpool(pacs.list_series, study_uid)]


@router.post("/pacs/import", status_code=201, responses={
    200: {"model": VolumeInfo, "description": "the series was imported before: the stored volume"},
    **error_responses(409, 507)})
@admits(Admission.UPLOAD)
@audited(AuditAction.PACS_IMPORT, "volume")
async def import_series(state: State, caller: Caller, pacs: Archive, body: PacsImport, request: Request,
                        response: Response) -> VolumeInfo:
    """Retrieve a series (WADO-RS, within the upload limits) and store it as a volume, read and
    checked exactly as a DICOM upload, as the caller's. The same series again (by the same person)
    answers 200 with the stored volume."""
    volume_id, meta, reused = await run_in_threadpool(pacs.import_series, state, body.study_uid, body.series_uid,
                                                      caller)
    note_object(request, "volume", volume_id)
    if reused:
        response.status_code = 200
    return VolumeInfo(id=volume_id, **{k: meta[k] for k in VolumeInfo.model_fields if k != "id" and k in meta})


@router.post("/jobs/{job_id}/pacs", status_code=201, responses=error_responses(409))
@audited(AuditAction.PACS_STORE, "job", id_param="job_id")
async def store_result(state: State, pacs: Archive, job: JobWithMasks, body: PacsStore) -> PacsStored:
    """Build the job's DICOM SEG or RTSTRUCT exactly as the ``seg.dcm`` / ``rtstruct.dcm``
    downloads and store it in the archive (STOW-RS). Volumes that came from DICOM only (409)."""
    return await run_in_threadpool(_store, state, pacs, job, body)


def _store(state: AppState, pacs: Pacs, job: Job, body: PacsStore) -> PacsStored:
    import pydicom

    exported = dicom_export(state, job, body.format, body.mask)
    stored: dict[str, Any] = pacs.store(exported)
    header = pydicom.dcmread(exported, stop_before_pixels=True)
    return PacsStored(format=body.format, series_description=str(getattr(header, "SeriesDescription", "")), **stored)

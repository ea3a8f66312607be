"""Typed request and response bodies."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, Field, WithJsonSchema


def _check_prompt(text: str) -> str:
    if not text.strip():
        raise ValueError("non-empty prompt text is required (this one is blank)")
    if len(text) > 500:
        raise ValueError("a prompt is longer than 500 characters")
    return text


# A prompt: some visible text, at most 500 characters. The schema says so (clients and schema
# fuzzers see what is valid); the validator says it in words.
Prompt = Annotated[str, AfterValidator(_check_prompt),
                   WithJsonSchema({"type": "string", "minLength": 1, "maxLength": 500, "pattern": r"\S"})]


class JobOptions(BaseModel):
    keep_largest_component: bool = False
    fill_holes: bool = False
    tile_step_size: float | None = Field(default=None, gt=0, le=1)


class JobCreate(BaseModel):
    volume_id: str
    prompts: list[Prompt] = Field(min_length=1)
    options: JobOptions = Field(default_factory=JobOptions)


class MaskResult(BaseModel):
    index: int
    name: str
    source: Literal["model", "edited"]
    file: str
    voxels: int
    volume_ml: float
    bbox: list[list[int]] | None = Field(description="half-open [lo, hi) per RAS-array axis (S, A, R)")
    components: int
    mean: float | None
    sd: float | None


class JobStatus(BaseModel):
    id: str
    volume_id: str
    status: Literal["queued", "running", "done", "failed", "cancelled"]
    prompts: list[str]
    options: dict[str, Any]
    queue_position: int | None
    done: int
    total: int
    eta_s: float | None
    error: str | None
    notices: list[str] = Field(default_factory=list, description="the engine's notices, e.g. out-of-memory fallbacks")
    error_kind: Literal["invalid_input", "timeout", "disk_full", "interrupted", "internal"] | None = Field(
        default=None, description="why a failed job failed: the input, a server limit, or the server itself")
    created: float
    started: float | None
    finished: float | None
    results: list[MaskResult]


class VolumeInfo(BaseModel):
    id: str
    format: str = "nifti"
    shape: list[int]
    spacing: list[float]
    orientation: str
    dtype: str
    intensity_min: float
    intensity_max: float
    affine: list[list[float]]


class WorkerInfo(BaseModel):
    id: str
    host: str
    device: str
    gpu_name: str | None
    current_job: str | None
    started: float
    last_seen: float = Field(description="time of the last heartbeat (seconds since the epoch)")


class Info(BaseModel):
    model_name: str
    demo: bool
    device: str
    precision: str
    path: str
    patch_size: list[int]
    queue_length: int
    auth_required: bool
    pacs: bool = Field(default=False, description="a DICOMweb archive is configured (the /api/pacs routes)")
    demo_notice: str | None = Field(default=None, description="what to show while the demo model is loaded")
    mode: Literal["embedded", "distributed"] = "embedded"
    workers_online: int = Field(default=1, description="distributed: workers heartbeating; embedded: 1")


class PacsImport(BaseModel):
    study_uid: str = Field(min_length=1, max_length=64, pattern=r"^[0-9.]+$")
    series_uid: str = Field(min_length=1, max_length=64, pattern=r"^[0-9.]+$")


class PacsStore(BaseModel):
    format: Literal["seg", "rtstruct"]
    mask: int | None = Field(default=None, ge=0, description="one mask's index; all masks when absent")


class PacsStudy(BaseModel):
    study_uid: str
    study_date: str
    study_time: str
    description: str
    accession_number: str
    modalities: list[str]
    series_count: int | None
    instance_count: int | None
    patient_name: str
    patient_id: str


class PacsSeries(BaseModel):
    series_uid: str
    modality: str
    description: str
    series_number: int | None
    instance_count: int | None
    body_part: str
    orientation: Literal["axial", "coronal", "sagittal", "oblique", ""] = Field(
        description="from ImageOrientationPatient; empty when the archive does not say")


class PacsStored(BaseModel):
    format: Literal["seg", "rtstruct"]
    study_uid: str
    series_uid: str
    sop_instance_uid: str
    series_description: str

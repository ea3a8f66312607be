"""Typed request and response bodies."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    WithJsonSchema,
    model_validator,
)

from backend.domain.palette import mask_color
from backend.settings import DEFAULT_MAX_PROMPT_CHARS
from backend.states import AuthVia, Role, Scope


def _check_mask_name(text: str | None) -> str | None:
    if text is None:
        return None
    if not text.strip():
        raise ValueError("a mask name needs some visible text (this one is blank)")
    if len(text) > 200:
        raise ValueError("a mask name is longer than 200 characters")
    return text.strip()


def _check_prompt(text: str) -> str:
    if not text.strip():
        raise ValueError("non-empty prompt text is required (this one is blank)")
    return text


# A prompt: some visible text, at most VOXTELL_MAX_PROMPT_CHARS characters (checked with the
# server's setting by ``backend.domain.jobs.check_prompts``; the schema states the default, so
# clients and schema fuzzers see what is valid).
PROMPT_SCHEMA: dict[str, object] = {"type": "string", "minLength": 1, "maxLength": DEFAULT_MAX_PROMPT_CHARS,
                                    "pattern": r"\S"}
Prompt = Annotated[str, AfterValidator(_check_prompt), WithJsonSchema(PROMPT_SCHEMA)]


class JobOptions(BaseModel):
    keep_largest_component: bool = False
    fill_holes: bool = False
    tile_step_size: float | None = Field(default=None, gt=0, le=1)


ProtocolId = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]{0,62}$", description="a protocol's id, e.g. pelvis-rt")]


class JobCreate(BaseModel):
    volume_id: str
    prompts: list[Prompt] | None = Field(default=None, min_length=1,
                                         description="the text prompts; or give a protocol instead")
    protocol: ProtocolId | None = Field(
        default=None, description="run a protocol's structures instead of prompts: their names, colours and "
                                  "interpreted types go into the results and exports")
    options: JobOptions = Field(default_factory=JobOptions)

    @model_validator(mode="after")
    def _prompts_or_protocol(self) -> JobCreate:
        if (self.prompts is None) == (self.protocol is None):
            raise ValueError("give either prompts or a protocol (exactly one of them)")
        return self


Rgb = Annotated[list[Annotated[int, Field(ge=0, le=255)]], Field(min_length=3, max_length=3)]


def _not_a_bool(value: object) -> object:
    if isinstance(value, bool):  # JSON true/false is not a colour channel (lax ints would take it as 1/0)
        raise ValueError("a colour channel is a whole number 0..255, not true/false")
    return value


StrictRgb = Annotated[list[Annotated[int, Field(ge=0, le=255), BeforeValidator(_not_a_bool)]],
                      Field(min_length=3, max_length=3)]

PHASES = ("queued", "loading_text_model", "encoding_prompts", "segmenting", "writing_results", "done", "failed",
          "cancelled")
Phase = Literal["queued", "loading_text_model", "encoding_prompts", "segmenting", "writing_results", "done", "failed",
                "cancelled"]


class MaskReview(BaseModel):
    """An edited mask against the model's draft it was drawn from (backend/domain/review.py)."""

    draft: int = Field(description="index of the model's result the edit was drawn from")
    volume_ml_before: float
    volume_ml_after: float
    dice: float = Field(description="Dice overlap of draft and edit, 0..1")
    hd95_mm: float | None = Field(description="95th percentile symmetric surface distance (mm); null if one is empty")


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
    color: Rgb = Field(description="display colour [r, g, b] 0..255 (default: the server's palette by index)")
    centre_mm: list[float] | None = Field(
        default=None, description="world RAS mm (the volume file's affine) of the mask voxel nearest to its centroid")
    bbox_voxel: list[list[int]] | None = Field(
        default=None, description="half-open [lo, hi) per file voxel axis (the frame of VolumeInfo.shape)")
    interpreted_type: str | None = Field(
        default=None, description="RT ROI Interpreted Type from the job's protocol (RTSTRUCT exports; ORGAN if null)")
    review: MaskReview | None = Field(
        default=None, description="an edit of a model's mask: what the reviewer changed (absent otherwise)")

    @model_validator(mode="before")
    @classmethod
    def _palette_colour(cls, data: Any) -> Any:
        """Results stored before colours existed get the palette colour of their index."""
        if isinstance(data, dict) and data.get("color") is None and isinstance(data.get("index"), int):
            return {**data, "color": mask_color(data["index"])}
        return data


class MaskUpdate(BaseModel):
    """``PATCH /api/jobs/{id}/masks/{i}``: a new name, a new colour, or both."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"minProperties": 1})

    # Either may be left out (not sent as null: the schema says so, the validator then refuses).
    name: Annotated[str | None, AfterValidator(_check_mask_name), WithJsonSchema(
        {"type": "string", "minLength": 1, "maxLength": 200, "pattern": r"\S"})] = None
    color: Annotated[StrictRgb | None, WithJsonSchema(
        {"type": "array", "items": {"type": "integer", "minimum": 0, "maximum": 255},
         "minItems": 3, "maxItems": 3})] = None

    @model_validator(mode="after")
    def _something(self) -> MaskUpdate:
        if self.name is None and self.color is None:
            raise ValueError("give a name, a color or both")
        return self


class PhaseEntry(BaseModel):
    phase: Phase
    started: float = Field(description="seconds since the epoch")
    finished: float | None = Field(description="null while the phase lasts")


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
    phase: Phase = Field(default="queued", description="what the job is doing now, in plain words")
    phase_log: list[PhaseEntry] = Field(default_factory=list,
                                        description="every phase the job went through, in order (kept after it ends)")
    owner: str | None = Field(default=None, description="the user id of whoever submitted it")
    project: str | None = Field(default=None, description="its volume's project: the members see it too")
    protocol: str | None = Field(default=None, description="the protocol it ran, if it was given one")


class VolumeHeader(BaseModel):
    """What the upload said about whom and what it shows (patient data: never logged), for the
    viewer's banner and the case list. DICOM fields as parsed (dates ``YYYY-MM-DD``); a NIfTI, NRRD
    or MHA upload has only ``file_name``, the display name it was sent with (sanitised, never a path)."""
    patient_name: str | None = Field(default=None, description="DICOM PatientName as stored (PN, components split by ^)")
    patient_id: str | None = None
    patient_sex: str | None = None
    patient_birth_date: str | None = Field(default=None, description="YYYY-MM-DD")
    study_date: str | None = Field(default=None, description="YYYY-MM-DD")
    study_description: str | None = None
    series_description: str | None = None
    modality: str | None = None
    file_name: str | None = Field(default=None, description="NIfTI/NRRD/MHA: the name it was uploaded under")


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
    modality: str | None = Field(default=None, description="DICOM Modality, or \"CT\" for HU-like intensities")
    intensity_unit: str | None = Field(default=None, description="\"HU\" for CT, else null")
    created: float | None = Field(default=None, description="when it was stored (seconds since the epoch)")
    owner: str | None = Field(default=None, description="the user id of whoever stored it")
    project: str | None = Field(default=None, description="its project's id: the members see it too")
    header: VolumeHeader | None = Field(default=None, description="patient and study fields (patient data)")


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


class OidcSignIn(BaseModel):
    issuer: str
    client_id: str
    scope: str = "openid profile"
    resource: str | None = None


class SignIn(BaseModel):
    """How to sign in to this server (asked before signing in: no patient data, no secrets)."""

    required: bool = Field(description="false on a workstation: every request is the local user")
    api_tokens: bool = Field(description="an API key or personal token is accepted")
    oidc: OidcSignIn | None = Field(default=None, description="the hospital's OpenID Connect provider, if any")


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


# -- people: the signed-in person, users, tokens, projects, the audit trail -----------------------
class ProjectRef(BaseModel):
    id: str
    name: str


class Me(BaseModel):
    """Who is signed in (the web app shows it with a sign-out)."""

    id: str
    name: str
    role: Role
    via: AuthVia = Field(description="how this request signed in")
    scope: Scope
    projects: list[ProjectRef]
    sign_in_required: bool = Field(description="false on a workstation without VOXTELL_API_KEY")


class UserInfo(BaseModel):
    id: str
    name: str
    role: Role
    disabled: bool
    created: float
    max_queued: int | None = Field(description="the user's own limit of waiting jobs; null: the server's")
    max_daily_compute_s: float | None = Field(description="the user's own compute seconds per UTC day; null: the "
                                              "server's")


class UserCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9._@-]+$")
    role: Role = Role.USER


class UserUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"minProperties": 1})
    disabled: StrictBool | None = None
    max_queued: int | None = Field(default=None, ge=1, le=10_000)
    max_daily_compute_s: float | None = Field(default=None, gt=0, le=86_400 * 64)
    default_limit: StrictBool = Field(default=False, description="true: back to the server's limits (waiting jobs and "
                                "compute per day)")

    @model_validator(mode="after")
    def _something(self) -> UserUpdate:
        if not self.model_fields_set:
            raise ValueError("give disabled, max_queued, max_daily_compute_s or default_limit")
        return self


class TokenInfo(BaseModel):
    id: str
    user_id: str
    name: str
    scope: Scope
    created: float
    expires: float | None
    last_used: float | None
    revoked: float | None


class TokenCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(default="token", min_length=1, max_length=100)
    scope: Scope = Scope.FULL
    expires_days: float | None = Field(default=None, gt=0, le=3650, description="default: never")


class TokenCreated(TokenInfo):
    token: str = Field(description="vxt_<id>_<secret>: shown this once, only its hash is kept")


class ProjectInfo(BaseModel):
    id: str
    name: str
    members: list[str] = Field(description="user ids")


class ProjectCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=100)


class AuditEventInfo(BaseModel):
    seq: int
    at: float
    user_id: str | None
    via: str
    token_id: str | None
    action: str
    outcome: int
    object_type: str | None
    object_id: str | None
    source: str | None
    request_id: str | None
    detail: str | None = Field(default=None, description="an infer's prompts (JSON), only with VOXTELL_AUDIT_PROMPTS")
    hash: str


InterpretedType = Literal["EXTERNAL", "PTV", "CTV", "GTV", "AVOIDANCE", "ORGAN", "MARKER", "REGISTRATION", "ISOCENTER",
                          "CONTRAST_AGENT", "CAVITY", "BRACHY_CHANNEL", "BRACHY_ACCESSORY", "BRACHY_SRC_APP",
                          "BRACHY_CHNL_SHLD", "SUPPORT", "FIXATION", "DOSE_REGION", "CONTROL"]


class StructureSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")
    prompt: Annotated[str, Field(min_length=1, max_length=500, pattern=r"\S")] = Field(
        description="the text sent to the model")
    name: Annotated[str, Field(min_length=1, max_length=64, pattern=r"\S")] = Field(
        description="the structure name written in exports (TG-263: at most 16 characters, _L/_R suffixes)")
    color: StrictRgb
    interpreted_type: InterpretedType = "ORGAN"
    keep_largest_component: StrictBool = False
    fill_holes: StrictBool = False


class ProtocolBody(BaseModel):
    """A protocol as an administrator writes it (``PUT /api/protocols/{id}``; the id is the path's)."""
    model_config = ConfigDict(extra="forbid")
    name: Annotated[str, Field(min_length=1, max_length=120, pattern=r"\S")]
    description: Annotated[str, Field(max_length=2000)] = ""
    modality: Literal["CT", "MR", "PT", "NM", "US", "CR", "DX", "MG", "XA"] | None = None
    structures: list[StructureSpec] = Field(min_length=1, max_length=64)


class ProtocolInfo(ProtocolBody):
    id: str
    warnings: list[str] = Field(description="TG-263 naming advice (not enforced)")
    shipped: bool = Field(description="it came with VoxTell (an administrator may have edited it since)")
    updated: float
    updated_by: str | None


class DicomSendInfo(BaseModel):
    id: str
    destination: str
    format: Literal["rtstruct", "seg"]
    state: Literal["pending", "sent", "failed"]
    attempts: int
    next_at: float | None = Field(description="when the next try is due (pending)")
    last_error: str | None = Field(description="the peer's status or the network error of the last try")
    sent_at: float | None
    tries: int = Field(description="how many tries a send gets before it is failed (the server's dicom_send_retries)")


class DicomSeriesInfo(BaseModel):
    """A series the DICOM node received, as the worklist shows it (no patient fields: open the
    volume for its banner)."""
    id: str
    received: float
    calling_ae: str | None
    called_ae: str | None
    modality: str | None
    series_description: str | None
    instances: int
    rule: str | None
    protocol: str | None
    state: Literal["unmatched", "refused", "queued", "review", "sending", "done", "failed"]
    reason: str | None
    review: Literal["auto", "review"] | None
    volume_id: str | None
    job_id: str | None
    project: str | None
    approved_by: str | None
    sends: list[DicomSendInfo]


_NODE_NAME = r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$"
AeTitle = Annotated[str, Field(min_length=1, max_length=16, pattern=r"^[ -\[\]-~]*[!-\[\]-~][ -\[\]-~]*$",
                               description="1-16 printable ASCII characters, no backslash")]
NonNegativeRange = Annotated[list[Annotated[float, Field(ge=0), BeforeValidator(_not_a_bool)]],
                             Field(min_length=2, max_length=2, description="[min, max]")]
CountRange = Annotated[list[Annotated[int, Field(ge=0), BeforeValidator(_not_a_bool)]],
                       Field(min_length=2, max_length=2, description="[min, max]")]
ShortText = Annotated[str, Field(min_length=1, max_length=64, pattern=r"\S")]


class DicomDestination(BaseModel):
    """Where results go: a DICOM peer by C-STORE (optionally over TLS), or the configured DICOMweb
    archive by STOW-RS (``dicomweb: true``)."""
    model_config = ConfigDict(extra="forbid")
    name: Annotated[str, Field(pattern=_NODE_NAME)]
    ae_title: AeTitle | None = None
    host: Annotated[str, Field(min_length=1, max_length=255, pattern=r"^[A-Za-z0-9.:_-]+$")] | None = None
    port: Annotated[int, Field(ge=1, le=65535), BeforeValidator(_not_a_bool)] | None = None
    dicomweb: StrictBool = False
    tls: StrictBool = False
    ca_file: Annotated[str, Field(min_length=1, max_length=1024)] | None = None
    cert_file: Annotated[str, Field(min_length=1, max_length=1024)] | None = None
    key_file: Annotated[str, Field(min_length=1, max_length=1024)] | None = None


class DicomMatch(BaseModel):
    model_config = ConfigDict(extra="forbid")
    called_ae: AeTitle | None = None
    modality: Annotated[str, Field(min_length=1, max_length=16, pattern=r"\S")] | None = None
    body_part: ShortText | None = None
    series_description: Annotated[str, Field(min_length=1, max_length=200)] | None = Field(
        default=None, description="a regular expression, searched, case-insensitive")
    image_type: list[ShortText] = Field(default_factory=list, max_length=10)
    slice_thickness: NonNegativeRange | None = None
    orientation: Literal["axial", "coronal", "sagittal"] | None = None
    instances: CountRange | None = None


class DicomSend(BaseModel):
    model_config = ConfigDict(extra="forbid")
    destination: Annotated[str, Field(pattern=_NODE_NAME)]
    format: Literal["rtstruct", "seg"] = "rtstruct"


class DicomRule(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: Annotated[str, Field(pattern=_NODE_NAME)]
    match: DicomMatch = Field(default_factory=DicomMatch)
    protocol: ProtocolId
    send: list[DicomSend] = Field(default_factory=list, max_length=20)
    review: Literal["auto", "review"] = "auto"
    project: Annotated[str, Field(min_length=1, max_length=120, pattern=r"\S")] | None = None
    quiet_s: Annotated[float, Field(gt=0, le=3600), BeforeValidator(_not_a_bool)] | None = None


class DicomConfig(BaseModel):
    """The DICOM node's destinations and rules (first matching rule wins); see docs/dicom-node.md.
    What the schema cannot say (a rule naming a destination or protocol that does not exist, a name
    used twice, a C-STORE destination without its AE title, host and port) answers 409."""
    destinations: list[DicomDestination] = Field(default_factory=list, max_length=100)
    rules: list[DicomRule] = Field(default_factory=list, max_length=500)


class DicomNodeStatus(BaseModel):
    enabled: bool
    ae_title: str
    port: int | None

"""Server settings (environment variables with the ``VOXTELL_`` prefix)."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from backend.states import Mode

REPO_ROOT = Path(__file__).resolve().parents[1]
# The longest prompt by default; the OpenAPI document states it (VOXTELL_MAX_PROMPT_CHARS changes it).
DEFAULT_MAX_PROMPT_CHARS = 500


class Settings(BaseSettings):
    """All server configuration. ``VOXTELL_<NAME>`` sets each field."""

    model_config = SettingsConfigDict(env_prefix="VOXTELL_", extra="ignore", protected_namespaces=())

    host: str = "127.0.0.1"
    port: int = 8000
    model: str | None = Field(default=None, description="model folder; default: resolution order, then demo")
    device: str = "auto"
    data_dir: Path = Path("data")
    database_url: str | None = Field(default=None, description="default: SQLite in the data dir; "
                                     "postgresql://user:password@host/db for a shared job store")
    cache_dir: Path | None = None
    api_key: SecretStr | None = Field(default=None, description="the bootstrap bearer key: every route but "
                                      "the health checks needs it (required to bind beyond loopback)")
    cors_origins: list[str] = Field(default_factory=list)
    max_upload_bytes: int = 2 * 1024**3
    max_voxels: int = 1024 * 1024 * 1024
    max_image_bytes: int = 8 * 1024**3
    max_prompts: int = 32
    max_prompt_chars: int = Field(default=DEFAULT_MAX_PROMPT_CHARS, ge=1, description="the longest prompt (every route and protocol)")
    queue_size: int = 16
    max_daily_compute_s_per_user: float | None = Field(default=None, gt=0, description="compute seconds one "
                                                       "person's jobs may use per UTC day (default: no limit)")
    max_queued_per_user: int = Field(default=8, ge=1, description="jobs one person may have waiting (an "
                                     "administrator may set another limit per user; administrators have none)")
    # Sliding windows per job: 512x512x1000 at step 0.5 with the 192^3 patch needs 250.
    max_windows: int = Field(default=320, ge=1)
    job_timeout_s: float = Field(default=6 * 3600.0, gt=0, description="a running job longer than this fails")
    disk_reserve_bytes: int = Field(default=1024**3, ge=0, description="uploads are refused below this free space")
    retention_hours: float = 24.0
    tmp_max_age_s: float = 3600.0
    sweep_interval_s: float = 600.0
    # distributed mode (VOXTELL_BROKER_URL set): Celery workers behind a Redis broker
    broker_url: str | None = Field(default=None, description="redis://host:port/n: jobs go to `voxtell-web worker`s")
    worker_threads: int | None = Field(default=None, ge=1, description="CPU threads of each worker's "
                                       "network (default: every core); cores / workers when several CPU "
                                       "workers share one machine")
    max_attempts: int = Field(default=2, ge=1, description="a job whose worker is lost this often fails")
    heartbeat_s: float = Field(default=5.0, gt=0)
    worker_lost_after_s: float = Field(default=30.0, gt=0, description="no heartbeat for this long: worker gone")
    reconcile_interval_s: float = Field(default=5.0, gt=0)
    republish_after_s: float = Field(default=60.0, gt=0, description="a queued job is re-sent to the broker "
                                     "after this long (Redis may have lost it)")
    settle_poll_s: float = Field(default=1.0, gt=0, description="distributed: how often an API node reads the "
                                 "jobs its requests wait for when no announcement arrives")
    stream_fallback_s: float = Field(default=5.0, gt=0, description="a progress stream reads its job at least "
                                     "this often (embedded; distributed: settle_poll_s)")
    predict_hold_s: float = Field(default=2.0, ge=0, description="embedded: the longest a finished job's "
                                  "statistics wait for its /predict answer to be sent")
    # OpenID Connect (optional): bearer JWTs of the hospital's identity provider (Keycloak, Entra ID, ...)
    oidc_issuer: str | None = Field(default=None, description="the provider's issuer URL; its discovery document "
                                    "and keys are read from it; setting it makes sign-in required")
    oidc_audience: str = Field(default="voxtell-web", description="the audience (aud) tokens must be for")
    oidc_roles_claim: str = Field(default="realm_access.roles", description="dotted path of the roles list in a "
                                  "token (Keycloak: realm_access.roles; Entra ID: roles)")
    oidc_admin_role: str = "voxtell-admin"
    oidc_user_role: str = "voxtell-user"
    oidc_service_role: str = "voxtell-service"
    oidc_client_id: str = Field(default="voxtell-web", description="the web app's client id at the provider "
                                "(a public client: authorization code with PKCE)")
    oidc_resource: str | None = Field(default=None, description="a resource indicator (RFC 8707) the app asks "
                                      "tokens for, where the provider needs one")
    oidc_leeway_s: float = Field(default=30.0, ge=0, description="clock skew allowed on exp / iat")
    oidc_algorithms: list[str] = Field(default_factory=lambda: ["RS256", "PS256", "ES256"],
                                       description="signature algorithms accepted (never none or HS*)")
    audit_prompts: bool = Field(default=False, description="write the prompts of each job into its audit event "
                                "(off: a prompt can name a patient)")
    audit_retention_days: float = Field(default=6 * 365, gt=0, description="audit events are kept at least this "
                                        "long; `voxtell-web audit prune --archive FILE` removes older ones (after "
                                        "writing them to FILE); nothing removes them by itself")
    metrics_port: int | None = Field(default=None, ge=1, le=65535, description="also serve /metrics on "
                                     "127.0.0.1:<port> without sign-in (each API node and worker its own)")
    docs: bool = Field(default=True, description="serve /docs and /openapi.json (behind the key when one is set)")
    # The DICOM node (optional): a Storage SCP a scanner, PACS or planning system sends series to;
    # rules (in the database) pick a protocol and where the contours go back.
    dicom_port: int | None = Field(default=None, ge=0, le=65535, description="listen for DICOM (C-ECHO, C-STORE) "
                                   "on this port; unset: no DICOM node")
    dicom_host: str = Field(default="127.0.0.1", description="the DICOM node's bind address")
    dicom_ae_title: str = Field(default="VOXTELL", min_length=1, max_length=16, description="the node's AE title")
    dicom_allowed_callers: list[str] = Field(default_factory=list, description="who may send: calling AE titles, "
                                             "each optionally AE@address (empty: nobody unless dicom_allow_any)")
    dicom_allow_any: bool = Field(default=False, description="accept any calling AE title (closed networks only)")
    dicom_quiet_s: float = Field(default=30.0, gt=0, description="a series is complete after this long without "
                                 "a new instance (DIMSE has no end of series)")
    dicom_ceiling_s: float = Field(default=600.0, gt=0, description="a series still trickling in is complete this "
                                   "long after its first instance")
    dicom_high_water: float = Field(default=0.9, gt=0, le=1, description="refuse new associations above this "
                                    "fraction of the data dir's disk in use")
    dicom_service_user: str = Field(default="dicom-node", description="the service account that owns what the "
                                    "node receives and the jobs it starts")
    dicom_send_retries: int = Field(default=5, ge=1, le=20, description="tries per destination before a send is failed")
    dicom_send_backoff_s: float = Field(default=30.0, gt=0, description="the wait before the second try; it doubles "
                                        "each time (5 tries: 30 s + 1 + 2 + 4 min, about 15 min in all)")
    static_dir: Path | None = None
    test_hold_dir: Path | None = Field(default=None, description="TESTS ONLY: jobs pause before each window while "
                                       "<dir>/hold exists")
    # A DICOMweb archive (PACS): server configuration only, a client never names one.
    dicomweb_url: str | None = Field(default=None, description="DICOMweb root, e.g. http://orthanc:8042/dicom-web")
    dicomweb_user: str | None = None
    dicomweb_password: SecretStr | None = None
    dicomweb_token: SecretStr | None = Field(default=None, description="bearer token (instead of user/password)")
    dicomweb_connect_timeout_s: float = Field(default=5.0, gt=0)
    dicomweb_timeout_s: float = Field(default=60.0, gt=0, description="the longest wait for each answer of the archive")

    @property
    def mode(self) -> Mode:
        """Distributed when a broker is configured (``VOXTELL_BROKER_URL``), else embedded."""
        return Mode.DISTRIBUTED if self.broker_url else Mode.EMBEDDED

    @property
    def key(self) -> str | None:
        """The bootstrap key's text, or None when no key is set."""
        return self.api_key.get_secret_value() if self.api_key else None

    @property
    def sign_in_required(self) -> bool:
        """A key or an OpenID Connect provider is configured: no request is the implicit local user."""
        return self.key is not None or self.oidc_issuer is not None

    @model_validator(mode="after")
    def _distributed_needs_a_shared_database(self) -> Settings:
        if self.broker_url and not (self.database_url or "").startswith(("postgresql", "postgres:")):
            raise ValueError("distributed mode (VOXTELL_BROKER_URL) needs a shared PostgreSQL job database: set "
                             "VOXTELL_DATABASE_URL=postgresql://user:password@host/db (SQLite serves one node only)")
        return self

    def resolved_static_dir(self) -> Path | None:
        if self.static_dir is not None:
            return self.static_dir if self.static_dir.is_dir() else None
        default = REPO_ROOT / "frontend" / "dist"
        return default if default.is_dir() else None

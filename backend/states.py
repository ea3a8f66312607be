"""The words a job's life is told in: its status, why it failed, its phase, and the server's mode.

Shared vocabulary of every layer (a leaf module: it imports nothing of ``backend``). The values
are the strings the database rows, the HTTP answers and the web app have always used, so an
enum member compares equal to its string (``JobStatus.DONE == "done"``) and formats as it
(``f"{JobStatus.DONE}" == "done"``); the store writes ``.value`` and reads members back.
"""

from __future__ import annotations

from enum import Enum


class _Text(str, Enum):
    """A ``str`` enum that prints and formats as its value on every Python version."""

    def __str__(self) -> str:
        return str(self.value)

    def __format__(self, spec: str) -> str:
        return format(str(self.value), spec)

    def __hash__(self) -> int:  # as its string's: "done" in {JobStatus.DONE}
        return hash(str(self.value))


class JobStatus(_Text):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"
    CANCELLED = "cancelled"

    @property
    def terminal(self) -> bool:
        """Done, failed or cancelled: nothing will change the job's outcome any more."""
        return self in TERMINAL


TERMINAL = frozenset({JobStatus.DONE, JobStatus.FAILED, JobStatus.CANCELLED})
ACTIVE = frozenset({JobStatus.QUEUED, JobStatus.RUNNING})


class ErrorKind(_Text):
    """Why a failed job failed: the user's input, a server limit, or the server itself."""

    INVALID_INPUT = "invalid_input"  # the user's data (the message says what is wrong)
    TIMEOUT = "timeout"  # over VOXTELL_JOB_TIMEOUT_S
    DISK_FULL = "disk_full"  # the results could not be written
    INTERRUPTED = "interrupted"  # lost its worker too often, or the server restarted
    INTERNAL = "internal"  # a bug or the environment (details only in the log)


class Phase(_Text):
    """What a job is doing now, in plain words (kept in its row with a log of every phase)."""

    QUEUED = "queued"
    LOADING_TEXT_MODEL = "loading_text_model"
    ENCODING_PROMPTS = "encoding_prompts"
    SEGMENTING = "segmenting"
    WRITING_RESULTS = "writing_results"
    DONE = "done"
    FAILED = "failed"
    CANCELLED = "cancelled"


class Mode(_Text):
    """Embedded: one process holds the model and runs jobs in a thread (SQLite or PostgreSQL).
    Distributed: API nodes without the model, Celery workers with it, Redis and PostgreSQL."""

    EMBEDDED = "embedded"
    DISTRIBUTED = "distributed"


class Role(_Text):
    """What a person (or a script) may do. ``admin``: manage users and tokens, read the audit
    trail, see everything (each such access audited); ``user``: their own data; ``service``: a
    script or the DICOM node, as a user."""

    ADMIN = "admin"
    USER = "user"
    SERVICE = "service"


class Scope(_Text):
    """What a personal API token may do: ``read`` only GET requests, ``full`` everything its user may."""

    READ = "read"
    FULL = "full"


class AuthVia(_Text):
    """How a request was signed in (kept in each audit event)."""

    LOCAL = "local"  # no key configured: the one implicit local user of a workstation
    KEY = "key"  # VOXTELL_API_KEY: the bootstrap administrator
    TOKEN = "token"  # a personal API token
    OIDC = "oidc"  # a bearer JWT of the hospital's OpenID Connect provider (VOXTELL_OIDC_ISSUER)
    DICOM = "dicom"  # the DICOM node, on behalf of a peer admitted by its AE title and address
    NONE = "none"  # not signed in (a refused request)


class AuditAction(_Text):
    LOGIN = "login"
    DENIED = "denied"
    UPLOAD = "upload"
    VIEW = "view"
    INFER = "infer"
    DOWNLOAD = "download"
    EXPORT = "export"
    PACS_IMPORT = "pacs_import"
    PACS_STORE = "pacs_store"
    EDIT = "edit"
    DELETE = "delete"
    ADMIN = "admin"
    DICOM_RECEIVE = "dicom_receive"
    DICOM_SEND = "dicom_send"
    APPROVE = "approve"


class SeriesState(_Text):
    """A series the DICOM node received, on the worklist."""

    UNMATCHED = "unmatched"  # no rule matched: kept as a volume for the retention period, not processed
    REFUSED = "refused"  # could not become a volume (e.g. a geometry that cannot be read right); see reason
    QUEUED = "queued"  # its job is queued or running
    REVIEW = "review"  # its job is done; the drafts wait for a person's approval
    SENDING = "sending"  # results are being sent (see the sends)
    DONE = "done"  # every send arrived
    FAILED = "failed"  # the job failed, or a send failed for good (it can be re-sent by hand)


class Review(_Text):
    AUTO = "auto"  # send the drafts as soon as the job is done
    REVIEW = "review"  # hold them until someone approves (the approved, edited masks are sent)


class SendState(_Text):
    PENDING = "pending"  # waiting for its (next) try
    SENT = "sent"
    FAILED = "failed"  # every try failed; last_error says why; can be re-sent by hand

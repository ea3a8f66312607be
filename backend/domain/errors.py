"""What can go wrong on behalf of a user, in the domain's words (no HTTP here).

``backend.http.errors`` is the one place that turns each of these into an HTTP status; the
engine's ``voxtell.api.InvalidInputError`` (the user's data is wrong) is mapped there too.
"""

from __future__ import annotations

from backend.states import ErrorKind
from backend.storage.failures import is_disk_full

__all__ = ["DISK_FULL", "BadInput", "Conflict", "DomainError", "JobCancelled", "JobFailed", "NotFound", "QueueFull",
           "SeriesChoiceNeeded", "Unauthorized", "Forbidden", "UpstreamFailed", "UpstreamTimeout", "is_disk_full"]

DISK_FULL = "the server's disk is full; nothing was stored — retry once space has been freed"


class DomainError(Exception):
    """Base of every error a request can end with; ``detail`` is said to the client as it is."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class NotFound(DomainError):
    """No such object (or not one this caller may see)."""


class Conflict(DomainError):
    """The object is not in a state that allows this."""


class BadInput(DomainError):
    """The request or the data sent is invalid; the detail says why."""


class Unauthorized(DomainError):
    """No or wrong credentials."""


class Forbidden(DomainError):
    """Signed in, but not allowed to do this (e.g. a read-only token that tries to change something)."""


class QueueFull(DomainError):
    """No room for another job now; ``retry_after_s`` says when there likely is."""

    def __init__(self, detail: str, retry_after_s: int = 30) -> None:
        super().__init__(detail)
        self.retry_after_s = retry_after_s


class SeriesChoiceNeeded(DomainError):
    """Several DICOM series in one upload: the client must pick one (never picked silently)."""

    def __init__(self, series: list[dict[str, object]]) -> None:
        super().__init__(f"the upload holds {len(series)} DICOM series; send again with series_uid set to one of them")
        self.series = series


class JobCancelled(DomainError):
    """A job someone waits for was cancelled before it finished."""


class JobFailed(DomainError):
    """A job someone waits for ended without masks; ``kind`` says whose fault it was."""

    def __init__(self, detail: str, kind: ErrorKind | str | None) -> None:
        super().__init__(detail)
        self.kind = ErrorKind(kind) if kind in ErrorKind._value2member_map_ else ErrorKind.INTERNAL


class UpstreamFailed(DomainError):
    """An archive (PACS) is unreachable, refused our credentials or refused a store."""


class UpstreamTimeout(DomainError):
    """An archive (PACS) did not answer in time."""

"""The one place that maps errors to HTTP: domain errors, the engine's input errors, storage and
database failures, and the framework's own; plus the OpenAPI models of error answers.

Every error answers ``{"detail": "..."}`` (a 409 of an upload with several DICOM series adds
``series``). A failed job's kind maps to the same status on every protocol (``/predict``, the
official ``/jobs/{id}/result``): the user's input or a limit 422, a full disk 507, the server 500.
"""

from __future__ import annotations

import logging
import sqlite3
from typing import Any

import sqlalchemy.exc
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException

from backend.domain.errors import (
    DISK_FULL,
    BadInput,
    Conflict,
    DomainError,
    Forbidden,
    JobCancelled,
    JobFailed,
    NotFound,
    QueueFull,
    SeriesChoiceNeeded,
    Unauthorized,
    UpstreamFailed,
    UpstreamTimeout,
    is_disk_full,
)
from backend.states import ErrorKind
from backend.storage.failures import is_database_unavailable
from voxtell.api import InvalidInputError

logger = logging.getLogger("backend")
DATABASE_UNAVAILABLE = "the job database is unavailable for the moment; retry shortly"
DATABASE_RETRY_AFTER_S = 2

# Checked in order: the first class an error is an instance of decides its status.
_STATUS_BY_ERROR: tuple[tuple[type[DomainError], int], ...] = (
    (NotFound, 404), (SeriesChoiceNeeded, 409), (JobCancelled, 409), (Conflict, 409), (BadInput, 422),
    (QueueFull, 429), (Unauthorized, 401), (Forbidden, 403), (UpstreamFailed, 502), (UpstreamTimeout, 504),
)
_STATUS_BY_ERROR_KIND = {ErrorKind.INVALID_INPUT: 422, ErrorKind.TIMEOUT: 422, ErrorKind.DISK_FULL: 507}


class ProtocolError(DomainError):
    """An answer whose status a protocol fixes itself (the official server's 400s)."""

    def __init__(self, detail: str, status: int) -> None:
        super().__init__(detail)
        self.status = status


def status_of(exc: DomainError) -> int:
    """The HTTP status of a domain error (400 for one no rule names)."""
    if isinstance(exc, ProtocolError):
        return exc.status
    if isinstance(exc, JobFailed):
        return _STATUS_BY_ERROR_KIND.get(exc.kind, 500)
    return next((status for cls, status in _STATUS_BY_ERROR if isinstance(exc, cls)), 400)


class ErrorDetail(BaseModel):
    """Every error answer: ``{"detail": "what went wrong, in words"}``."""

    detail: str


_DESCRIPTIONS = {
    400: "malformed request body (e.g. invalid multipart data)",
    401: "missing or wrong credentials (API key or personal token)",
    403: "signed in, but not allowed to do this",
    404: "no such resource",
    409: "the resource is not in a state that allows this",
    413: "request body over the size limit",
    422: "the request or the uploaded data is invalid (the detail says why)",
    429: "the job queue is full (see Retry-After)",
    503: "the job database is unavailable for the moment",
    507: "the server's disk is full",
}


def error_responses(*codes: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` for the error statuses an operation can answer."""
    return {code: {"model": ErrorDetail, "description": _DESCRIPTIONS[code]} for code in codes}


class SeriesChoice(BaseModel):
    """409 of an upload with several DICOM series: pick one and send again with ``series_uid``."""

    detail: str
    series: list[dict[str, Any]]


def file_response(media_type: str, description: str) -> dict[int | str, dict[str, Any]]:
    """OpenAPI for a 200 that is a file download."""
    return {200: {"content": {media_type: {"schema": {"type": "string", "format": "binary"}}},
                  "description": description}}


# What every protected route may answer, whatever it does (400: a body that cannot be parsed).
COMMON_ERRORS = (400, 401, 403, 422, 503)


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(DomainError)
    async def _domain(_: Request, exc: DomainError) -> JSONResponse:
        headers = {"Retry-After": str(exc.retry_after_s)} if isinstance(exc, QueueFull) else None
        if isinstance(exc, Unauthorized):
            headers = {"WWW-Authenticate": "Bearer"}
        detail = DISK_FULL if isinstance(exc, JobFailed) and exc.kind == ErrorKind.DISK_FULL else exc.detail
        body: dict[str, object] = {"detail": detail}
        if isinstance(exc, SeriesChoiceNeeded):
            body["series"] = exc.series
        return JSONResponse(body, status_code=status_of(exc), headers=headers)

    @app.exception_handler(InvalidInputError)
    async def _invalid(_: Request, exc: Exception) -> JSONResponse:
        return JSONResponse({"detail": str(exc)}, status_code=422)

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError) -> JSONResponse:
        parts = []
        for err in exc.errors():
            where = ".".join(str(p) for p in err.get("loc", ()) if p != "body")
            message = str(err.get("msg")).removeprefix("Value error, ")
            parts.append(f"{where}: {message}" if where else message)
        return JSONResponse({"detail": "; ".join(parts) or "invalid request"}, status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        # Body parsing wraps every error (a full disk while spooling an upload included) in a 400.
        if is_disk_full(exc):
            return JSONResponse({"detail": DISK_FULL}, status_code=507)
        headers = exc.headers
        if exc.status_code == 405:
            # Starlette names only the first route that matched the path; several routes (GET and
            # DELETE on one resource) share a path, so list the methods of all of them.
            allowed = _allowed_methods(request)
            headers = {**(headers or {}), "Allow": ", ".join(allowed)}
        return JSONResponse({"detail": str(exc.detail)}, status_code=exc.status_code, headers=headers)

    @app.exception_handler(OSError)
    @app.exception_handler(sqlite3.Error)
    @app.exception_handler(sqlalchemy.exc.SQLAlchemyError)
    async def _storage(request: Request, exc: Exception) -> JSONResponse:
        if is_disk_full(exc):
            logger.warning("disk full on %s %s", request.method, request.url.path)
            return JSONResponse({"detail": DISK_FULL}, status_code=507)
        if is_database_unavailable(exc):
            logger.warning("job database unavailable on %s %s", request.method, request.url.path)
            return JSONResponse({"detail": DATABASE_UNAVAILABLE}, status_code=503,
                                headers={"Retry-After": str(DATABASE_RETRY_AFTER_S)})
        return _internal(request, exc)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        return _internal(request, exc)


def _allowed_methods(request: Request) -> list[str]:
    """The documented methods of every route whose path matches this request's."""
    from starlette.routing import Match, Route

    from backend.http.admission import flat_routes

    methods: set[str] = set()
    for route in flat_routes(request.app.routes):
        if isinstance(route, Route) and route.include_in_schema and route.methods:
            match, _ = route.matches({**request.scope, "method": "\0"})
            if match != Match.NONE:
                methods |= route.methods - {"HEAD"}
    return sorted(methods)


def _internal(request: Request, exc: BaseException) -> JSONResponse:
    logger.error("unexpected error on %s %s", request.method, request.url.path, exc_info=exc)
    return JSONResponse({"detail": "internal server error"}, status_code=500)

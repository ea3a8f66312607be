"""Domain errors and the one place that maps them to HTTP responses."""

from __future__ import annotations

import errno
import logging
import sqlite3
from typing import Any

import sqlalchemy.exc
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException

from voxtell.errors import InvalidInputError

logger = logging.getLogger("backend")


class DomainError(Exception):
    status = 400

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class NotFound(DomainError):
    status = 404


class Conflict(DomainError):
    status = 409


class BadInput(DomainError):
    status = 422


class QueueFull(DomainError):
    status = 429

    def __init__(self, detail: str, retry_after_s: int = 30) -> None:
        super().__init__(detail)
        self.retry_after_s = retry_after_s


DISK_FULL = "the server's disk is full; nothing was stored — retry once space has been freed"


class Unauthorized(DomainError):
    status = 401


class SeriesChoiceNeeded(DomainError):
    """Several DICOM series in one upload: the client must pick one (never picked silently)."""

    status = 409

    def __init__(self, series: list[dict[str, object]]) -> None:
        super().__init__(f"the upload holds {len(series)} DICOM series; send again with series_uid set to one of them")
        self.series = series


class ErrorDetail(BaseModel):
    """Every error answer: ``{"detail": "what went wrong, in words"}``."""

    detail: str


_DESCRIPTIONS = {
    400: "malformed request body (e.g. invalid multipart data)",
    401: "missing or wrong API key",
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
COMMON_ERRORS = (400, 401, 422, 503)


def is_disk_full(exc: BaseException | None) -> bool:
    """An ``OSError`` (or SQLite error) that says the disk or quota is full, anywhere in the chain."""
    while exc is not None:
        if isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT):
            return True
        if isinstance(exc, sqlite3.OperationalError) and "full" in str(exc):
            return True
        exc = exc.__cause__ or exc.__context__
    return False


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(DomainError)
    async def _domain(_: Request, exc: DomainError) -> JSONResponse:
        headers = {"Retry-After": str(exc.retry_after_s)} if isinstance(exc, QueueFull) else None
        if isinstance(exc, Unauthorized):
            headers = {"WWW-Authenticate": "Bearer"}
        body: dict[str, object] = {"detail": exc.detail}
        if isinstance(exc, SeriesChoiceNeeded):
            body["series"] = exc.series
        return JSONResponse(body, status_code=exc.status, headers=headers)

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
        if isinstance(exc, (sqlite3.OperationalError, sqlalchemy.exc.OperationalError)):
            # locked, or the database server is down or unreachable: the request may be retried
            logger.warning("job database unavailable on %s %s", request.method, request.url.path)
            return JSONResponse({"detail": "the job database is unavailable for the moment; retry shortly"},
                                status_code=503, headers={"Retry-After": "2"})
        return _internal(request, exc)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        return _internal(request, exc)


def _allowed_methods(request: Request) -> list[str]:
    """The documented methods of every route whose path matches this request's."""
    from starlette.routing import Match, Route

    methods: set[str] = set()
    for route in request.app.routes:
        if isinstance(route, Route) and route.include_in_schema and route.methods:
            match, _ = route.matches({**request.scope, "method": "\0"})
            if match != Match.NONE:
                methods |= route.methods - {"HEAD"}
    return sorted(methods)


def _internal(request: Request, exc: BaseException) -> JSONResponse:
    logger.error("unexpected error on %s %s", request.method, request.url.path, exc_info=exc)
    return JSONResponse({"detail": "internal server error"}, status_code=500)

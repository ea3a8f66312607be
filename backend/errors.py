"""Domain errors and the one place that maps them to HTTP responses."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from voxtell.inference.exceptions import InvalidInputError
from voxtell.io.validation import InvalidImageError

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


class TooLarge(DomainError):
    status = 413


class Unauthorized(DomainError):
    status = 401


class SeriesChoiceNeeded(DomainError):
    """Several DICOM series in one upload: the client must pick one (never picked silently)."""

    status = 409

    def __init__(self, series: list[dict[str, object]]) -> None:
        super().__init__(f"the upload holds {len(series)} DICOM series; send again with series_uid set to one of them")
        self.series = series


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(DomainError)
    async def _domain(_: Request, exc: DomainError) -> JSONResponse:
        headers = {"Retry-After": "30"} if isinstance(exc, QueueFull) else None
        if isinstance(exc, Unauthorized):
            headers = {"WWW-Authenticate": "Bearer"}
        body: dict[str, object] = {"detail": exc.detail}
        if isinstance(exc, SeriesChoiceNeeded):
            body["series"] = exc.series
        return JSONResponse(body, status_code=exc.status, headers=headers)

    @app.exception_handler(InvalidImageError)
    @app.exception_handler(InvalidInputError)
    async def _invalid(_: Request, exc: Exception) -> JSONResponse:
        return JSONResponse({"detail": str(exc)}, status_code=422)

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError) -> JSONResponse:
        parts = []
        for err in exc.errors():
            where = ".".join(str(p) for p in err.get("loc", ()) if p != "body")
            parts.append(f"{where}: {err.get('msg')}" if where else str(err.get("msg")))
        return JSONResponse({"detail": "; ".join(parts) or "invalid request"}, status_code=422)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        logger.exception("unexpected error on %s %s", request.method, request.url.path)
        return JSONResponse({"detail": "internal server error"}, status_code=500)

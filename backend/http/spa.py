"""The built web app at ``/`` with a single-page-app fallback (``frontend/dist``)."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import FileResponse

from backend.domain.errors import NotFound

# Paths the API and the official protocol own: never answered with the web app's page.
_API_PATHS = ("api/", "predict", "docs", "openapi.json")
_OFFICIAL_ROOTS = {"healthz", "capabilities", "images", "jobs"}


def mount_web_app(app: FastAPI, static: Path | None) -> None:
    if static is None:
        return
    root = static.resolve()

    @app.get("/{path:path}", include_in_schema=False)
    def spa(path: str) -> FileResponse:
        if path.startswith(_API_PATHS) or path.split("/")[0] in _OFFICIAL_ROOTS:
            raise NotFound("not found")
        candidate = (root / path).resolve()
        if path and candidate.is_file() and candidate.is_relative_to(root):
            return FileResponse(candidate)
        return FileResponse(root / "index.html")

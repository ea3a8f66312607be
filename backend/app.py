"""``create_app(settings)``: the FastAPI application factory."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import FileResponse

from backend.domain.jobs import RetentionSweeper
from backend.http.deps import AppState
from backend.http.errors import NotFound, install_error_handlers
from backend.http.middleware import AdmissionMiddleware, BodyLimitMiddleware, ResponseHeadersMiddleware
from backend.http.routers import jobs, official, pacs, predict, system, volumes
from backend.jobs.embedded import JobRunner
from backend.jobs.execute import JobQueue, Predictor
from backend.settings import Settings
from backend.storage.store import Store

logger = logging.getLogger("backend")
PredictorFactory = Callable[[Settings], Predictor]


def default_predictor(settings: Settings) -> Predictor:
    """The real model if one resolves, else the demo model (said in the log)."""
    from voxtell.demo import DEMO_NOTICE
    from voxtell.inference.predictor import VoxTellPredictor
    from voxtell.resolve import find_demo_or_real_model, voxtell_home

    model_dir, is_demo = find_demo_or_real_model(settings.model)
    device = None if settings.device == "auto" else settings.device
    predictor = VoxTellPredictor(model_dir, device=device, cache_dir=settings.cache_dir or voxtell_home() / "cache")
    if predictor.is_demo or is_demo:
        logger.warning(DEMO_NOTICE)
    return predictor


def create_app(settings: Settings | None = None, predictor_factory: PredictorFactory | None = None) -> FastAPI:
    settings = settings or Settings()
    factory = predictor_factory or default_predictor

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        store = Store(settings.data_dir, settings.database_url)
        runner: JobQueue
        if settings.broker_url:  # distributed: workers hold the model, this node only its metadata
            from backend.domain.model import catalog_for
            from backend.jobs.distributed.queue import DistributedQueue

            predictor: Predictor = predictor_factory(settings) if predictor_factory else catalog_for(settings)
            runner = DistributedQueue(store, settings)
        else:
            predictor = factory(settings)
            runner = JobRunner(store, predictor, job_timeout_s=settings.job_timeout_s)
        state = AppState(settings=settings, store=store, predictor=predictor, runner=runner)
        app.state.voxtell = state
        sweeper = RetentionSweeper(state)
        if not settings.broker_url:  # embedded: nothing is being uploaded yet, all of tmp/ is left over
            sweeper.sweep_tmp(max_age_s=0)
        runner.start()
        sweeper.start()
        logger.info("ready: %s", {k: v for k, v in predictor.info().items() if k != "model_dir"})
        try:
            yield
        finally:
            sweeper.stop()
            runner.stop()
            store.close()

    docs = settings.docs
    app = FastAPI(title="VoxTell Web", version="0.1.0", lifespan=lifespan,
                  description="Free-text promptable 3D medical image segmentation. Every error answers "
                              '`{"detail": "..."}`.',
                  docs_url="/docs" if docs else None, redoc_url=None, openapi_url="/openapi.json" if docs else None)
    install_error_handlers(app)
    app.include_router(system.router)
    app.include_router(volumes.router)
    app.include_router(jobs.router)
    app.include_router(predict.router)
    app.include_router(pacs.router)  # a DICOMweb archive, when one is configured
    app.include_router(official.router)  # the official voxtell-server protocol (napari-voxtell)

    # Added innermost first: headers, then CORS (so early answers carry it), admission, body limit.
    app.add_middleware(BodyLimitMiddleware, limit=settings.max_upload_bytes)
    app.add_middleware(AdmissionMiddleware)
    if settings.cors_origins:
        app.add_middleware(CORSMiddleware, allow_origins=settings.cors_origins, allow_credentials=False,
                           allow_methods=["GET", "POST", "DELETE"], allow_headers=["Authorization", "Content-Type"])
    app.add_middleware(ResponseHeadersMiddleware)
    _mount_frontend(app, settings.resolved_static_dir())
    return app


_OFFICIAL_ROOTS = {"healthz", "capabilities", "images", "jobs"}  # the official protocol's paths


def _mount_frontend(app: FastAPI, static: Path | None) -> None:
    """Serve the built web app at ``/`` with a single-page-app fallback."""
    if static is None:
        return
    root = static.resolve()

    @app.get("/{path:path}", include_in_schema=False)
    def spa(path: str) -> FileResponse:
        if path.startswith(("api/", "predict", "docs", "openapi.json")) or path.split("/")[0] in _OFFICIAL_ROOTS:
            raise NotFound("not found")
        candidate = (root / path).resolve()
        if path and candidate.is_file() and candidate.is_relative_to(root):
            return FileResponse(candidate)
        return FileResponse(root / "index.html")

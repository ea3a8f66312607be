"""``create_app(settings)``: the composition root. It builds the node from its parts — the store,
the model (embedded) or only its metadata (distributed), the job queue, the retention sweep — and
attaches the HTTP surface (``backend.http``). The only module that imports ``backend.http``.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

from backend.domain.context import AppState
from backend.domain.metrics import registry_of, serve_on_loopback
from backend.domain.model import ModelInfo, Predictor, catalog_for, default_predictor
from backend.domain.ports import JobQueue
from backend.domain.protocols import seed_shipped
from backend.http.errors import install_error_handlers
from backend.http.middleware import AdmissionMiddleware, BodyLimitMiddleware, ResponseHeadersMiddleware
from backend.http.routers import (
    admin,
    dicom,
    jobs,
    me,
    metrics,
    official,
    pacs,
    predict,
    protocols,
    system,
    volumes,
)
from backend.http.spa import mount_web_app
from backend.integrations.oidc import OidcVerifier
from backend.jobs.embedded import JobRunner
from backend.jobs.rendezvous import Rendezvous
from backend.settings import Settings
from backend.states import Mode
from backend.storage.retention import RetentionSweeper
from backend.storage.store import Store

logger = logging.getLogger("backend")
PredictorFactory = Callable[[Settings], Predictor]
__all__ = ["PredictorFactory", "create_app", "default_predictor"]


def create_app(settings: Settings | None = None, predictor_factory: PredictorFactory | None = None) -> FastAPI:
    settings = settings or Settings()
    factory = predictor_factory or default_predictor

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        store = Store(settings.data_dir, settings.database_url)
        runner: JobQueue
        if settings.mode == Mode.DISTRIBUTED:  # workers hold the model, this node only its metadata
            from backend.jobs.distributed.queue import DistributedQueue  # Celery and Redis: this mode only

            predictor: Predictor = predictor_factory(settings) if predictor_factory else catalog_for(settings)
            runner = DistributedQueue(store, settings)
        else:
            predictor = factory(settings)
            runner = JobRunner(store, predictor, job_timeout_s=settings.job_timeout_s,
                               rendezvous=Rendezvous(settings.predict_hold_s), fallback_s=settings.stream_fallback_s)
        state = AppState(settings=settings, store=store, predictor=predictor, runner=runner,
                         oidc=OidcVerifier(settings) if settings.oidc_issuer else None)
        app.state.voxtell = state
        seed_shipped(state)
        sweeper = RetentionSweeper(store, settings)
        if settings.mode == Mode.EMBEDDED:  # nothing is being uploaded yet: all of tmp/ is left over
            sweeper.sweep_tmp(max_age_s=0)
        runner.start()
        sweeper.start()
        dicom_node = None
        if settings.dicom_port is not None:  # the DICOM node (one per deployment: one API node sets the port)
            from backend.integrations.dicom_node.routing import NodeService

            dicom_node = NodeService(state)
            dicom_node.start()
            app.state.dicom_node = dicom_node
        stop_metrics = serve_on_loopback(settings.metrics_port, registry_of(state)) if settings.metrics_port else None
        logger.info("ready: %s", ModelInfo.of(predictor).public())
        try:
            yield
        finally:
            if stop_metrics is not None:
                stop_metrics()
            if dicom_node is not None:
                dicom_node.stop()
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
    app.include_router(protocols.router)
    app.include_router(dicom.router)
    app.include_router(predict.router)
    app.include_router(pacs.router)  # a DICOMweb archive, when one is configured
    app.include_router(official.router)  # the official voxtell-server protocol (napari-voxtell)
    app.include_router(metrics.router)  # GET /metrics (Prometheus), administrators only
    app.include_router(me.router)  # the signed-in person and their tokens
    app.include_router(admin.router)  # users, tokens, projects, the audit trail: administrators only

    # Added innermost first: headers, then CORS (so early answers carry it), admission, body limit.
    app.add_middleware(BodyLimitMiddleware, limit=settings.max_upload_bytes)
    app.add_middleware(AdmissionMiddleware)
    if settings.cors_origins:
        app.add_middleware(CORSMiddleware, allow_origins=settings.cors_origins, allow_credentials=False,
                           allow_methods=["GET", "POST", "DELETE"], allow_headers=["Authorization", "Content-Type"])
    app.add_middleware(ResponseHeadersMiddleware)
    mount_web_app(app, settings.resolved_static_dir())
    return app




def serve_dicom_node(settings: Settings) -> int:
    """``voxtell-web dicom-node``: the DICOM node as a process of its own, beside the API nodes
    and workers of the distributed mode (its jobs go to the workers like any other). Embedded
    mode runs the node inside ``voxtell-web serve`` (``VOXTELL_DICOM_PORT``) instead. Runs until
    SIGTERM or Ctrl+C."""
    import signal
    import sys
    import threading

    from backend.integrations.dicom_node.routing import NodeService

    if settings.mode != Mode.DISTRIBUTED:
        sys.stderr.write("voxtell-web: error: in embedded mode the DICOM node runs inside `voxtell-web serve`: "
                         "set VOXTELL_DICOM_PORT there (dicom-node is for the distributed mode)\n")
        return 2
    if settings.dicom_port is None:
        sys.stderr.write("voxtell-web: error: set VOXTELL_DICOM_PORT (and VOXTELL_DICOM_ALLOWED_CALLERS)\n")
        return 2
    from backend.jobs.distributed.queue import DistributedQueue

    store = Store(settings.data_dir, settings.database_url)
    runner = DistributedQueue(store, settings)
    state = AppState(settings=settings, store=store, predictor=catalog_for(settings), runner=runner)
    seed_shipped(state)
    runner.start()
    node = NodeService(state)
    node.start()
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    try:
        stop.wait()
    finally:
        node.stop()
        runner.stop()
        store.close()
    return 0

"""``create_app(settings)``: the FastAPI application factory."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import FileResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from backend.deps import AppState
from backend.errors import NotFound, install_error_handlers
from backend.routers import jobs, predict, system, volumes
from backend.runner import JobRunner, Predictor
from backend.services import RetentionSweeper
from backend.settings import Settings
from backend.store import Store
from backend.uploads import BodyLimitMiddleware

logger = logging.getLogger("backend")
PredictorFactory = Callable[[Settings], Predictor]


def default_predictor(settings: Settings) -> Predictor:
    """The real model if one resolves, else the demo model (said in the log)."""
    from voxtell.inference.predictor import VoxTellPredictor
    from voxtell.resolve import find_demo_or_real_model, voxtell_home

    model_dir, is_demo = find_demo_or_real_model(settings.model)
    device = None if settings.device == "auto" else settings.device
    predictor = VoxTellPredictor(model_dir, device=device, cache_dir=settings.cache_dir or voxtell_home() / "cache")
    if predictor.is_demo or is_demo:
        logger.warning("DEMO MODEL — random weights, masks are meaningless")
    return predictor


def create_app(settings: Settings | None = None, predictor_factory: PredictorFactory | None = None) -> FastAPI:
    settings = settings or Settings()
    factory = predictor_factory or default_predictor

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        store = Store(settings.data_dir)
        predictor = factory(settings)
        runner = JobRunner(store, predictor)
        state = AppState(settings=settings, store=store, predictor=predictor, runner=runner)
        app.state.voxtell = state
        sweeper = RetentionSweeper(state)
        runner.start()
        sweeper.start()
        logger.info("ready: %s", {k: v for k, v in predictor.info().items() if k != "model_dir"})
        try:
            yield
        finally:
            sweeper.stop()
            runner.stop()
            store.close()

    app = FastAPI(title="VoxTell Web", version="0.1.0", lifespan=lifespan,
                  description="Free-text promptable 3D medical image segmentation.")
    install_error_handlers(app)
    app.include_router(system.router)
    app.include_router(volumes.router)
    app.include_router(jobs.router)
    app.include_router(predict.router)

    if settings.cors_origins:
        app.add_middleware(CORSMiddleware, allow_origins=settings.cors_origins, allow_credentials=False,
                           allow_methods=["GET", "POST", "DELETE"], allow_headers=["Authorization", "Content-Type"])
    app.add_middleware(DemoHeaderMiddleware)
    app.add_middleware(BodyLimitMiddleware, limit=settings.max_upload_bytes)
    _mount_frontend(app, settings.resolved_static_dir())
    return app


class DemoHeaderMiddleware:
    """``X-VoxTell-Demo: 1`` on every HTTP response while the demo model is loaded.

    A plain ASGI middleware: Starlette's ``BaseHTTPMiddleware`` re-streams every request and
    response body through extra tasks, which cost milliseconds on each upload."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        state = getattr(scope["app"].state, "voxtell", None) if "app" in scope else None
        if state is None or not getattr(state.predictor, "is_demo", False):
            await self.app(scope, receive, send)
            return

        async def send_with_header(message: Message) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", []), (b"x-voxtell-demo", b"1")]}
            await send(message)

        await self.app(scope, receive, send_with_header)


def _mount_frontend(app: FastAPI, static: Path | None) -> None:
    """Serve the built web app at ``/`` with a single-page-app fallback."""
    if static is None:
        return
    root = static.resolve()

    @app.get("/{path:path}", include_in_schema=False)
    def spa(path: str) -> FileResponse:
        if path.startswith(("api/", "predict", "docs", "openapi.json")):
            raise NotFound("not found")
        candidate = (root / path).resolve()
        if path and candidate.is_file() and candidate.is_relative_to(root):
            return FileResponse(candidate)
        return FileResponse(root / "index.html")

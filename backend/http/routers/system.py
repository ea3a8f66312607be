"""Health, readiness, model info and prompt suggestions."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query
from starlette.concurrency import run_in_threadpool

from backend.domain.model import ModelInfo
from backend.http.deps import State, authenticated
from backend.http.errors import COMMON_ERRORS, error_responses
from backend.http.schemas import Info, OidcSignIn, SignIn, WorkerInfo
from backend.states import Mode
from voxtell.api import DEMO_NOTICE

router = APIRouter(prefix="/api")


@router.get("/health")
async def health() -> dict[str, bool]:
    """Liveness: answered on the event loop itself (no worker thread, no lock, no database,
    no model), so it stays fast while uploads are parsed and jobs submitted."""
    return {"ok": True}


@router.get("/sign-in")
async def sign_in_options(state: State) -> SignIn:
    """How to sign in (open: the web app asks before anyone has signed in): whether sign-in is
    required, and the OpenID Connect provider's issuer and the app's client id, if one is set."""
    settings = state.settings
    oidc = OidcSignIn(issuer=settings.oidc_issuer, client_id=settings.oidc_client_id,
                      resource=settings.oidc_resource) if settings.oidc_issuer else None
    return SignIn(required=settings.sign_in_required, api_tokens=True, oidc=oidc)


_PROTECTED = {"dependencies": [Depends(authenticated)], "responses": error_responses(*COMMON_ERRORS)}


@router.get("/ready", **_PROTECTED)  # type: ignore[arg-type]
async def ready(state: State) -> dict[str, bool]:
    """Readiness: embedded, the model is loaded and the runner takes jobs (no database access);
    distributed, at least one worker heartbeats."""
    if state.settings.mode == Mode.DISTRIBUTED:
        return {"ready": await run_in_threadpool(state.runner.is_alive)}
    return {"ready": state.predictor is not None and state.runner.is_alive()}


@router.get("/workers", **_PROTECTED)  # type: ignore[arg-type]
def list_workers(state: State) -> list[WorkerInfo]:
    """Workers online (distributed mode; empty when embedded): heartbeat within
    ``VOXTELL_WORKER_LOST_AFTER_S``."""
    if state.settings.mode == Mode.EMBEDDED:
        return []
    return [WorkerInfo(**w) for w in state.store.workers_online(state.settings.worker_lost_after_s)]


@router.get("/info", **_PROTECTED)  # type: ignore[arg-type]
def info(state: State) -> Info:
    model = ModelInfo.of(state.predictor)
    distributed = state.settings.mode == Mode.DISTRIBUTED
    return Info(model_name=model.model_name, demo=model.demo, device=model.device, precision=model.precision,
                path=model.path, patch_size=list(model.patch_size), queue_length=state.store.count_active(),
                auth_required=state.settings.sign_in_required, pacs=bool(state.settings.dicomweb_url),
                demo_notice=DEMO_NOTICE if model.demo else None, mode=state.settings.mode.value,
                workers_online=len(state.store.workers_online(state.settings.worker_lost_after_s))
                if distributed else 1)


@router.get("/prompts", **_PROTECTED)  # type: ignore[arg-type]
def prompts(state: State, q: Annotated[str, Query(max_length=200)] = "",
            limit: Annotated[int, Query(ge=1, le=200)] = 20) -> list[str]:
    """Embedding-bank prompts matching ``q``: prefix matches first, then substring matches."""
    needle = q.strip().lower()
    vocab = state.predictor.vocabulary()
    prefix = [p for p in vocab if p.startswith(needle)]
    inner = [p for p in vocab if needle in p and not p.startswith(needle)]
    return (prefix + inner)[:limit]

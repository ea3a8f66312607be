"""``GET /metrics``: the Prometheus scrape of this node (``backend.domain.metrics``), for
administrators only — or, without sign-in, on a loopback port of its own (``VOXTELL_METRICS_PORT``)."""

from __future__ import annotations

from fastapi import APIRouter, Depends
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from backend.domain.errors import Forbidden
from backend.domain.metrics import CONTENT_TYPE, registry_of, scrape
from backend.http.deps import Caller, State, authenticated
from backend.http.errors import COMMON_ERRORS, error_responses

router = APIRouter(dependencies=[Depends(authenticated)], responses=error_responses(*COMMON_ERRORS))


@router.get("/metrics", response_class=Response, responses={
    200: {"content": {CONTENT_TYPE.split(";")[0]: {"schema": {"type": "string"}}},
          "description": "the Prometheus text format"}})
async def metrics(state: State, caller: Caller) -> Response:
    """Queue depth, running jobs, workers online, jobs submitted / rejected / finished, waiting and
    running times, sliding windows, HTTP requests by route template, the engine's cache hits,
    text encoder loads and out-of-memory fallbacks. No label names a person, patient or prompt."""
    if not caller.is_admin:
        raise Forbidden("metrics are for administrators (or scrape VOXTELL_METRICS_PORT on the machine itself)")
    body = await run_in_threadpool(scrape, registry_of(state))  # reads the database
    return Response(body, media_type=CONTENT_TYPE)

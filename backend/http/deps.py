"""Dependencies of the routes: the node's ``AppState``, the key, and objects looked up or 404."""

from __future__ import annotations

import hmac
from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, Request

from backend.domain.context import AppState
from backend.domain.errors import Unauthorized
from backend.domain.jobs import finished_job, job_or_404
from backend.storage.store import Job

__all__ = ["AppState", "FinishedJob", "JobById", "State", "job_lookup", "key_matches", "require_key"]


async def get_state(request: Request) -> AppState:  # async: no worker-thread hop per request
    return request.app.state.voxtell  # type: ignore[no-any-return]


State = Annotated[AppState, Depends(get_state)]


def key_matches(key: str, authorization: str) -> bool:
    """Whether an ``Authorization`` header carries ``Bearer <key>`` (constant-time compare)."""
    scheme, _, token = authorization.partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(token.strip().encode(), key.encode())


async def require_key(request: Request, state: State) -> None:
    """``Authorization: Bearer <key>`` when a key is configured. The admission middleware
    already answered 401 before the body was read; this keeps each route safe on its own."""
    key = state.settings.key
    if key and not key_matches(key, request.headers.get("authorization", "")):
        raise Unauthorized("missing or wrong API key (Authorization: Bearer <key>)")


def job_lookup(missing: str) -> Callable[[AppState, str], Job]:
    """A dependency giving the path's ``{job_id}`` job, or 404 with ``missing`` (each protocol
    words it its own way)."""
    def lookup(state: State, job_id: str) -> Job:
        return job_or_404(state.store, job_id, missing)

    return lookup


def get_finished_job(state: State, job_id: str) -> Job:
    return finished_job(state.store, job_id)


JobById = Annotated[Job, Depends(job_lookup("job not found"))]
FinishedJob = Annotated[Job, Depends(get_finished_job)]

"""Dependencies of the routes: the node's ``AppState``, the key, and objects looked up or 404."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, Request
from starlette.concurrency import run_in_threadpool

from backend.domain.context import AppState
from backend.domain.identity import Principal, authenticate, bearer, looks_like_jwt
from backend.domain.jobs import finished_job, job_or_404
from backend.storage.identities import split_token
from backend.storage.store import Job

__all__ = ["PRINCIPAL", "AppState", "Caller", "FinishedJob", "JobById", "JobWithMasks", "State", "authenticated",
           "job_lookup", "sign_in"]


async def get_state(request: Request) -> AppState:  # async: no worker-thread hop per request
    return request.app.state.voxtell  # type: ignore[no-any-return]


State = Annotated[AppState, Depends(get_state)]


PRINCIPAL = "voxtell_principal"  # where the middleware leaves the principal in the request's state


async def authenticated(request: Request, state: State) -> Principal:
    """Who is asking (``backend.domain.identity.authenticate``): every route but the health
    checks depends on it. The admission middleware signed the request in before its body was
    read (401 / 403 then); this keeps each route safe on its own."""
    principal = request.scope.get("state", {}).get(PRINCIPAL)
    if isinstance(principal, Principal):
        return principal
    return await sign_in(state, request.headers.get("authorization", ""), request.method)


async def sign_in(state: AppState, authorization: str, method: str) -> Principal:
    """The request's principal; a personal token is looked up in the database (a worker thread),
    anything else is checked right here."""
    credential = bearer(authorization)
    if split_token(credential or "") is None and not (state.oidc is not None and looks_like_jwt(credential)):
        return authenticate(state.settings, state.identities, authorization, method)
    return await run_in_threadpool(authenticate, state.settings, state.identities, authorization, method,
                                   None, state.oidc)


Caller = Annotated[Principal, Depends(authenticated)]


def job_lookup(missing: str) -> Callable[[AppState, Principal, str], Job]:
    """A dependency giving the path's ``{job_id}`` job if the caller may see it, or 404 with
    ``missing`` (each protocol words it its own way)."""
    def lookup(state: State, caller: Caller, job_id: str) -> Job:
        return job_or_404(state.store, job_id, caller.access, missing)

    return lookup


def get_finished_job(state: State, caller: Caller, job_id: str) -> Job:
    return finished_job(state.store, job_id, caller.access)


def get_job_with_masks(state: State, caller: Caller, job_id: str) -> Job:
    return finished_job(state.store, job_id, caller.access, with_masks=True)


JobById = Annotated[Job, Depends(job_lookup("job not found"))]
FinishedJob = Annotated[Job, Depends(get_finished_job)]
JobWithMasks = Annotated[Job, Depends(get_job_with_masks)]  # finished, with at least one mask left

"""The signed-in person: who they are, and their own personal API tokens."""

from __future__ import annotations

import time

from fastapi import APIRouter, Depends, Request
from starlette.concurrency import run_in_threadpool

from backend.domain.errors import Forbidden, NotFound
from backend.domain.identity import Principal
from backend.http.audit import audited, note_object
from backend.http.deps import AppState, Caller, State, authenticated
from backend.http.errors import COMMON_ERRORS, error_responses
from backend.http.schemas import Me, ProjectRef, TokenCreate, TokenCreated, TokenInfo
from backend.states import AuditAction, AuthVia
from backend.storage.identities import Token

router = APIRouter(prefix="/api/me", dependencies=[Depends(authenticated)], responses=error_responses(*COMMON_ERRORS))


@router.get("")
@audited(AuditAction.LOGIN, "user")
def who_am_i(state: State, caller: Caller) -> Me:
    """The signed-in person (the web app calls it once when it signs in: a ``login`` event)."""
    names = {project_id: name for project_id, name, _ in state.identities.list_projects()}
    return Me(id=caller.user_id, name=caller.name, role=caller.role, via=caller.via, scope=caller.scope,
              projects=[ProjectRef(id=p, name=names.get(p, p)) for p in sorted(caller.projects)],
              sign_in_required=state.settings.sign_in_required)


@router.get("/tokens")
@audited(AuditAction.ADMIN, "token")
def my_tokens(state: State, caller: Caller) -> list[TokenInfo]:
    """The caller's own tokens (never their secrets)."""
    return [token_info(t) for t in state.identities.list_tokens(_personal(caller))]


@router.post("/tokens", status_code=201)
@audited(AuditAction.ADMIN, "token")
async def create_my_token(state: State, caller: Caller, request: Request, body: TokenCreate) -> TokenCreated:
    """A new token of the caller's; its text is in this answer only."""
    created = await run_in_threadpool(make_token, state, _personal(caller), body)
    note_object(request, "token", created.id)
    return created


@router.delete("/tokens/{token_id}", status_code=204, responses=error_responses(404))
@audited(AuditAction.ADMIN, "token", id_param="token_id")
def revoke_my_token(state: State, caller: Caller, token_id: str) -> None:
    """Revoke one of the caller's own tokens (anyone else's: 404)."""
    token = state.identities.token(token_id)
    if token is None or token.user_id != _personal(caller) or not state.identities.revoke_token(token_id):
        raise NotFound("no active token with this id among yours")


def _personal(caller: Principal) -> str:
    """The caller's user id, if they signed in as a person (a personal token)."""
    if caller.via != AuthVia.TOKEN:
        raise Forbidden("personal tokens belong to people: sign in with one of yours (the bootstrap key and the "
                       "local user have none; an administrator makes people's tokens under /api/admin)")
    return caller.user_id


def make_token(state: AppState, user_id: str, body: TokenCreate) -> TokenCreated:
    expires = time.time() + body.expires_days * 86400 if body.expires_days else None
    token, text = state.identities.create_token(user_id, body.name, body.scope, expires)
    return TokenCreated(**token_info(token).model_dump(), token=text)


def token_info(token: Token) -> TokenInfo:
    return TokenInfo(id=token.id, user_id=token.user_id, name=token.name, scope=token.scope, created=token.created,
                     expires=token.expires, last_used=token.last_used, revoked=token.revoked)

"""Administration over the API (the web app's admin page uses it; the same as ``voxtell-web
users|tokens|projects|audit``): administrators only (403 for anyone else), each call audited."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from starlette.concurrency import run_in_threadpool

from backend.domain.errors import Conflict, Forbidden, NotFound
from backend.domain.identity import Principal
from backend.http.audit import audited, note_object
from backend.http.deps import Caller, State, authenticated
from backend.http.errors import COMMON_ERRORS, error_responses
from backend.http.routers.me import make_token, token_info
from backend.http.schemas import (
    AuditEventInfo,
    ProjectCreate,
    ProjectInfo,
    TokenCreate,
    TokenCreated,
    TokenInfo,
    UserCreate,
    UserInfo,
    UserUpdate,
)
from backend.states import AuditAction
from backend.storage.identities import User


def administrator(caller: Caller) -> Principal:
    if not caller.is_admin:
        raise Forbidden("administrators only")
    return caller


router = APIRouter(prefix="/api/admin", dependencies=[Depends(authenticated), Depends(administrator)],
                   responses=error_responses(*COMMON_ERRORS))
_MISSING = error_responses(404)


@router.get("/users")
@audited(AuditAction.ADMIN, "user")
def list_users(state: State) -> list[UserInfo]:
    return [_user_info(u) for u in state.identities.list_users()]


@router.post("/users", status_code=201, responses=error_responses(409))
@audited(AuditAction.ADMIN, "user")
def add_user(state: State, request: Request, body: UserCreate) -> UserInfo:
    try:
        user = state.identities.add_user(body.name, body.role)
    except ValueError as exc:
        raise Conflict(str(exc)) from None
    note_object(request, "user", user.id)
    return _user_info(user)


@router.patch("/users/{user_id}", responses=_MISSING)
@audited(AuditAction.ADMIN, "user", id_param="user_id")
def update_user(state: State, user_id: str, body: UserUpdate) -> UserInfo:
    """Disable or enable a person (every token of theirs stops or works again), or set their own
    limit of waiting jobs (``default_limit``: back to the server's)."""
    if state.identities.user(user_id) is None:
        raise NotFound("no user with this id")
    if body.disabled is not None:
        state.identities.set_disabled(user_id, body.disabled)
    if body.max_queued is not None or body.default_limit:
        state.identities.set_max_queued(user_id, None if body.default_limit else body.max_queued)
    if body.max_daily_compute_s is not None or body.default_limit:
        state.identities.set_max_daily_compute(user_id, None if body.default_limit else body.max_daily_compute_s)
    user = state.identities.user(user_id)
    assert user is not None
    return _user_info(user)


@router.get("/users/{user_id}/tokens", responses=_MISSING)
@audited(AuditAction.ADMIN, "user", id_param="user_id")
def user_tokens(state: State, user_id: str) -> list[TokenInfo]:
    _existing(state, user_id)
    return [token_info(t) for t in state.identities.list_tokens(user_id)]


@router.post("/users/{user_id}/tokens", status_code=201, responses=_MISSING)
@audited(AuditAction.ADMIN, "user", id_param="user_id")
async def create_user_token(state: State, user_id: str, body: TokenCreate) -> TokenCreated:
    """A token for a person (or a service account); its text is in this answer only."""
    _existing(state, user_id)
    return await run_in_threadpool(make_token, state, user_id, body)


@router.delete("/tokens/{token_id}", status_code=204, responses=_MISSING)
@audited(AuditAction.ADMIN, "token", id_param="token_id")
def revoke_token(state: State, token_id: str) -> None:
    if not state.identities.revoke_token(token_id):
        raise NotFound("no active token with this id")


@router.get("/projects")
@audited(AuditAction.ADMIN, "project")
def list_projects(state: State) -> list[ProjectInfo]:
    return [ProjectInfo(id=i, name=n, members=m) for i, n, m in state.identities.list_projects()]


@router.post("/projects", status_code=201, responses=error_responses(409))
@audited(AuditAction.ADMIN, "project")
def add_project(state: State, request: Request, body: ProjectCreate) -> ProjectInfo:
    try:
        project_id = state.identities.add_project(body.name)
    except ValueError as exc:
        raise Conflict(str(exc)) from None
    note_object(request, "project", project_id)
    return ProjectInfo(id=project_id, name=body.name, members=[])


@router.put("/projects/{project_id}/members/{user_id}", responses=_MISSING)
@audited(AuditAction.ADMIN, "project", id_param="project_id")
def add_member(state: State, project_id: str, user_id: str) -> ProjectInfo:
    return _membership(state, project_id, user_id, member=True)


@router.delete("/projects/{project_id}/members/{user_id}", responses=_MISSING)
@audited(AuditAction.ADMIN, "project", id_param="project_id")
def remove_member(state: State, project_id: str, user_id: str) -> ProjectInfo:
    return _membership(state, project_id, user_id, member=False)


@router.get("/audit", responses=error_responses(422))
@audited(AuditAction.ADMIN, "audit")
def audit_trail(
    state: State,
    user_id: Annotated[str | None, Query(max_length=64)] = None,
    action: Annotated[AuditAction | None, Query()] = None,
    object_id: Annotated[str | None, Query(max_length=128)] = None,
    since: Annotated[float | None, Query(ge=0, description="seconds since the epoch (UTC)")] = None,
    until: Annotated[float | None, Query(ge=0, description="seconds since the epoch (exclusive)")] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> list[AuditEventInfo]:
    """The audit trail, newest first, filtered by person, action, object and time."""
    rows = state.audit.query(user_id=user_id, action=action.value if action else None, object_id=object_id,
                             since=since, until=until, limit=limit)
    return [AuditEventInfo(**{k: row[k] for k in AuditEventInfo.model_fields}) for row in rows]


def _existing(state: State, user_id: str) -> User:
    user = state.identities.user(user_id)
    if user is None:
        raise NotFound("no user with this id")
    return user


def _membership(state: State, project_id: str, user_id: str, member: bool) -> ProjectInfo:
    _existing(state, user_id)
    found = next((p for p in state.identities.list_projects() if p[0] == project_id), None)
    if found is None:
        raise NotFound("no project with this id")
    state.identities.set_member(project_id, user_id, member)
    project_id, name, members = next(p for p in state.identities.list_projects() if p[0] == project_id)
    return ProjectInfo(id=project_id, name=name, members=members)


def _user_info(user: User) -> UserInfo:
    return UserInfo(id=user.id, name=user.name, role=user.role, disabled=user.disabled, created=user.created,
                    max_queued=user.max_queued, max_daily_compute_s=user.max_daily_compute_s)

"""Protocols of named structures: everyone signed in reads them (to run one); administrators
write them (the same as ``voxtell-web protocols import``)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request, Response

from backend.domain.errors import BadInput, Conflict
from backend.domain.protocols import all_stored, checked, stored
from backend.http.audit import audited, note_object
from backend.http.deps import Caller, State, authenticated
from backend.http.errors import COMMON_ERRORS, error_responses
from backend.http.routers.admin import administrator
from backend.http.schemas import ProtocolBody, ProtocolInfo
from backend.states import AuditAction
from voxtell.api import Protocol, protocol_to_dict

router = APIRouter(prefix="/api/protocols", dependencies=[Depends(authenticated)],
                   responses=error_responses(*COMMON_ERRORS))
ProtocolIdPath = Annotated[str, Path(pattern=r"^[a-z0-9][a-z0-9-]{0,62}$", description="e.g. pelvis-rt")]


def _info(protocol: Protocol, row: dict[str, Any]) -> ProtocolInfo:
    return ProtocolInfo(**protocol_to_dict(protocol), warnings=list(protocol.warnings), **row)


@router.get("")
def list_protocols(state: State) -> list[ProtocolInfo]:
    """Every protocol, by id."""
    return [_info(p, row) for p, row in all_stored(state)]


@router.get("/{protocol_id}", responses=error_responses(404))
def get_protocol(state: State, protocol_id: ProtocolIdPath) -> ProtocolInfo:
    return _info(*stored(state, protocol_id))


@router.put("/{protocol_id}", responses={201: {"model": ProtocolInfo, "description": "a new protocol"},
                                         **error_responses(409, 422)}, dependencies=[Depends(administrator)])
@audited(AuditAction.ADMIN, "protocol")
def put_protocol(state: State, caller: Caller, request: Request, response: Response, protocol_id: ProtocolIdPath,
                 body: ProtocolBody) -> ProtocolInfo:
    """Create or replace a protocol (administrators). Unknown interpreted types and repeated
    structure names are refused (409: the structures clash); TG-263 naming advice comes back as
    ``warnings``."""
    try:
        protocol = checked({"id": protocol_id, **body.model_dump(exclude_defaults=False)})
    except BadInput as exc:  # what the schema cannot say: structures that clash with each other
        raise Conflict(str(exc)) from None
    if state.protocols.put(protocol_to_dict(protocol), by=caller.user_id):
        response.status_code = 201
    note_object(request, "protocol", protocol_id)
    return _info(*stored(state, protocol_id))


@router.delete("/{protocol_id}", status_code=204, responses=error_responses(404),
               dependencies=[Depends(administrator)])
@audited(AuditAction.ADMIN, "protocol")
def delete_protocol(state: State, request: Request, protocol_id: ProtocolIdPath) -> Response:
    stored(state, protocol_id)
    state.protocols.delete(protocol_id)
    note_object(request, "protocol", protocol_id)
    return Response(status_code=204)

"""The DICOM node over HTTP: the worklist (everyone sees the series they may see: the node's
service account's project members and administrators), approving drafts held for review,
re-sending a failed send, and the node's rules and destinations (administrators)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request, Response

from backend.domain.dicom_rules import config_from_dict, destination_to_dict, rule_to_dict
from backend.domain.dicom_worklist import approve, resend
from backend.domain.errors import BadInput, Conflict, NotFound
from backend.http.audit import audited, note_object
from backend.http.deps import Caller, State, authenticated
from backend.http.errors import COMMON_ERRORS, error_responses
from backend.http.routers.admin import administrator
from backend.http.schemas import DicomConfig, DicomNodeStatus, DicomSendInfo, DicomSeriesInfo
from backend.states import AuditAction
from backend.storage.dicom_node import NodeRows

router = APIRouter(prefix="/api/dicom", dependencies=[Depends(authenticated)],
                   responses=error_responses(*COMMON_ERRORS))
Id = Annotated[str, Path(max_length=64)]


def _info(state: State, row: dict[str, Any], sends: list[dict[str, Any]]) -> DicomSeriesInfo:
    fields = {k: row[k] for k in DicomSeriesInfo.model_fields if k != "sends"}
    tries = state.settings.dicom_send_retries
    return DicomSeriesInfo(**fields, sends=[DicomSendInfo(**{k: s[k] for k in DicomSendInfo.model_fields if k != "tries"},
                                                          tries=tries) for s in sends])


@router.get("/series", responses=error_responses(404))
@audited(AuditAction.VIEW, "dicom_series")
def worklist(state: State, caller: Caller,
             limit: Annotated[int, Query(ge=1, le=500, description="at most this many, newest first")] = 100,
             before: Annotated[str | None, Query(
                 max_length=64, description="the id of the last series of the page before: the series received "
                                            "before it (the next page, unshifted by series that arrive meanwhile)")] = None,
             ) -> list[DicomSeriesInfo]:
    """Series the DICOM node received, newest first, with their rule, protocol, job, review state
    and each destination's send; a page at a time with ``limit`` and ``before``."""
    rows = NodeRows(state.store)
    older_than = None
    if before is not None:
        older_than = rows.series(before, caller.access)
        if older_than is None:  # gone, or another person's: the same answer
            raise NotFound(f"no series {before} to page from; reload the worklist")
    series = rows.list_series(caller.access, limit, older_than)
    sends = rows.sends_of([s["id"] for s in series])
    return [_info(state, s, sends[s["id"]]) for s in series]


@router.post("/series/{series_id}/approve", responses=error_responses(404, 409))
@audited(AuditAction.APPROVE, "dicom_series", id_param="series_id")
def approve_series(state: State, caller: Caller, series_id: Id) -> DicomSeriesInfo:
    """Approve the drafts (as edited in the viewer) of a series held for review: they are sent
    to the rule's destinations."""
    row = approve(state, series_id, caller.access, caller.user_id)
    return _info(state, row, NodeRows(state.store).sends_of([series_id])[series_id])


@router.post("/sends/{send_id}/resend", status_code=202, responses=error_responses(404, 409))
@audited(AuditAction.DICOM_SEND, "dicom_send", id_param="send_id")
def resend_failed(state: State, caller: Caller, send_id: Id) -> Response:
    """Try a failed send again now (e.g. once the planning system is back)."""
    resend(state, send_id, caller.access)
    return Response(status_code=202)


@router.get("/config", dependencies=[Depends(administrator)])
@audited(AuditAction.ADMIN, "dicom_config")
def get_config(state: State) -> DicomConfig:
    rules, destinations = NodeRows(state.store).config()
    return DicomConfig.model_validate({"destinations": destinations, "rules": rules})


@router.put("/config", dependencies=[Depends(administrator)], responses=error_responses(409, 422))
@audited(AuditAction.ADMIN, "dicom_config")
def put_config(state: State, request: Request, body: DicomConfig) -> DicomConfig:
    """Replace the destinations and rules (checked first: nothing changes when one is refused)."""
    protocols = {row["id"] for row in state.protocols.all()}
    try:
        rules, destinations = config_from_dict(body.model_dump(exclude_none=True, exclude_defaults=True), protocols)
    except BadInput as exc:  # parts that clash with each other or with the protocols
        raise Conflict(str(exc)) from None
    NodeRows(state.store).replace_config([rule_to_dict(r) for r in rules],
                                         [destination_to_dict(d) for d in destinations])
    note_object(request, "dicom_config", "node")
    stored_rules, stored_destinations = NodeRows(state.store).config()
    return DicomConfig.model_validate({"destinations": stored_destinations, "rules": stored_rules})


@router.get("/node", dependencies=[Depends(administrator)])
def node_status(state: State, request: Request) -> DicomNodeStatus:
    node = getattr(request.app.state, "dicom_node", None)
    return DicomNodeStatus(enabled=node is not None, ae_title=state.settings.dicom_ae_title,
                           port=node.port if node is not None else None)

"""Audit flags that travel with the route, like admission's.

A route that touches patient data says what it does::

    @router.get("/{job_id}")
    @audited(AuditAction.VIEW, "job", id_param="job_id")
    def get_job(...): ...

and the admission middleware writes one event when the request has been answered (its status is
the outcome), with the caller, the object and the client's address — never image data, file
names, prompts or patient fields. A route that creates an object names it with
:func:`note_object`. A request refused before it reaches a route (401, 403) is one ``denied``
event.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from fastapi import Request
from starlette.routing import BaseRoute

from backend.states import AuditAction

F = TypeVar("F", bound=Callable[..., Any])
_ATTRIBUTE = "__voxtell_audit__"
OBJECT = "voxtell_audit_object"  # (type, id) a route noted in the request's state
DETAIL = "voxtell_audit_detail"  # the prompts of an infer, when they are to be kept
REQUEST_ID = "voxtell_request_id"


@dataclass(frozen=True)
class Audited:
    action: AuditAction
    object_type: str | None = None
    id_param: str | None = None  # the path parameter holding the object's id


def audited(action: AuditAction, object_type: str | None = None, id_param: str | None = None) -> Callable[[F], F]:
    """Mark an endpoint as an access to patient data (put it under the router's decorator)."""
    def mark(endpoint: F) -> F:
        setattr(endpoint, _ATTRIBUTE, Audited(action, object_type, id_param))
        return endpoint

    return mark


def audit_of(route: BaseRoute | None) -> Audited | None:
    found = getattr(getattr(route, "endpoint", None), _ATTRIBUTE, None)
    return found if isinstance(found, Audited) else None


def note_prompts(request: Request, prompts: list[str]) -> None:
    """The prompts of a job, for its ``infer`` event — kept only where the administrator turned
    ``VOXTELL_AUDIT_PROMPTS`` on (a prompt can hold patient details)."""
    if request.app.state.voxtell.settings.audit_prompts:
        request.scope.setdefault("state", {})[DETAIL] = json.dumps(prompts, ensure_ascii=False)[:4000]


def note_object(request: Request, object_type: str, object_id: str) -> None:
    """The object a request created (its id is not in the path), for its audit event."""
    request.scope.setdefault("state", {})[OBJECT] = (object_type, object_id)

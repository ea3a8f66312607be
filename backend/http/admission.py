"""Admission flags that travel with the route itself.

A route that stores a request body or creates a job says so where it is declared::

    @router.post("/predict")
    @admits(Admission.UPLOAD | Admission.ENQUEUE)
    async def predict(...): ...

and ``AdmissionMiddleware`` reads the flag of the route a request will reach, before the body is
read (507 below the disk reserve, 429 while the queue is full). A route added later carries its
own flag: no list of paths elsewhere has to be kept in step. Whether a route needs the key is
read from the route too (its ``authenticated`` dependency).
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from typing import Any, TypeVar

from fastapi.routing import APIRoute
from starlette.routing import BaseRoute, Match
from starlette.types import Scope

F = TypeVar("F", bound=Callable[..., Any])
_ATTRIBUTE = "__voxtell_admission__"


class Admission(enum.Flag):
    NONE = 0
    UPLOAD = enum.auto()  # stores the request body: refused while the disk is below its reserve
    ENQUEUE = enum.auto()  # creates a job: refused while the queue is full


def admits(flags: Admission) -> Callable[[F], F]:
    """Mark an endpoint with its admission flags (put it under the router's decorator)."""
    def mark(endpoint: F) -> F:
        setattr(endpoint, _ATTRIBUTE, flags)
        return endpoint

    return mark


def admission_of(route: BaseRoute | None) -> Admission:
    endpoint = getattr(route, "endpoint", None)
    flags = getattr(endpoint, _ATTRIBUTE, Admission.NONE)
    return flags if isinstance(flags, Admission) else Admission.NONE


def flat_routes(routes: list[BaseRoute]) -> list[BaseRoute]:
    """Every route, routers included by ``include_router`` opened up (newer FastAPI keeps an
    included router as one entry that routes further)."""
    flat: list[BaseRoute] = []
    for route in routes:
        included = getattr(route, "original_router", None)
        if included is not None:
            flat.extend(flat_routes(list(included.routes)))
        else:
            flat.append(route)
    return flat


def route_for(routes: list[BaseRoute], scope: Scope) -> BaseRoute | None:
    """The route a request will reach (a path match with another method counts: it answers 405)."""
    partial = None
    for route in routes:
        match, _ = route.matches(scope)
        if match == Match.FULL:
            return route
        if match == Match.PARTIAL and partial is None:
            partial = route
    return partial


def requires(route: BaseRoute | None, dependency: Callable[..., Any]) -> bool:
    """Whether ``route`` runs ``dependency`` (e.g. ``authenticated``) before its endpoint."""
    return isinstance(route, APIRoute) and any(d.call is dependency for d in route.dependant.dependencies)

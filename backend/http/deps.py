"""Dependencies: the app state and authentication."""

from __future__ import annotations

import hmac
import threading
from dataclasses import dataclass, field
from typing import Annotated

from fastapi import Depends, Request

from backend.http.errors import Unauthorized
from backend.jobs.execute import JobQueue, Predictor
from backend.settings import Settings
from backend.storage.store import Store


@dataclass
class AppState:
    settings: Settings
    store: Store
    predictor: Predictor
    runner: JobQueue
    edit_lock: threading.Lock = field(default_factory=threading.Lock)


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
    key = state.settings.api_key
    if key and not key_matches(key, request.headers.get("authorization", "")):
        raise Unauthorized("missing or wrong API key (Authorization: Bearer <key>)")

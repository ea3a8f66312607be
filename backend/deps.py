"""Dependencies: the app state and authentication."""

from __future__ import annotations

import hmac
import threading
from dataclasses import dataclass, field
from typing import Annotated

from fastapi import Depends, Request

from backend.errors import Unauthorized
from backend.runner import JobRunner, Predictor
from backend.settings import Settings
from backend.store import Store


@dataclass
class AppState:
    settings: Settings
    store: Store
    predictor: Predictor
    runner: JobRunner
    edit_lock: threading.Lock = field(default_factory=threading.Lock)


async def get_state(request: Request) -> AppState:  # async: no worker-thread hop per request
    return request.app.state.voxtell  # type: ignore[no-any-return]


State = Annotated[AppState, Depends(get_state)]


async def require_key(request: Request, state: State) -> None:
    """``Authorization: Bearer <key>`` when a key is configured (constant-time compare)."""
    key = state.settings.api_key
    if not key:
        return
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(token.strip().encode(), key.encode()):
        raise Unauthorized("missing or wrong API key (Authorization: Bearer <key>)")

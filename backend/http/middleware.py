"""ASGI middlewares: response headers, admission before the body is read, and the body limit.

They are plain ASGI (not Starlette's ``BaseHTTPMiddleware``, which re-streams every request and
response body through extra tasks). Admission runs before FastAPI parses a request body, so an
unauthenticated client, a full queue or a full disk is answered at once, without receiving an
upload that would then be thrown away.
"""

from __future__ import annotations

import json
import logging
import shutil

from starlette.concurrency import run_in_threadpool
from starlette.routing import BaseRoute
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from backend.domain.context import AppState
from backend.domain.errors import DISK_FULL
from backend.domain.eta import queue_full_detail, retry_after_s
from backend.http.admission import Admission, admission_of, flat_routes, requires, route_for
from backend.http.deps import key_matches, require_key
from backend.http.errors import DATABASE_RETRY_AFTER_S, DATABASE_UNAVAILABLE, is_database_unavailable

logger = logging.getLogger("backend")

_SECURITY_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"content-security-policy", b"frame-ancestors 'none'"),
    (b"referrer-policy", b"no-referrer"),
    (b"cross-origin-opener-policy", b"same-origin"),
    # The app uses none of these; a page (or something injected into it) may not either.
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=(), payment=(), usb=(), serial=(), "
                            b"bluetooth=(), midi=(), display-capture=(), interest-cohort=()"),
]
# Patient data and job state: never kept by a browser or proxy cache. Paths under these prefixes
# that match no route are also answered 401 without the key (nothing about them is revealed).
_API_PREFIXES = ("/api/", "/predict", "/capabilities", "/images", "/jobs")
_OPEN_PATHS = ("/api/health", "/healthz")
_DOCS_PATHS = ("/docs", "/docs/oauth2-redirect", "/redoc", "/openapi.json")


def _state(scope: Scope) -> AppState | None:
    app = scope.get("app")
    return getattr(app.state, "voxtell", None) if app is not None else None


class ResponseHeadersMiddleware:
    """Security headers on every response, ``Cache-Control: no-store`` on API and result
    responses, and ``X-VoxTell-Demo: 1`` while the demo model is loaded."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        state = _state(scope)
        extra = list(_SECURITY_HEADERS)
        path = scope["path"]
        if path.startswith(_API_PREFIXES):
            extra.append((b"cache-control", b"no-store"))
        elif path == "/" or path == "/index.html" or "." not in path.rsplit("/", 1)[-1]:
            # The web app's page (also the single-page fallback): revalidated on every load, so a
            # new release is picked up at once; its hashed assets may be cached.
            extra.append((b"cache-control", b"no-cache"))
        if state is not None and getattr(state.predictor, "is_demo", False):
            extra.append((b"x-voxtell-demo", b"1"))
        replaced = {name for name, _ in extra}

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                kept = [(k, v) for k, v in message.get("headers", []) if k.lower() not in replaced]
                message = {**message, "headers": [*kept, *extra]}
            await send(message)

        await self.app(scope, receive, send_with_headers)


class AdmissionMiddleware:
    """Answers before the body is read: 401 without the key (every route that depends on
    ``require_key``, unknown paths under the API prefixes and the API docs), 507 for a route
    flagged ``Admission.UPLOAD`` while the disk is below its reserve, 429 for a route flagged
    ``Admission.ENQUEUE`` while the queue is full (``Retry-After`` from the measured job duration),
    503 with ``Retry-After`` while the job database is unreachable. The flags are the routes' own
    (``backend.http.admission``); the routes check again where it matters (the queue bound
    atomically at insert)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self._routes: list[BaseRoute] | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        state = _state(scope) if scope["type"] == "http" else None
        if state is None:
            await self.app(scope, receive, send)
            return
        path, method = scope["path"], scope["method"]
        settings = state.settings
        if self._routes is None:  # the app's routes are all added once it serves
            self._routes = flat_routes(scope["app"].router.routes)
        route = route_for(self._routes, scope)
        key = settings.key
        if key and method != "OPTIONS" and _protected(route, path):
            headers = dict(scope.get("headers", []))
            if not key_matches(key, headers.get(b"authorization", b"").decode("latin-1")):
                await _answer(send, 401, "missing or wrong API key (Authorization: Bearer <key>)",
                              [(b"www-authenticate", b"Bearer")])
                return
        flags = admission_of(route) if method == "POST" else Admission.NONE
        if Admission.UPLOAD in flags and _disk_low(state):
            await _answer(send, 507, DISK_FULL)
            return
        if Admission.ENQUEUE in flags:
            try:
                # In a worker thread: a burst of refusals must not hold the event loop (health
                # checks and every other request are answered on it meanwhile).
                full, retry = await run_in_threadpool(_queue_room, state)
            except Exception as exc:  # the database: answered as every route answers it
                if not is_database_unavailable(exc):
                    raise
                logger.warning("job database unavailable on %s %s", method, path)
                await _answer(send, 503, DATABASE_UNAVAILABLE, [(b"retry-after", str(DATABASE_RETRY_AFTER_S).encode())])
                return
            if full:
                await _answer(send, 429, queue_full_detail(settings.queue_size), [(b"retry-after", str(retry).encode())])
                return
        await self.app(scope, receive, send)


def _protected(route: object, path: str) -> bool:
    """A route that depends on ``require_key``, the API docs, and any other path under the API
    prefixes (one no route serves: nothing about it is revealed without the key)."""
    if path in _OPEN_PATHS:
        return False
    return requires(route, require_key) or path in _DOCS_PATHS or path.startswith(_API_PREFIXES)  # type: ignore[arg-type]


def _queue_room(state: AppState) -> tuple[bool, int]:
    """(the queue is full, Retry-After seconds if it is): two plain reads of the job table."""
    full = state.store.count_active() >= state.settings.queue_size
    return full, retry_after_s(state.store) if full else 0


def _disk_low(state: AppState) -> bool:
    try:
        return shutil.disk_usage(state.store.data_dir).free < state.settings.disk_reserve_bytes
    except OSError:
        return False


async def _answer(send: Send, status: int, detail: str, headers: list[tuple[bytes, bytes]] | None = None) -> None:
    body = json.dumps({"detail": detail}).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
                            *(headers or [])]})
    await send({"type": "http.response.body", "body": body})


class BodyLimitMiddleware:
    """413 for bodies over the limit: by Content-Length up front, else while streaming."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        detail = f"request body larger than the limit of {self.limit} bytes"
        for name, value in scope.get("headers", []):
            if name == b"content-length" and value.isdigit() and int(value) > self.limit:
                await _answer(send, 413, detail)
                return
        received = 0
        exceeded = False
        replaced = False

        async def limited_receive() -> Message:
            nonlocal received, exceeded
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.limit:
                    exceeded = True
                    raise _TooLarge()
            return message

        async def guarded_send(message: Message) -> None:
            # The framework may turn the aborted body into its own error: answer 413 instead.
            nonlocal replaced
            if exceeded:
                if not replaced:
                    replaced = True
                    await _answer(send, 413, detail)
                return
            await send(message)

        try:
            await self.app(scope, limited_receive, guarded_send)
        except _TooLarge:
            if not replaced:
                await _answer(send, 413, detail)


class _TooLarge(Exception):
    pass

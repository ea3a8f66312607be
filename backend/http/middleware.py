"""ASGI middlewares: response headers, admission before the body is read, and the body limit.

They are plain ASGI (not Starlette's ``BaseHTTPMiddleware``, which re-streams every request and
response body through extra tasks). Admission runs before FastAPI parses a request body, so an
unauthenticated client, a full queue or a full disk is answered at once, without receiving an
upload that would then be thrown away.
"""

from __future__ import annotations

import json
import math
import re
import shutil

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from backend.http.deps import AppState, key_matches
from backend.http.errors import DISK_FULL

_SECURITY_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"content-security-policy", b"frame-ancestors 'none'"),
    (b"referrer-policy", b"no-referrer"),
]
# Patient data and job state: never kept by a browser or proxy cache.
_NO_STORE_PREFIXES = ("/api/", "/predict", "/capabilities", "/images", "/jobs")
_DOCS_PATHS = ("/docs", "/docs/oauth2-redirect", "/redoc", "/openapi.json")
_UPLOADS = re.compile(r"^/(?:predict|api/volumes|api/jobs/[^/]+/masks|api/pacs/import|images)$")
_ENQUEUES = re.compile(r"^/(?:predict|api/jobs|jobs)$")
# The official voxtell-server protocol: everything but /healthz needs the key.
_OFFICIAL = re.compile(r"^/(?:capabilities|images|jobs)(?:/|$)")


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
        if scope["path"].startswith(_NO_STORE_PREFIXES):
            extra.append((b"cache-control", b"no-store"))
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
    """Answers before the body is read: 401 without the key (every protected path, the API
    docs included), 507 for an upload while the disk is below its reserve, 429 for a new job
    while the queue is full (``Retry-After`` from the measured job duration). The routes check
    again where it matters (the queue bound atomically at insert)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        state = _state(scope) if scope["type"] == "http" else None
        if state is None:
            await self.app(scope, receive, send)
            return
        path, method = scope["path"], scope["method"]
        settings = state.settings
        protected = (path.startswith("/api/") and path != "/api/health") or path == "/predict" \
            or path in _DOCS_PATHS or bool(_OFFICIAL.match(path))
        if protected and settings.api_key and method != "OPTIONS":
            headers = dict(scope.get("headers", []))
            if not key_matches(settings.api_key, headers.get(b"authorization", b"").decode("latin-1")):
                await _answer(send, 401, "missing or wrong API key (Authorization: Bearer <key>)",
                              [(b"www-authenticate", b"Bearer")])
                return
        if method == "POST" and _UPLOADS.match(path) and _disk_low(state):
            await _answer(send, 507, DISK_FULL)
            return
        if method == "POST" and _ENQUEUES.match(path) and state.store.count_active() >= settings.queue_size:
            await _answer(send, 429, queue_full_detail(settings.queue_size),
                          [(b"retry-after", str(retry_after_s(state)).encode())])
            return
        await self.app(scope, receive, send)


def queue_full_detail(queue_size: int) -> str:
    return f"the queue is full ({queue_size} jobs); retry later"


def retry_after_s(state: AppState) -> int:
    """Seconds until a queue slot is likely free: the median running time of recent jobs."""
    return min(3600, max(1, math.ceil(state.store.typical_job_seconds())))


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

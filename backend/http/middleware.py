"""ASGI middlewares: response headers, admission before the body is read, and the body limit.

They are plain ASGI (not Starlette's ``BaseHTTPMiddleware``, which re-streams every request and
response body through extra tasks). Admission runs before FastAPI parses a request body, so an
unauthenticated client, a full queue or a full disk is answered at once, without receiving an
upload that would then be thrown away.
"""

from __future__ import annotations

import json
import logging
import re
import shutil
import uuid

from starlette.concurrency import run_in_threadpool
from starlette.routing import BaseRoute
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from backend.domain import metrics
from backend.domain.context import AppState
from backend.domain.errors import DISK_FULL, Forbidden, Unauthorized, UpstreamFailed
from backend.domain.eta import queue_full_detail, retry_after_s
from backend.domain.identity import Principal
from backend.http.admission import Admission, admission_of, flat_routes, requires, route_for
from backend.http.audit import DETAIL, OBJECT, REQUEST_ID, audit_of
from backend.http.deps import PRINCIPAL, authenticated, sign_in
from backend.http.errors import DATABASE_RETRY_AFTER_S, DATABASE_UNAVAILABLE, is_database_unavailable
from backend.states import AuditAction, AuthVia
from backend.storage.audit import AuditEvent

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
_OPEN_PATHS = ("/api/health", "/healthz", "/api/sign-in")
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
    """Answers before the body is read: 401 / 403 for a request that does not sign in (every route
    that depends on ``authenticated``, unknown paths under the API prefixes and the API docs;
    ``backend.domain.identity``), 507 for a route flagged ``Admission.UPLOAD`` while the disk is
    below its reserve, 429 for a route flagged ``Admission.ENQUEUE`` while the queue is full
    (``Retry-After`` from the measured job duration), 503 with ``Retry-After`` while the job
    database is unreachable. The flags are the routes' own (``backend.http.admission``); the
    routes check again where it matters (the queue bound atomically at insert).

    Once a route flagged ``@audited`` has answered, one audit event records who did what to which
    object and the status (``backend.http.audit``); a refused sign-in is one ``denied`` event.
    Every answer carries ``X-Request-Id`` (the client's, when it sent a sane one), which the
    audit event keeps too."""

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
        request_id = _request_id(scope)
        scope.setdefault("state", {})[REQUEST_ID] = request_id
        answered: list[int] = []

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                answered.append(int(message["status"]))
                metrics.HTTP_REQUESTS.labels(route=getattr(route, "path", None) or "unmatched", method=method,
                                             status_class=metrics.status_class(answered[0])).inc()
                message = {**message, "headers": [*message.get("headers", []), (b"x-request-id", request_id.encode())]}
            await send(message)

        principal: Principal | None = None
        if method != "OPTIONS" and _protected(route, path):
            authorization = dict(scope.get("headers", [])).get(b"authorization", b"").decode("latin-1")
            try:
                principal = await sign_in(state, authorization, method)
            except (Unauthorized, Forbidden) as exc:
                status = 401 if isinstance(exc, Unauthorized) else 403
                await _answer(send_with_id, status, exc.detail,
                              [(b"www-authenticate", b"Bearer")] if status == 401 else None)
                await _record(state, route, scope, None, status, denied=True)
                return
            except UpstreamFailed as exc:  # the identity provider could not be asked
                await _answer(send_with_id, 502, exc.detail)
                return
            except Exception as exc:
                if not is_database_unavailable(exc):
                    raise
                await _answer(send_with_id, 503, DATABASE_UNAVAILABLE,
                              [(b"retry-after", str(DATABASE_RETRY_AFTER_S).encode())])
                return
            scope["state"][PRINCIPAL] = principal
        flags = admission_of(route) if method == "POST" else Admission.NONE
        if Admission.UPLOAD in flags and _disk_low(state):
            metrics.JOBS_REJECTED.labels(reason=metrics.Rejection.DISK_FULL.value).inc()
            await _answer(send_with_id, 507, DISK_FULL)
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
                metrics.JOBS_REJECTED.labels(reason=metrics.Rejection.DATABASE_UNAVAILABLE.value).inc()
                await _answer(send_with_id, 503, DATABASE_UNAVAILABLE,
                              [(b"retry-after", str(DATABASE_RETRY_AFTER_S).encode())])
                return
            if full:
                metrics.JOBS_REJECTED.labels(reason=metrics.Rejection.QUEUE_FULL.value).inc()
                await _answer(send_with_id, 429, queue_full_detail(settings.queue_size),
                              [(b"retry-after", str(retry).encode())])
                return
        try:
            await self.app(scope, receive, send_with_id)
        finally:
            if audit_of(route) is not None and answered:
                await _record(state, route, scope, principal, answered[0])


_SANE_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


def _request_id(scope: Scope) -> str:
    sent = dict(scope.get("headers", [])).get(b"x-request-id", b"").decode("latin-1")
    return sent if _SANE_ID.match(sent) else uuid.uuid4().hex


async def _record(state: AppState, route: BaseRoute | None, scope: Scope, principal: Principal | None, status: int,
                  denied: bool = False) -> None:
    """Append the request's audit event (never worth failing or delaying the answer: written
    after it, and a database error only logged)."""
    flags = audit_of(route)
    object_type, object_id = (flags.object_type, None) if flags is not None else (None, None)
    noted = scope.get("state", {}).get(OBJECT)
    if noted is not None:
        object_type, object_id = noted
    elif flags is not None and flags.id_param and route is not None:
        _, child = route.matches(scope)
        object_id = child.get("path_params", {}).get(flags.id_param)
    action = AuditAction.DENIED if denied or status in (401, 403) else (flags.action if flags else AuditAction.DENIED)
    client = scope.get("client")
    event = AuditEvent(action=action.value, outcome=status, via=(principal.via if principal else AuthVia.NONE).value,
                       user_id=principal.user_id if principal else None,
                       token_id=principal.token_id if principal else None, object_type=object_type,
                       object_id=None if object_id is None else str(object_id)[:128],
                       source=client[0] if client else None, request_id=scope.get("state", {}).get(REQUEST_ID),
                       detail=scope.get("state", {}).get(DETAIL))
    try:
        await run_in_threadpool(state.audit.append, event)
    except Exception:
        logger.warning("could not write an audit event (%s, %d)", action.value, status)


def _protected(route: object, path: str) -> bool:
    """A route that depends on ``authenticated``, the API docs, and any other path under the API
    prefixes (one no route serves: nothing about it is revealed without the key)."""
    if path in _OPEN_PATHS:
        return False
    return requires(route, authenticated) or path in _DOCS_PATHS or path.startswith(_API_PREFIXES)  # type: ignore[arg-type]


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

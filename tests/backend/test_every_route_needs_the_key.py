"""With a key set, every route the server has — ours, the official voxtell-server protocol, the
PACS routes, the API docs — but the two health checks answers 401 to a request without the key,
before reading its body (over a raw socket: the body is announced and never sent). The routes
are walked from the app itself, so a route added later without protection fails here."""

from __future__ import annotations

import re
import socket
from pathlib import Path

from backend import Settings, create_app
from backend.http.admission import flat_routes, requires
from backend.http.audit import audit_of
from backend.http.deps import authenticated
from tests.backend.conftest import FakePredictor
from tests.backend.live import live_server

KEY = "k" * 24
OPEN = {"/api/health", "/healthz", "/api/sign-in"}  # the last says how to sign in: no data, no secret
DOCS = {"/docs", "/docs/oauth2-redirect", "/openapi.json"}


def _concrete(path: str) -> str:
    """A path template with plausible values (a DICOM UID where the route wants one)."""
    path = re.sub(r"\{(study_uid|series_uid)[^}]*\}", "1.2.840.1", path)
    return re.sub(r"\{[^}]+\}", "0", path)


def _status_without_body(port: int, method: str, path: str) -> int | str:
    """The status answered while a 50 MB body is still owed ("no answer" if the server waits for it)."""
    with socket.create_connection(("127.0.0.1", port), timeout=5) as raw:
        raw.sendall((f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/octet-stream\r\n"
                     "Content-Length: 50000000\r\n\r\n").encode())
        try:
            answer = raw.recv(4096).decode("latin-1")
        except TimeoutError:
            return "no answer before the body"
    return int(answer.split()[1])


def test_every_route_but_health_answers_401_without_the_key_before_the_body(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data", static_dir=tmp_path / "none", api_key=KEY,
                        dicomweb_url="http://127.0.0.1:9/dicom-web")
    app = create_app(settings)
    routes = [(method, r.path) for r in flat_routes(app.router.routes)  # type: ignore[attr-defined]
              for method in sorted(getattr(r, "methods", None) or ()) if method != "HEAD"]
    api_routes = {r.path for r in flat_routes(app.router.routes) if hasattr(r, "dependant")}  # type: ignore[attr-defined]
    assert {"/predict", "/images", "/jobs/{job_id}/result", "/api/pacs/import", "/api/jobs/{job_id}/masks",
            "/openapi.json"} <= {path for _, path in routes}, "the walk must see every router"
    unprotected = sorted(path for path in api_routes - OPEN
                         if not requires(next(r for r in flat_routes(app.router.routes)  # type: ignore[attr-defined]
                                              if getattr(r, "path", None) == path), authenticated))
    assert unprotected == [], "each route must depend on authenticated itself, not on a path prefix"
    with live_server(settings, FakePredictor()) as url:
        port = int(url.rsplit(":", 1)[1])
        answers = {(method, path): _status_without_body(port, method, _concrete(path)) for method, path in routes}
    wrong = {route: status for route, status in answers.items()
             if status != (200 if route[1] in OPEN else 401)}
    assert wrong == {}
    assert len(answers) >= 30


NO_PATIENT_DATA = {"/api/health", "/healthz", "/api/sign-in", "/api/ready", "/api/info", "/api/prompts", "/api/workers", "/capabilities",
                   "/metrics", "/api/protocols", "/api/protocols/{protocol_id}", "/api/dicom/node"}


def test_every_route_touching_patient_data_is_audited(tmp_path: Path) -> None:
    """Each route but the system ones (health, readiness, model info, prompt suggestions, workers)
    reads or changes patient data, so each carries its audit flag: a route added later without
    one fails here."""
    app = create_app(Settings(data_dir=tmp_path / "data", static_dir=tmp_path / "none"))
    api = [r for r in flat_routes(app.router.routes) if hasattr(r, "dependant")]
    missing = sorted(r.path for r in api if r.path not in NO_PATIENT_DATA and audit_of(r) is None)  # type: ignore[attr-defined]
    assert missing == []
    assert len(api) - len(NO_PATIENT_DATA) >= 28

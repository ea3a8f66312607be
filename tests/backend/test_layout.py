"""What the server's layout promises (docs/architecture.md): states are one vocabulary, routes carry
their own admission, a worker loads no web framework, settings refuse what cannot work, and a
progress stream reads its job when it changed, not on a timer."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import typing
from pathlib import Path
from typing import Any

import pytest
from fastapi.params import File
from pydantic import ValidationError

from backend import Settings, create_app
from backend.http import schemas
from backend.http.admission import Admission, admission_of, flat_routes
from backend.http.streams import watch_job
from backend.jobs.events import JobEvents
from backend.states import ErrorKind, JobStatus, Phase
from backend.storage.store import Store

ROOT = Path(__file__).resolve().parents[2]


def _literal_values(annotation: Any) -> set[str]:
    values: set[str] = set()
    for arg in typing.get_args(annotation):
        values |= _literal_values(arg) if typing.get_args(arg) else ({arg} if isinstance(arg, str) else set())
    return values


def test_the_http_schema_states_are_the_domain_s_enums() -> None:
    fields = schemas.JobStatus.model_fields
    assert _literal_values(fields["status"].annotation) == {s.value for s in JobStatus}
    assert _literal_values(fields["error_kind"].annotation) == {k.value for k in ErrorKind}
    assert _literal_values(fields["phase"].annotation) == {p.value for p in Phase}


def test_every_route_taking_a_file_is_admitted_as_an_upload(tmp_path: Path) -> None:
    app = create_app(Settings(data_dir=tmp_path / "data", static_dir=tmp_path / "none"))
    uploads = {}
    for route in flat_routes(app.router.routes):
        dependant = getattr(route, "dependant", None)
        if dependant is None:
            continue
        takes_file = any(isinstance(p.field_info, File) for p in dependant.body_params)
        if takes_file or getattr(route, "path", "") == "/images":  # /images streams its raw body
            uploads[route.path] = admission_of(route)  # type: ignore[attr-defined]
    assert set(uploads) >= {"/api/volumes", "/predict", "/api/jobs/{job_id}/masks", "/images"}
    assert all(Admission.UPLOAD in flags for flags in uploads.values()), uploads
    queued = {r.path: admission_of(r) for r in flat_routes(app.router.routes)  # type: ignore[attr-defined]
              if getattr(r, "path", "") in ("/predict", "/api/jobs", "/jobs") and "POST" in getattr(r, "methods", ())}
    assert len(queued) == 3 and all(Admission.ENQUEUE in f for f in queued.values()), queued


def test_a_worker_and_the_domain_load_no_web_framework() -> None:
    code = ("import sys, backend, backend.jobs.distributed.worker, backend.domain.masks, backend.storage.retention; "
            "print(sorted(m for m in ('fastapi', 'starlette', 'uvicorn') if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "[]"


def test_distributed_mode_on_sqlite_is_refused_naming_the_setting(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="VOXTELL_DATABASE_URL"):
        Settings(data_dir=tmp_path, broker_url="redis://127.0.0.1:6379/0")
    settings = Settings(data_dir=tmp_path, broker_url="redis://127.0.0.1:6379/0", database_url="postgresql://x/y")
    assert settings.mode == "distributed" and Settings(data_dir=tmp_path).mode == "embedded"


def test_the_key_is_a_secret(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, api_key="s3cret-key")
    assert "s3cret-key" not in repr(settings) and settings.key == "s3cret-key"


class _Runner:
    def __init__(self) -> None:
        self.events = JobEvents()

    def stream_fallback_s(self) -> float:
        return 60.0


class _State:
    def __init__(self, store: Store) -> None:
        self.store = store
        self.runner = _Runner()


def test_a_progress_stream_reads_its_job_when_it_changed_not_on_a_timer(tmp_path: Path) -> None:
    store = Store(tmp_path / "data")
    reads = []
    get_job = store.get_job

    def counted(job_id: str) -> Any:
        reads.append(job_id)
        return get_job(job_id)

    store.get_job = counted  # type: ignore[method-assign]
    volume_id = store.add_volume(_staged(store), ".nii", {}, owner="admin")
    job = store.add_job(volume_id, ["liver"], {}, owner="admin")
    assert job is not None
    state = _State(store)

    async def follow() -> list[str]:
        seen: list[str] = []

        async def consume() -> None:  # as a streaming response does: pulls as fast as it is given
            async for current in watch_job(state, job.id):  # type: ignore[arg-type]
                seen.append(current.status if current is not None else "deleted")

        consumer = asyncio.create_task(consume())
        await asyncio.sleep(0.8)  # nothing changes meanwhile: the job is read once, not polled
        assert seen == ["queued"] and len(reads) == 1
        store.transition(job.id, ("queued",), "running")
        state.runner.events.notify(job.id)  # as the runner does after recording a change
        await _until(lambda: len(seen) == 2)
        store.transition(job.id, ("running",), "done")
        state.runner.events.notify(job.id)
        await asyncio.wait_for(consumer, 5)  # it ends with the job
        return seen

    try:
        assert asyncio.run(follow()) == ["queued", "running", "done"]
        assert len(reads) == 3
    finally:
        store.close()


async def _until(condition: Any, timeout_s: float = 5.0) -> None:
    for _ in range(int(timeout_s / 0.01)):
        if condition():
            return
        await asyncio.sleep(0.01)
    raise AssertionError("the stream did not follow the change")


def _staged(store: Store) -> Path:
    path = store.tmp_path(".nii")
    path.write_bytes(b"")
    return path


def test_the_server_imports_the_engine_only_through_voxtell_api() -> None:
    """The import contract forbids ``voxtell``'s subpackages; this covers the package root too."""
    offending = []
    for path in sorted((ROOT / "backend").rglob("*.py")):
        for number, line in enumerate(path.read_text().splitlines(), 1):
            words = line.split()
            if words[:2] in (["from", "voxtell"], ["import", "voxtell"]) or (
                    words[:1] == ["from"] and len(words) > 1 and words[1].startswith("voxtell.")
                    and words[1] != "voxtell.api"):
                offending.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert offending == []

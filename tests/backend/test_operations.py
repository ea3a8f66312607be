"""Queue bound, cancel, restart durability, auth, CORS, bind policy, liveness, retention."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

from backend.cli import main as cli_main
from backend.storage.store import Job, Store
from tests.backend.conftest import FakePredictor, upload, wait_done
from tests.backend.fakes import ScriptedPredictor


def _job(client, volume_id: str, prompts: list[str] | None = None, headers: dict | None = None):  # type: ignore[no-untyped-def]
    return client.post("/api/jobs", json={"volume_id": volume_id, "prompts": prompts or ["liver"]},
                       headers=headers or {})


def test_queue_bound_is_429_with_retry_after(make_client) -> None:  # type: ignore[no-untyped-def]
    predictor = FakePredictor()
    predictor.gate.clear()  # hold the first job so the queue fills
    client = make_client(predictor, queue_size=3)
    vol = upload(client).json()["id"]
    ids = [_job(client, vol).json()["id"] for _ in range(3)]
    full = _job(client, vol)
    assert full.status_code == 429 and full.headers["Retry-After"] == "30"
    assert "queue is full" in full.json()["detail"]
    positions = [client.get(f"/api/jobs/{i}").json()["queue_position"] for i in ids[1:]]
    assert positions == [1, 2]
    predictor.gate.set()
    assert all(wait_done(client, i)["status"] == "done" for i in ids)
    assert _job(client, vol).status_code == 201


def test_cancel_queued_and_running(make_client) -> None:  # type: ignore[no-untyped-def]
    predictor = ScriptedPredictor(windows=200, hold_after=2)  # parks after window 2 until told
    client = make_client(predictor)
    vol = upload(client).json()["id"]
    running = _job(client, vol).json()["id"]
    queued = _job(client, vol).json()["id"]
    assert predictor.reached.wait(30), "the first job never got to window 2"
    assert client.post(f"/api/jobs/{queued}/cancel").json()["status"] == "cancelled"
    assert client.post(f"/api/jobs/{running}/cancel").status_code == 200
    predictor.proceed.set()
    final = wait_done(client, running)
    assert final["status"] == "cancelled" and final["done"] == 3, "stopped at the very next window"
    assert final["results"] == [] and client.get(f"/api/jobs/{running}/masks/0.nii.gz").status_code == 409
    # One runner, first in first out: once a later job is done, the cancelled one was dequeued.
    later = _job(client, vol).json()["id"]
    assert wait_done(client, later)["status"] == "done"
    assert client.get(f"/api/jobs/{queued}").json()["status"] == "cancelled"
    assert predictor.calls == 2, "a cancelled queued job never starts"
    again = client.post(f"/api/jobs/{running}/cancel")
    assert again.status_code == 409 and "already cancelled" in again.json()["detail"]


def test_health_and_progress_while_a_job_runs(make_client) -> None:  # type: ignore[no-untyped-def]
    """Liveness does not wait for the job: /api/health answers while the predictor is parked
    inside a job (a lock shared with inference would block it until the job ends)."""
    predictor = ScriptedPredictor(windows=50, hold_after=2)
    client = make_client(predictor)
    vol = upload(client).json()["id"]
    job = _job(client, vol).json()["id"]
    assert predictor.reached.wait(30), "the job never got to window 2"
    answers: list[Any] = []
    answered = threading.Event()

    def ask() -> None:
        answers.append(client.get("/api/health").json())
        # What the server says of the job right after health answered (a job never goes back
        # from done to running: "running" here means health did not wait for the job's end).
        answers.append(client.get(f"/api/jobs/{job}").json()["status"])
        answered.set()

    threading.Thread(target=ask, daemon=True).start()
    if not answered.wait(30):  # a health check that waits for the job: let the job end, then see
        predictor.proceed.set()
        answered.wait(60)
    assert answers == [{"ok": True}, "running"], "/api/health waited for the running job"
    running = client.get(f"/api/jobs/{job}").json()
    assert running["status"] == "running" and (running["done"], running["total"]) == (2, 50)
    # The ETA appears only once enough has run (backend.domain.eta.eta_from, tested on its own).
    predictor.proceed.set()
    assert wait_done(client, job)["status"] == "done"


def test_restart_durability(tmp_path: Path, make_client) -> None:  # type: ignore[no-untyped-def]
    data = tmp_path / "data"
    first = make_client(FakePredictor(), data_dir=data)
    vol = upload(first).json()["id"]
    finished = _job(first, vol, ["liver", "spleen"]).json()["id"]
    assert wait_done(first, finished)["status"] == "done"
    mask_before = first.get(f"/api/jobs/{finished}/masks/1.nii.gz").content
    first.__exit__(None, None, None)

    store = Store(data)  # simulate a crash: one job was running, one queued, one running twice

    def add(prompt: str) -> Job:
        job = store.add_job(vol, [prompt], {}, owner="admin")
        assert job is not None
        return job

    queued = add("aorta")
    interrupted = add("heart")
    store.update_job(interrupted.id, status="running", attempts=1)
    twice = add("lung")
    store.update_job(twice.id, status="running", attempts=2)
    store.close()

    second = make_client(FakePredictor(), data_dir=data)
    assert second.get(f"/api/jobs/{finished}/masks/1.nii.gz").content == mask_before
    assert wait_done(second, queued.id)["status"] == "done"
    assert wait_done(second, interrupted.id)["status"] == "done"
    failed = second.get(f"/api/jobs/{twice.id}").json()
    assert failed["status"] == "failed" and "restart" in failed["error"]


def test_auth_on_and_off(make_client) -> None:  # type: ignore[no-untyped-def]
    client = make_client(api_key="s3cret")
    assert client.get("/api/health").status_code == 200
    for method, path in (("get", "/api/info"), ("get", "/api/prompts"), ("post", "/api/jobs"), ("post", "/predict")):
        response = getattr(client, method)(path)
        assert response.status_code == 401 and "API key" in response.json()["detail"]
    assert client.get("/api/info", headers={"Authorization": "Bearer wrong"}).status_code == 401
    good = {"Authorization": "Bearer s3cret"}
    assert client.get("/api/info", headers=good).json()["auth_required"] is True
    vol = upload(client, headers=good).json()["id"]
    assert wait_done(client, _job(client, vol, headers=good).json()["id"], headers=good)["status"] == "done"
    open_client = make_client()
    assert open_client.get("/api/info").status_code == 200


def test_cors_allow_list(make_client) -> None:  # type: ignore[no-untyped-def]
    closed = make_client()
    response = closed.get("/api/health", headers={"Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in response.headers
    allowed = make_client(cors_origins=["https://viewer.example"])
    ok = allowed.options("/api/info", headers={"Origin": "https://viewer.example", "Access-Control-Request-Method": "GET"})
    assert ok.headers["access-control-allow-origin"] == "https://viewer.example"
    refused = allowed.options("/api/info", headers={"Origin": "https://evil.example",
                                                    "Access-Control-Request-Method": "GET"})
    assert refused.status_code == 400 and "access-control-allow-origin" not in refused.headers


def test_binding_beyond_loopback_needs_a_key(capsys, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.delenv("VOXTELL_API_KEY", raising=False)
    assert cli_main(["serve", "--host", "0.0.0.0"]) == 2
    assert "refusing to bind to 0.0.0.0 without VOXTELL_API_KEY" in capsys.readouterr().err


def test_demo_header_only_for_demo_models(make_client) -> None:  # type: ignore[no-untyped-def]
    assert "X-VoxTell-Demo" not in make_client(FakePredictor(demo=False)).get("/api/health").headers
    demo = make_client(FakePredictor(demo=True))
    assert demo.get("/api/health").headers["X-VoxTell-Demo"] == "1"
    assert demo.get("/api/info").json()["demo"] is True


def test_retention_and_volume_deletion(make_client, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from backend.storage.retention import RetentionSweeper

    client = make_client(data_dir=tmp_path / "data", retention_hours=1.0)
    vol = upload(client).json()["id"]
    job = _job(client, vol).json()["id"]
    wait_done(client, job)
    state = client.app.state.voxtell
    sweeper = RetentionSweeper(state.store, state.settings)
    assert sweeper.sweep(now=time.time()) == 0
    assert client.get(f"/api/jobs/{job}/masks/0.nii.gz").status_code == 200
    assert sweeper.sweep(now=time.time() + 2 * 3600) == 1
    assert client.get(f"/api/volumes/{vol}").status_code == 404
    assert client.get(f"/api/jobs/{job}").status_code == 404
    assert not (tmp_path / "data" / "results" / job).exists()
    vol2 = upload(client).json()["id"]
    job2 = _job(client, vol2).json()["id"]
    wait_done(client, job2)
    assert client.delete(f"/api/volumes/{vol2}").status_code == 204
    assert not (tmp_path / "data" / "results" / job2).exists()
    assert client.get(f"/api/jobs/{job2}").status_code == 404

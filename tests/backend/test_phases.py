"""Job phases in plain words, kept in the job row with their times (every node sees them, a late
client still sees what happened), and an ETA only once it means something."""

from __future__ import annotations

import json
import threading
import time
import uuid
from pathlib import Path

import pytest

from backend.domain.eta import queued_eta, running_eta
from backend.storage.store import Job, Store
from tests.backend.conftest import FakePredictor, upload, wait_done
from tests.backend.fakes import ScriptedPredictor
from voxtell.errors import InvalidInputError
from voxtell.inference.predictor import VoxTellPredictor


def _phases(job: dict) -> list[str]:
    return [p["phase"] for p in job["phase_log"]]


def _check_times(job: dict) -> None:
    """Each phase ends when the next begins; an ending is over as it starts."""
    log = job["phase_log"]
    for before, after in zip(log, log[1:]):
        assert before["finished"] == after["started"] and before["started"] <= before["finished"]
    assert log[-1]["finished"] == log[-1]["started"] == job["finished"]


def _sse(client, job_id: str) -> list[dict]:  # type: ignore[no-untyped-def]
    events = []
    with client.stream("GET", f"/api/jobs/{job_id}/events") as response:
        for line in response.iter_lines():
            if line.startswith("data: "):
                events.append(json.loads(line[6:]))
    return events


def test_free_text_prompt_on_the_demo_model_names_every_phase(make_client, demo_model_dir: Path) -> None:  # type: ignore[no-untyped-def]
    # The demo model ships a text encoder (voxtell/demo.py: DIR/text_encoder): a prompt outside its
    # embedding bank loads it. A new prompt each run: no cache can hold it.
    predictor = VoxTellPredictor(demo_model_dir, device="cpu")
    assert not predictor.embedder.is_loaded
    client = make_client(predictor)
    volume = upload(client).json()
    prompt = f"the thing left of the liver {uuid.uuid4().hex[:6]}"
    created = client.post("/api/jobs", json={"volume_id": volume["id"], "prompts": [prompt]}).json()
    assert created["phase"] == "queued" and created["eta_s"] is None, "no job has finished: no ETA"
    events = _sse(client, created["id"])
    job = events[-1]
    assert job["status"] == "done" and job["phase"] == "done"
    assert _phases(job) == ["queued", "loading_text_model", "encoding_prompts", "segmenting", "writing_results", "done"]
    _check_times(job)
    seen = [e["phase"] for e in events]
    assert seen == sorted(seen, key=_phases(job).index), "phases only move forward"
    for event in events:  # (how fast the demo runs decides whether an ETA shows at all: see below)
        if event["eta_s"] is not None:  # only while segmenting, after 2 windows over 3 s
            assert event["phase"] == "segmenting" and event["done"] >= 2, event
    assert events[0]["eta_s"] is None
    # Kept after the job ends: a client polling late still sees that the text model was loaded.
    assert _phases(client.get(f"/api/jobs/{created['id']}").json())[1] == "loading_text_model"
    # The encoder is loaded now: the next job goes straight to encoding.
    again = wait_done(client, client.post("/api/jobs", json={"volume_id": volume["id"], "prompts": [prompt]}).json()["id"])
    assert _phases(again) == ["queued", "encoding_prompts", "segmenting", "writing_results", "done"]


def test_phases_of_a_predictor_that_does_not_report_them(make_client) -> None:  # type: ignore[no-untyped-def]
    client = make_client(FakePredictor())
    volume = upload(client).json()
    job = wait_done(client, client.post("/api/jobs", json={"volume_id": volume["id"], "prompts": ["a"]}).json()["id"])
    assert job["phase"] == "done" and _phases(job) == ["queued", "segmenting", "writing_results", "done"]
    _check_times(job)


def test_cancelled_and_failed_jobs_end_in_their_phase(make_client) -> None:  # type: ignore[no-untyped-def]
    predictor = ScriptedPredictor(windows=5, hold_after=1)
    client = make_client(predictor)
    volume = upload(client).json()
    running = client.post("/api/jobs", json={"volume_id": volume["id"], "prompts": ["a"]}).json()
    queued = client.post("/api/jobs", json={"volume_id": volume["id"], "prompts": ["b"]}).json()
    assert predictor.reached.wait(30)
    assert client.get(f"/api/jobs/{running['id']}").json()["phase"] == "segmenting"
    assert client.post(f"/api/jobs/{queued['id']}/cancel").status_code == 200
    client.post(f"/api/jobs/{running['id']}/cancel")
    predictor.proceed.set()
    for job_id, phases in ((queued["id"], ["queued", "cancelled"]),
                           (running["id"], ["queued", "segmenting", "cancelled"])):
        job = wait_done(client, job_id)
        assert job["status"] == job["phase"] == "cancelled" and _phases(job) == phases
        _check_times(job)
    failing = make_client(ScriptedPredictor(error=InvalidInputError("the image is blank")),
                          data_dir=client.app.state.voxtell.store.data_dir.parent / "other")  # type: ignore[attr-defined]
    volume = upload(failing).json()
    job = wait_done(failing, failing.post("/api/jobs", json={"volume_id": volume["id"], "prompts": ["a"]}).json()["id"])
    assert job["phase"] == "failed" and _phases(job) == ["queued", "segmenting", "failed"]


def test_restarts_and_lost_workers_log_their_phases(tmp_path: Path) -> None:
    store = Store(tmp_path / "data")
    job = store.add_job("v", ["a"], {}, owner="admin")
    assert job is not None
    assert not store.set_phase(job.id, "segmenting"), "a queued job has no running phase"
    assert store.transition(job.id, ("queued",), "running", started=time.time())
    assert store.set_phase(job.id, "segmenting") and store.set_phase(job.id, "segmenting")
    store.update_job(job.id, attempts=1)
    store.recover_after_restart()
    assert [p["phase"] for p in store.get_job(job.id).phase_log] == ["queued", "segmenting", "queued"]  # type: ignore[union-attr]
    store.transition(job.id, ("queued",), "running", started=time.time())
    store.set_phase(job.id, "encoding_prompts")
    assert store.requeue(job.id)
    store.transition(job.id, ("queued",), "running", started=time.time())
    store.update_job(job.id, attempts=2)
    store.recover_after_restart()
    final = store.get_job(job.id)
    assert final is not None and final.status == final.phase == "failed"
    assert [p["phase"] for p in final.phase_log] == ["queued", "segmenting", "queued", "encoding_prompts", "queued",
                                                     "failed"]
    store.close()


def _job(phase_log: list[dict], started: float | None = None) -> Job:
    return Job(id="j", volume_id="v", created=0.0, prompts=["a"], options={}, status="running", started=started,
               phase=phase_log[-1]["phase"], phase_log=phase_log)


def test_running_eta_needs_two_windows_over_three_seconds_of_segmenting() -> None:
    now = 1000.0
    segmenting = [{"phase": "queued", "started": 900.0, "finished": 930.0},
                  {"phase": "segmenting", "started": 990.0, "finished": None}]
    assert running_eta(_job(segmenting), 2, 10, now) == pytest.approx(10 / 2 * 8)
    assert running_eta(_job(segmenting), 1, 10, now) is None, "one window says nothing"
    assert running_eta(_job(segmenting), 2, 10, now=992.0) is None, "2 s of segmenting says nothing"
    # 70 s of loading the text model before two quick windows: the windows' pace, not the job's age.
    loading = [{"phase": "loading_text_model", "started": 900.0, "finished": 970.0},
               {"phase": "segmenting", "started": 996.0, "finished": None}]
    assert running_eta(_job(loading, started=900.0), 4, 8, now) == pytest.approx(4 / 4 * 4)
    assert running_eta(_job(loading[:1], started=900.0), 4, 8, now) is None, "not segmenting yet"


def test_a_running_job_shows_an_eta_once_two_windows_took_three_seconds(make_client) -> None:  # type: ignore[no-untyped-def]
    """Driven, not waited for: the job parks after 2 of 6 windows and its segmenting phase is
    moved 12 s into the past; from then on every answer carries the ETA of that pace."""
    predictor = ScriptedPredictor(windows=6, hold_after=2)
    client = make_client(predictor)
    volume = upload(client).json()
    job_id = client.post("/api/jobs", json={"volume_id": volume["id"], "prompts": ["a"]}).json()["id"]
    assert predictor.reached.wait(30)
    store = client.app.state.voxtell.store  # type: ignore[attr-defined]
    fresh = client.get(f"/api/jobs/{job_id}").json()
    assert (fresh["phase"], fresh["done"]) == ("segmenting", 2)
    young = time.time() - fresh["phase_log"][-1]["started"] < 3.0  # and so it was when answered
    assert fresh["eta_s"] is None or not young, "2 windows in under 3 s: too early for an ETA"
    log = store.get_job(job_id).phase_log
    since = log[-1]["started"] - 12.0
    store.update_job(job_id, phase_log=[*log[:-2], {**log[-2], "finished": since}, {**log[-1], "started": since}])
    before = time.time()
    eta = client.get(f"/api/jobs/{job_id}").json()["eta_s"]
    after = time.time()
    # 2 windows in (now - since) seconds, 4 to go: the answer was computed between before and after.
    if eta is None or not (before - since) / 2 * 4 <= eta <= (after - since) / 2 * 4:
        predictor.proceed.set()
        raise AssertionError(f"ETA {eta}, expected 2 of 6 windows in {before - since:.1f} s: 4 to go at that pace")
    streamed: list[dict] = []
    reader = threading.Thread(target=lambda: streamed.extend(_sse(client, job_id)))
    reader.start()
    deadline = time.monotonic() + 30
    while job_id not in client.app.state.voxtell.runner.events.watching():  # type: ignore[attr-defined]
        assert time.monotonic() < deadline, "the stream never subscribed"
        time.sleep(0.01)
    predictor.proceed.set()
    reader.join(60)
    assert streamed[-1]["status"] == "done"
    with_eta = [e for e in streamed if e["eta_s"] is not None]
    assert with_eta, streamed
    assert all(e["phase"] == "segmenting" and e["done"] >= 2 for e in with_eta)


def test_queued_eta_only_from_jobs_that_finished(make_client) -> None:  # type: ignore[no-untyped-def]
    predictor = ScriptedPredictor(windows=3, hold_after=1)
    client = make_client(predictor)
    volume = upload(client).json()
    first = client.post("/api/jobs", json={"volume_id": volume["id"], "prompts": ["a"]}).json()
    second = client.post("/api/jobs", json={"volume_id": volume["id"], "prompts": ["b"]}).json()
    assert predictor.reached.wait(30)
    waiting = client.get(f"/api/jobs/{second['id']}").json()
    assert waiting["queue_position"] == 1 and waiting["eta_s"] is None, "no finished job to go by"
    predictor.proceed.set()
    wait_done(client, first["id"])
    wait_done(client, second["id"])
    store = client.app.state.voxtell.store  # type: ignore[attr-defined]
    for job_id, seconds in ((first["id"], 20.0), (second["id"], 40.0)):  # as if they had taken that long
        finished = store.get_job(job_id).finished
        store.update_job(job_id, started=finished - seconds)
    typical = 30.0  # the median of 20 and 40
    predictor.reached.clear()
    predictor.proceed.clear()
    third = client.post("/api/jobs", json={"volume_id": volume["id"], "prompts": ["c"]}).json()
    fourth = client.post("/api/jobs", json={"volume_id": volume["id"], "prompts": ["d"]}).json()
    fifth = client.post("/api/jobs", json={"volume_id": volume["id"], "prompts": ["e"]}).json()
    assert predictor.reached.wait(30)
    started = store.get_job(third["id"]).started
    before = time.time()
    eta4, eta5 = (client.get(f"/api/jobs/{j['id']}").json()["eta_s"] for j in (fourth, fifth))
    after = time.time()
    predictor.proceed.set()
    # What the running job has left, seen at some moment between before and after; however slow
    # the host, the answers lie within these bounds and the later job is one typical job later.
    left_at_most, left_at_least = max(typical - (before - started), 0.0), max(typical - (after - started), 0.0)
    assert left_at_least + typical <= eta4 <= left_at_most + typical, (eta4, left_at_least, left_at_most)
    assert left_at_least + 2 * typical <= eta5 <= left_at_most + 2 * typical, (eta5, left_at_least, left_at_most)
    assert eta4 < eta5
    assert queued_eta(store, None) is None
    for job in (third, fourth, fifth):
        wait_done(client, job["id"])


def test_a_data_dir_at_revision_0005_upgrades_in_place(make_client, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Jobs written before phases were kept: ended jobs show their status as their phase."""
    import sqlite3

    import sqlalchemy as sa

    from tests.backend.conftest import data_dir_at_revision

    data = tmp_path / "data"
    with data_dir_at_revision(data, "0005") as connection:
        for job_id, status in (("donejob", "done"), ("failedjob", "failed"), ("queuedjob", "queued"),
                               ("runningjob", "running")):
            connection.execute(sa.text(
                "INSERT INTO jobs (id, volume_id, created, prompts, options, status, attempts, results) "
                "VALUES (:id, 'v', 1.0, '[\"liver\"]', '{}', :status, 1, :results)"),
                {"id": job_id, "status": status,
                 "results": '[{"index": 0, "name": "liver", "source": "model", "file": "mask_0.nii.gz", '
                            '"voxels": 1, "volume_ml": 0.001, "bbox": [[0, 1], [0, 1], [0, 1]], '
                            '"components": 1, "mean": 1.0, "sd": 0.0}]' if status == "done" else "[]"})
    Store(data).close()  # what every start does first
    db = sqlite3.connect(data / "voxtell.sqlite")
    assert db.execute("SELECT version_num FROM alembic_version").fetchone()[0] == "0011"
    assert dict(db.execute("SELECT id, phase FROM jobs").fetchall()) == {
        "donejob": "done", "failedjob": "failed", "queuedjob": "queued", "runningjob": "segmenting"}
    assert {log for (log,) in db.execute("SELECT phase_log FROM jobs")} == {"[]"}
    db.close()
    client = make_client(FakePredictor(), data_dir=data)
    done = client.get("/api/jobs/donejob").json()
    assert (done["phase"], done["phase_log"]) == ("done", [])
    assert done["results"][0]["color"] == [238, 75, 43] and done["results"][0]["centre_mm"] is None
    # The job caught running is re-queued at start-up, and its log says so (its volume is gone:
    # it then fails, which is logged too).
    restarted = wait_done(client, "runningjob")
    assert _phases(restarted) == ["queued", "failed"]

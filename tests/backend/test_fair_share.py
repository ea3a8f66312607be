"""Fair share and per-person limits: one person's batch does not make everyone else wait (the
next job is the least-used person's), the queue position each person sees is that order, and a
person over their limit of waiting jobs is told so (429, Retry-After, the limit named) — also
when many submissions race."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from backend.storage.fairshare import decayed_usage, fair_order
from tests.backend.conftest import nifti_bytes, wait_done
from tests.backend.fakes import ScriptedPredictor
from tests.backend.people import KEY, cli_ok, person


def _volume(client: TestClient, who: dict[str, str]) -> str:
    answer = client.post("/api/volumes", files={"file": ("scan.nii.gz", nifti_bytes())}, headers=who)
    assert answer.status_code == 201, answer.text
    return str(answer.json()["id"])


def test_the_least_used_person_goes_next_round_robin_and_each_persons_jobs_in_order() -> None:
    now = 10_000.0
    usage = decayed_usage([("a", now - 100, None), ("a", now - 4000, now - 3600), ("b", now - 50, now - 40)], now)
    assert usage["a"] == pytest.approx(100 + 400 * 0.5) and usage["b"] == pytest.approx(10 * 0.5 ** (40 / 3600))
    queued = [("a1", "a", 1.0), ("a2", "a", 2.0), ("a3", "a", 3.0), ("b1", "b", 4.0), ("b2", "b", 5.0), ("c1", "c", 6.0)]
    assert fair_order(queued, usage) == ["c1", "b1", "a1", "b2", "a2", "a3"]
    assert fair_order(queued[:3], usage) == ["a1", "a2", "a3"], "one person: first come, first served"
    # c has a job running now: while others wait, a free worker goes to someone with none.
    assert fair_order(queued, usage, running=["c"]) == ["b1", "a1", "c1", "b2", "a2", "a3"]


def test_a_small_users_job_starts_after_at_most_one_of_a_big_batch(make_client: Callable[..., TestClient],
                                                                    tmp_path: Path) -> None:
    data = tmp_path / "data"
    predictor = ScriptedPredictor(windows=2, hold_after=1)
    client = make_client(predictor, api_key=KEY, data_dir=data, queue_size=64)
    alice, bob = person(data, "alice"), person(data, "bob")
    cli_ok("users", "limit", "alice", "--queued", "30", "--data-dir", str(data))  # her own, above the default 8
    a_volume, b_volume = _volume(client, alice), _volume(client, bob)
    batch = []
    for n in range(20):
        answer = client.post("/api/jobs", json={"volume_id": a_volume, "prompts": [f"a{n}"]}, headers=alice)
        assert answer.status_code == 201, answer.text
        batch.append(answer.json()["id"])
    assert predictor.reached.wait(30), "alice's first job runs (held)"
    small = client.post("/api/jobs", json={"volume_id": b_volume, "prompts": ["b0"]}, headers=bob).json()
    assert small["queue_position"] == 1, "bob has used nothing: his job is next"
    assert client.get(f"/api/jobs/{batch[1]}", headers=alice).json()["queue_position"] == 2
    assert client.get(f"/api/jobs/{batch[2]}", headers=alice).json()["queue_position"] == 3
    listed = {job["id"]: job["queue_position"] for job in client.get("/api/jobs", headers=alice).json()}
    assert (listed[batch[0]], listed[batch[1]], listed[batch[2]]) == (None, 2, 3), "the list shows the same order"
    predictor.proceed.set()
    wait_done(client, small["id"], headers=bob)
    for job_id in batch:
        wait_done(client, job_id, headers=alice)
    order = [prompts[0] for prompts in predictor.prompts_seen]
    assert order.index("b0") <= 1, f"bob waited for more than one of alice's jobs: {order}"
    assert [p for p in order if p != "b0"] == [f"a{n}" for n in range(20)], "alice's own jobs keep their order"


def test_over_the_personal_limit_is_429_naming_it_and_racing_submissions_never_exceed_it(
        make_client: Callable[..., TestClient], tmp_path: Path) -> None:
    data = tmp_path / "data"
    predictor = ScriptedPredictor(windows=2, hold_after=1)
    client = make_client(predictor, api_key=KEY, data_dir=data, queue_size=64, max_queued_per_user=3)
    alice, bob = person(data, "alice"), person(data, "bob")
    volume = _volume(client, alice)
    first = client.post("/api/jobs", json={"volume_id": volume, "prompts": ["first"]}, headers=alice).json()
    assert predictor.reached.wait(30), "her first job runs (held): it waits no more"
    answers: list[int] = []
    accepted: list[str] = []

    def submit(n: int) -> None:
        answer = client.post("/api/jobs", json={"volume_id": volume, "prompts": [f"p{n}"]}, headers=alice)
        answers.append(answer.status_code)
        if answer.status_code == 201:
            accepted.append(answer.json()["id"])

    threads = [threading.Thread(target=submit, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sorted(answers) == [201] * 3 + [429] * 5, "three may wait, whatever the race"
    refused = client.post("/api/jobs", json={"volume_id": volume, "prompts": ["more"]}, headers=alice)
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) >= 1
    assert "3 jobs waiting" in refused.json()["detail"] and "VOXTELL_MAX_QUEUED_PER_USER" in refused.json()["detail"]
    other = client.post("/api/jobs", json={"volume_id": _volume(client, bob), "prompts": ["x"]}, headers=bob)
    assert other.status_code == 201, "the limit is each person's own"
    assert client.post("/api/jobs", json={"volume_id": volume, "prompts": ["admin"]},
                       headers={"Authorization": f"Bearer {KEY}"}).status_code == 201, "administrators have none"
    predictor.proceed.set()
    for job_id in [first["id"], *accepted]:
        wait_done(client, job_id, headers=alice)
    again = client.post("/api/jobs", json={"volume_id": volume, "prompts": ["later"]}, headers=alice)
    assert again.status_code == 201, "once her jobs have started she may queue again"


def test_a_daily_compute_quota_refuses_with_429_until_midnight_and_resets_there(
        make_client: Callable[..., TestClient], tmp_path: Path) -> None:
    import datetime as dt
    import time

    data = tmp_path / "data"
    client = make_client(ScriptedPredictor(windows=1), api_key=KEY, data_dir=data, max_daily_compute_s_per_user=100)
    alice, bob = person(data, "alice"), person(data, "bob")
    volume = _volume(client, alice)
    first = client.post("/api/jobs", json={"volume_id": volume, "prompts": ["a"]}, headers=alice).json()
    wait_done(client, first["id"], headers=alice)
    store = client.app.state.voxtell.store  # type: ignore[attr-defined]
    midnight = dt.datetime.now(dt.timezone.utc).replace(hour=0, minute=0, second=0, microsecond=0).timestamp()
    started = max(midnight, time.time() - 130)  # as if it had computed for up to 130 s today
    store.update_job(first["id"], started=started, finished=started + 120)
    refused = client.post("/api/jobs", json={"volume_id": volume, "prompts": ["b"]}, headers=alice)
    assert refused.status_code == 429 and "per day" in refused.json()["detail"] and "00:00 UTC" in refused.json()["detail"]
    assert 0 < int(refused.headers["Retry-After"]) <= int(midnight + 86400 - time.time()) + 1, "until midnight UTC"
    assert client.post("/api/jobs", json={"volume_id": _volume(client, bob), "prompts": ["x"]},
                       headers=bob).status_code == 201, "each person's own"
    store.update_job(first["id"], started=midnight - 200, finished=midnight - 80)  # the same work, yesterday
    assert client.post("/api/jobs", json={"volume_id": volume, "prompts": ["c"]}, headers=alice).status_code == 201
    cli_ok("users", "limit", "alice", "--daily-compute-s", "5000", "--data-dir", str(data))
    store.update_job(first["id"], started=started, finished=started + 120)
    assert client.post("/api/jobs", json={"volume_id": volume, "prompts": ["d"]}, headers=alice).status_code == 201, \
        "her own, higher limit"

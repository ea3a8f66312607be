"""Fair share through a real cluster: redis-server and PostgreSQL (Debian packages, throw-away,
loopback), one `voxtell-web serve` API node with sign-in and one `voxtell-web worker` with the
demo model, taking job ids from Redis. Two people made with the product's own command line: alice
submits 20 jobs over HTTP, then bob one; the job rows' start and end times (GET /api/jobs/{id})
show that bob's job started after at most one of alice's had finished."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.backend.people import KEY, person
from tests.distributed.test_cluster import Cluster, _until, _volume
from tests.services import postgres_server, redis_server
from voxtell.demo import ensure_demo_model

ALICE_JOBS = 20
BIG = (200, 200, 64)  # 36 windows of the demo's 64^3 patch: seconds of CPU per job, to see the order
SMALL = (40, 36, 30)


@pytest.fixture()
def signed_in_cluster(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Cluster]:
    home = tmp_path / "home"
    ensure_demo_model(home / "demo-model")
    with postgres_server() as postgres, redis_server() as redis:
        env = {**os.environ, "VOXTELL_HOME": str(home), "VOXTELL_MODEL": "", "VOXTELL_BROKER_URL": redis.url,
               "VOXTELL_DATABASE_URL": postgres.url, "VOXTELL_STATIC_DIR": str(tmp_path / "no-static"),
               "VOXTELL_API_KEY": KEY, "VOXTELL_QUEUE_SIZE": "64", "VOXTELL_MAX_QUEUED_PER_USER": "30",
               "VOXTELL_HEARTBEAT_S": "1", "PYTHONUNBUFFERED": "1",
               # One torch thread: on cores other processes share, more threads wait on each other.
               "VOXTELL_WORKER_THREADS": "1"}
        # `voxtell-web users|tokens` (in this process) against the cluster's database.
        monkeypatch.setenv("VOXTELL_DATABASE_URL", postgres.url)
        cluster = Cluster(env=env, data=tmp_path / "data", api=[], postgres=postgres, redis=redis)
        try:
            cluster.start_worker()  # loads its model while the API node starts
            cluster.start_api()
            _until(lambda: len(httpx.get(f"{cluster.api[0]}/api/workers",
                                         headers={"Authorization": f"Bearer {KEY}"}).json()) == 1,
                   180, "the worker online")
            yield cluster
        finally:
            cluster.stop()


def test_a_small_users_job_starts_after_at_most_one_of_a_big_batch_on_real_workers(
        signed_in_cluster: Cluster) -> None:
    api = signed_in_cluster.api[0]
    alice, bob = (person(signed_in_cluster.data, name) for name in ("alice", "bob"))

    def job(job_id: str) -> dict:
        answer = httpx.get(f"{api}/api/jobs/{job_id}", headers=alice if job_id in batch else bob)
        assert answer.status_code == 200, answer.text
        return answer.json()  # type: ignore[no-any-return]

    big = httpx.post(f"{api}/api/volumes", files={"file": ("big.nii.gz", _volume(BIG, 11))}, headers=alice)
    small = httpx.post(f"{api}/api/volumes", files={"file": ("s.nii.gz", _volume(SMALL, 12))}, headers=bob)
    assert big.status_code == small.status_code == 201, (big.text, small.text)
    batch: list[str] = []
    for _ in range(ALICE_JOBS):
        answer = httpx.post(f"{api}/api/jobs", json={"volume_id": big.json()["id"], "prompts": ["liver"]},
                            headers=alice)
        assert answer.status_code == 201, answer.text
        batch.append(answer.json()["id"])
    _until(lambda: job(batch[0])["status"] == "running", 60, "alice's first job runs")
    answer = httpx.post(f"{api}/api/jobs", json={"volume_id": small.json()["id"], "prompts": ["liver"]},
                        headers=bob)
    assert answer.status_code == 201, answer.text
    bobs = answer.json()["id"]
    assert all(job(j)["finished"] is None for j in batch), "too slow a setup: one of alice's jobs already ended"
    try:
        # Until bob's job has started, or two of alice's have ended without it (unfair: stop looking).
        _until(lambda: job(bobs)["started"] is not None
               or sum(job(j)["finished"] is not None for j in batch[:3]) >= 2, 300, "bob's job or two of alice's")
        started = job(bobs)["started"]
        alices = [job(j) for j in batch]
        ended_before = [a for a in alices if a["finished"] is not None and (started is None or a["finished"] <= started)]
        assert started is not None and len(ended_before) <= 1, (
            f"bob's job started after {len(ended_before)} of alice's 20 ended "
            f"(alice's started: {sorted(a['started'] for a in alices if a['started'])}, bob's: {started})")
        assert sum(a["started"] is not None and a["started"] < started for a in alices) == 1, \
            "one worker: only alice's first job ran before bob's"
        _until(lambda: job(bobs)["status"] in ("done", "failed"), 300, "bob's job ends")
        assert job(bobs)["status"] == "done"
        started_after = sorted((a["started"], n) for n, a in enumerate(alices) if a["started"] is not None)
        assert [n for _, n in started_after] == list(range(len(started_after))), "alice's jobs in her order"
    finally:  # alice's batch is not run to the end: the worker is free at once for the teardown
        for j in batch:
            httpx.post(f"{api}/api/jobs/{j}/cancel", headers=alice)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and any(job(j)["status"] == "running" for j in batch):
            time.sleep(0.2)

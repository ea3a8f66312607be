"""Distributed mode against real servers: redis-server and PostgreSQL (Debian packages, on free
loopback ports with throw-away data), two `voxtell-web serve` API nodes and two
`voxtell-web worker` processes with the demo model, all stopped by the fixture. Each test
asserts what a user sees: the answer of /predict, a job's status and masks, the workers list."""

from __future__ import annotations

import gzip
import io
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import nibabel as nib
import numpy as np
import pytest
import sqlalchemy as sa

from tests.services import Postgres, Redis, free_port, postgres_server, redis_server
from voxtell.demo import ensure_demo_model

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class Cluster:
    env: dict[str, str]
    data: Path
    api: list[str]
    postgres: Postgres
    redis: Redis
    workers: list[subprocess.Popen[bytes]] = field(default_factory=list)
    processes: list[subprocess.Popen[bytes]] = field(default_factory=list)

    def start_worker(self) -> subprocess.Popen[bytes]:
        log = (self.data.parent / f"worker-{len(self.processes)}.log").open("wb")
        process = subprocess.Popen([sys.executable, "-m", "backend.cli", "worker", "--device", "cpu", "--data-dir",
                                    str(self.data)], cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT)
        self.workers.append(process)
        self.processes.append(process)
        return process

    def start_api(self) -> str:
        port = free_port()
        log = (self.data.parent / f"api-{port}.log").open("wb")
        process = subprocess.Popen([sys.executable, "-m", "backend.cli", "serve", "--port", str(port), "--data-dir",
                                    str(self.data)], cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT)
        self.processes.append(process)
        url = f"http://127.0.0.1:{port}"
        _until(lambda: _health(url), 120, "API node up")
        self.api.append(url)
        return url

    def stop(self) -> None:
        """Every process started, asked to stop, then killed if it has not within 30 s."""
        for process in self.processes:
            if process.poll() is None:
                process.terminate()
        for process in self.processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()

    def wait_workers(self, count: int) -> None:
        _until(lambda: len(httpx.get(f"{self.api[0]}/api/workers").json()) >= count, 180, f"{count} workers online")


def _health(url: str) -> bool:
    try:
        return httpx.get(f"{url}/api/health", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def _until(condition: object, timeout: float, what: str) -> None:
    """Bounded polling for a state that must be reached."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():  # type: ignore[operator]
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for: {what}")


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    root = tmp_path_factory.mktemp("cluster")
    home = root / "home"
    ensure_demo_model(home / "demo-model")  # one demo model for every process
    with postgres_server() as postgres, redis_server() as redis:
        env = {**os.environ, "VOXTELL_HOME": str(home), "VOXTELL_MODEL": "", "VOXTELL_BROKER_URL": redis.url,
               "VOXTELL_DATABASE_URL": postgres.url, "VOXTELL_STATIC_DIR": str(root / "no-static"),
               "VOXTELL_HEARTBEAT_S": "1", "VOXTELL_WORKER_LOST_AFTER_S": "6", "VOXTELL_RECONCILE_INTERVAL_S": "1",
               "VOXTELL_REPUBLISH_AFTER_S": "4", "PYTHONUNBUFFERED": "1"}
        cluster = Cluster(env=env, data=root / "data", api=[], postgres=postgres, redis=redis)
        try:
            cluster.start_api()
            cluster.start_api()
            cluster.start_worker()
            cluster.start_worker()
            cluster.wait_workers(2)
            yield cluster
        finally:
            cluster.stop()


def _volume(shape: tuple[int, int, int], seed: int = 0) -> bytes:
    data = np.random.default_rng(seed).normal(100, 30, shape).astype(np.int16)
    affine = np.diag([-1.0, 1.0, 1.5, 1.0])
    return gzip.compress(nib.Nifti1Image(data, affine).to_bytes())


def _mask(content: bytes) -> np.ndarray:
    return np.asarray(nib.Nifti1Image.from_bytes(gzip.decompress(content)).dataobj)


def _engine_mask(content: bytes, home: Path, prompt: str) -> np.ndarray:
    """What the engine itself gives for the file (the undisturbed answer), written as /predict does."""
    from voxtell.inference.predictor import VoxTellPredictor
    from voxtell.io import read_volume, write_mask

    source = home / "input.nii.gz"
    source.write_bytes(content)
    volume = read_volume(source)
    masks = VoxTellPredictor(home / "demo-model", device="cpu").predict_single_image(volume.data, [prompt])
    write_mask(masks[0], volume.geometry, home / "expected.nii.gz")
    return _mask((home / "expected.nii.gz").read_bytes())


def _job(url: str, job_id: str) -> dict:
    return httpx.get(f"{url}/api/jobs/{job_id}").json()  # type: ignore[no-any-return]


def test_the_cluster_reports_its_mode_and_workers(cluster: Cluster) -> None:
    info = httpx.get(f"{cluster.api[0]}/api/info").json()
    assert info["mode"] == "distributed" and info["workers_online"] == 2 and info["demo"] is True
    assert httpx.get(f"{cluster.api[1]}/api/ready").json() == {"ready": True}
    workers = httpx.get(f"{cluster.api[1]}/api/workers").json()
    assert {w["device"] for w in workers} == {"cpu"} and all(w["current_job"] is None for w in workers)
    assert "liver" in httpx.get(f"{cluster.api[0]}/api/prompts", params={"q": "liv"}).json()


def test_predict_through_the_cluster_equals_the_engine(cluster: Cluster) -> None:
    content = _volume((40, 36, 30))
    response = httpx.post(f"{cluster.api[0]}/predict", files={"image": ("a.nii.gz", content)},
                          data={"prompt": "liver"}, timeout=300)
    assert response.status_code == 200, response.text
    expected = _engine_mask(content, Path(cluster.env["VOXTELL_HOME"]), "liver")
    assert np.array_equal(_mask(response.content), expected)


def test_submit_on_one_node_stream_and_download_on_the_other(cluster: Cluster) -> None:
    first, second = cluster.api
    volume = httpx.post(f"{first}/api/volumes", files={"file": ("a.nii.gz", _volume((40, 36, 30), 1))}).json()
    job = httpx.post(f"{first}/api/jobs", json={"volume_id": volume["id"], "prompts": ["liver", "spleen"]}).json()
    statuses = []
    with httpx.stream("GET", f"{second}/api/jobs/{job['id']}/events", timeout=300) as events:
        for line in events.iter_lines():
            if line.startswith("data: "):
                statuses.append(json.loads(line[6:])["status"])
    assert statuses[-1] == "done"
    # The worker's phases are in the job row: the other node lists them (the bank holds both prompts).
    assert [p["phase"] for p in _job(second, job["id"])["phase_log"]] == [
        "queued", "encoding_prompts", "segmenting", "writing_results", "done"]
    # A rename on one node is what the other node exports.
    assert httpx.patch(f"{first}/api/jobs/{job['id']}/masks/1", json={"name": "Milz"}).status_code == 200
    masks = httpx.get(f"{second}/api/jobs/{job['id']}/masks.zip")
    assert masks.status_code == 200 and masks.content[:2] == b"PK"
    assert zipfile.ZipFile(io.BytesIO(masks.content)).namelist()[:2] == ["liver.nii.gz", "Milz.nii.gz"]
    assert len(_job(first, job["id"])["results"]) == 2


def test_a_killed_worker_s_job_is_finished_by_another(cluster: Cluster) -> None:
    api = cluster.api[0]
    content = _volume((200, 200, 64), 2)  # 1 x 6 x 6 = 36 windows of the demo's 64^3 patch
    volume = httpx.post(f"{api}/api/volumes", files={"file": ("big.nii.gz", content)}).json()
    job = httpx.post(f"{api}/api/jobs", json={"volume_id": volume["id"], "prompts": ["liver"]}).json()
    statuses: list[str] = []

    def follow() -> None:  # a client watching the job over SSE the whole time
        with httpx.stream("GET", f"{cluster.api[1]}/api/jobs/{job['id']}/events", timeout=600) as events:
            statuses.extend(json.loads(line[6:])["status"] for line in events.iter_lines()
                            if line.startswith("data: "))

    watcher = threading.Thread(target=follow)
    watcher.start()
    _until(lambda: _job(api, job["id"])["done"] >= 3, 300, "the job is running")
    holder = next(w for w in httpx.get(f"{api}/api/workers").json() if w["current_job"] == job["id"])
    try:
        _kill_and_check_the_takeover(cluster, api, job["id"], holder["id"], content, watcher, statuses)
    finally:  # back to two workers for the tests after this one, whatever happened here
        if sum(w.poll() is None for w in cluster.workers) < 2:
            cluster.start_worker()
        cluster.wait_workers(2)


def _kill_and_check_the_takeover(cluster: Cluster, api: str, job_id: str, holder_id: str, content: bytes,
                                 watcher: threading.Thread, statuses: list[str]) -> None:
    job = {"id": job_id}
    holder = {"id": holder_id}
    os.kill(int(holder["id"].split("-")[-2]), signal.SIGKILL)
    _until(lambda: _job(api, job["id"])["status"] in ("done", "failed"), 300, "the job finishes elsewhere")
    watcher.join(timeout=60)
    assert statuses[-1] == "done" and "running" in statuses, statuses
    finished = _job(api, job["id"])
    assert finished["status"] == "done", finished
    assert len(finished["results"]) == 1
    assert _row(cluster, job["id"])["attempts"] == 2, "run once more, on another worker, and only once"
    assert sorted(p.name for p in (cluster.data / "results" / job["id"]).iterdir()) == ["mask_0.nii.gz"]
    mask = _mask(httpx.get(f"{api}/api/jobs/{job['id']}/masks/0.nii.gz").content)
    assert np.array_equal(mask, _engine_mask(content, Path(cluster.env["VOXTELL_HOME"]), "liver"))
    assert holder["id"] not in {w["id"] for w in httpx.get(f"{api}/api/workers").json()}


def test_cancel_a_running_job_on_another_machine_s_worker(cluster: Cluster) -> None:
    api, other = cluster.api
    volume = httpx.post(f"{api}/api/volumes", files={"file": ("big.nii.gz", _volume((200, 200, 64), 3))}).json()
    job = httpx.post(f"{api}/api/jobs", json={"volume_id": volume["id"], "prompts": ["liver"]}).json()
    _until(lambda: _job(api, job["id"])["done"] >= 2, 300, "the job is running")
    assert httpx.post(f"{other}/api/jobs/{job['id']}/cancel").status_code == 200
    _until(lambda: _job(api, job["id"])["status"] == "cancelled", 120, "the worker stops at its next window")
    assert _job(api, job["id"])["done"] < 36


def test_jobs_queued_when_redis_loses_everything_still_run(cluster: Cluster) -> None:
    api = cluster.api[0]
    big = httpx.post(f"{api}/api/volumes", files={"file": ("big.nii.gz", _volume((200, 200, 64), 4))}).json()
    small = httpx.post(f"{api}/api/volumes", files={"file": ("s.nii.gz", _volume((40, 36, 30), 5))}).json()
    busy = [httpx.post(f"{api}/api/jobs", json={"volume_id": big["id"], "prompts": ["liver"]}).json()["id"]
            for _ in range(2)]
    _until(lambda: all(_job(api, j)["status"] == "running" for j in busy), 300, "both workers busy")
    queued = [httpx.post(f"{api}/api/jobs", json={"volume_id": small["id"], "prompts": [p]}).json()["id"]
              for p in ("liver", "spleen", "left kidney")]
    assert all(_job(api, j)["status"] == "queued" for j in queued)
    cluster.redis.restart_empty()  # the broker forgets every message, queued and in flight
    _until(lambda: all(_job(api, j)["status"] in ("done", "failed", "cancelled") for j in busy + queued), 600,
           "every job ends")
    assert [_job(api, j)["status"] for j in busy + queued] == ["done"] * 5
    # Delivered again by the re-publish, never run twice: one attempt and one result set each.
    assert [_row(cluster, j)["attempts"] for j in busy + queued] == [1] * 5
    assert [len(_job(api, j)["results"]) for j in busy + queued] == [1] * 5


def test_a_database_outage_longer_than_the_lost_timeout_answers_503_and_the_worker_finishes_once(
        cluster: Cluster) -> None:
    api = cluster.api[1]
    lost_after = float(cluster.env["VOXTELL_WORKER_LOST_AFTER_S"])
    volume = httpx.post(f"{api}/api/volumes", files={"file": ("big.nii.gz", _volume((200, 200, 64), 6))}).json()
    job = httpx.post(f"{api}/api/jobs", json={"volume_id": volume["id"], "prompts": ["liver"]}).json()
    _until(lambda: _job(api, job["id"])["done"] >= 2, 300, "the job is running")
    before = _row(cluster, job["id"])
    assert before["attempts"] == 1 and before["worker_id"]
    workers = [w for w in cluster.workers if w.poll() is None]  # (an earlier test killed one on purpose)
    assert len(workers) == 2
    cluster.postgres.stop()
    try:
        for path, method in ((f"/api/jobs/{job['id']}", "GET"), ("/api/jobs", "POST"), ("/api/info", "GET")):
            response = httpx.request(method, f"{api}{path}", timeout=30,
                                     json={"volume_id": volume["id"], "prompts": ["liver"]} if method == "POST" else None)
            assert response.status_code == 503, (path, response.status_code, response.text)
            assert "database is unavailable" in response.json()["detail"] and int(response.headers["retry-after"]) >= 1
        assert httpx.get(f"{api}/api/health").status_code == 200
        time.sleep(lost_after + 4)  # longer than a lost worker's timeout: heartbeats fail meanwhile
    finally:
        cluster.postgres.start()
    _until(lambda: _job(api, job["id"])["status"] in ("done", "failed"), 300, "the job ends")
    assert _job(api, job["id"])["status"] == "done"
    after = _row(cluster, job["id"])
    assert after["attempts"] == 1 and after["worker_id"] == before["worker_id"], "the job was run again"
    assert all(worker.poll() is None for worker in workers), "a worker died in the outage"
    mask = httpx.get(f"{api}/api/jobs/{job['id']}/masks/0.nii.gz")
    assert mask.status_code == 200 and _mask(mask.content).shape == (200, 200, 64)


def test_an_api_node_killed_during_predict_loses_nothing_accepted(cluster: Cluster) -> None:
    doomed = cluster.start_api()
    process = cluster.processes[-1]
    try:
        _kill_an_api_node_during_predict(cluster, doomed, process)
    finally:  # the cluster as it was for the tests after this one, whatever happened here
        if process.poll() is None:
            process.kill()
        if doomed in cluster.api:
            cluster.api.remove(doomed)


def _kill_an_api_node_during_predict(cluster: Cluster, doomed: str, process: subprocess.Popen[bytes]) -> None:
    before = _job_ids(cluster)
    content = _volume((200, 200, 64), 7)
    answered: list[int] = []

    def call() -> None:
        try:
            answered.append(httpx.post(f"{doomed}/predict", files={"image": ("a.nii.gz", content)},
                                       data={"prompt": "liver"}, timeout=300).status_code)
        except httpx.HTTPError:
            answered.append(-1)

    thread = threading.Thread(target=call)
    thread.start()
    _until(lambda: len(_job_ids(cluster) - before) == 1, 120, "the /predict job is accepted")
    (job_id,) = _job_ids(cluster) - before
    # A second client is half-way through an upload to the same node when it dies.
    host, port = doomed.removeprefix("http://").split(":")
    half = socket.create_connection((host, int(port)), timeout=20)
    half.sendall(f"POST /api/volumes HTTP/1.1\r\nHost: {host}\r\nContent-Type: multipart/form-data; boundary=b"
                 f"\r\nContent-Length: {len(content) + 200}\r\n\r\n".encode() + b"--b\r\nContent-Disposition: "
                 b"form-data; name=\"file\"; filename=\"a.nii.gz\"\r\n\r\n" + content[: len(content) // 2])
    volumes_before = _count(cluster, "volumes")
    process.kill()  # kill -9 of the API node while its clients wait
    half.close()
    thread.join(timeout=60)
    assert answered == [-1]
    assert _count(cluster, "volumes") == volumes_before, "the half-received upload left no volume row"
    assert list((cluster.data / "tmp").iterdir()) == [], "and no stray file"
    api = cluster.api[0]
    _until(lambda: _job(api, job_id)["status"] == "done", 300, "the accepted job finishes anyway")
    mask = httpx.get(f"{api}/api/jobs/{job_id}/masks/0.nii.gz")
    assert mask.status_code == 200 and _mask(mask.content).shape == (200, 200, 64)


def _count(cluster: Cluster, table: str) -> int:
    engine = sa.create_engine(cluster.postgres.url.replace("postgresql://", "postgresql+psycopg://", 1),
                              poolclass=sa.pool.NullPool)
    with engine.connect() as db:
        count = int(db.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar_one())
    engine.dispose()
    return count


def _row(cluster: Cluster, job_id: str) -> dict[str, object]:
    engine = sa.create_engine(cluster.postgres.url.replace("postgresql://", "postgresql+psycopg://", 1),
                              poolclass=sa.pool.NullPool)
    with engine.connect() as db:
        row = db.execute(sa.text("SELECT attempts, worker_id FROM jobs WHERE id = :id"), {"id": job_id}).mappings().one()
    engine.dispose()
    return dict(row)


def _job_ids(cluster: Cluster) -> set[str]:
    engine = sa.create_engine(cluster.postgres.url.replace("postgresql://", "postgresql+psycopg://", 1),
                              poolclass=sa.pool.NullPool)
    with engine.connect() as db:
        ids = set(db.execute(sa.text("SELECT id FROM jobs")).scalars())
    engine.dispose()
    return ids


def test_the_dicom_node_as_its_own_process_queues_to_the_workers(cluster: Cluster, tmp_path: Path) -> None:
    """`voxtell-web dicom-node` beside the API nodes: a CT series sent with dcmtk's storescu is
    matched by a rule, its protocol job runs on a worker, and the worklist (read on an API node)
    shows it done."""
    import shutil

    from tests.dicom_node.helpers import ct_series

    if shutil.which("storescu") is None:
        pytest.skip("dcmtk is not installed: make dicom-tools")
    api = cluster.api[0]
    config = {"destinations": [], "rules": [{"id": "ct", "match": {"modality": "CT"}, "protocol": "abdomen-ct"}]}
    assert httpx.put(f"{api}/api/dicom/config", json=config).status_code == 200
    port = free_port()
    env = {**cluster.env, "VOXTELL_DICOM_PORT": str(port), "VOXTELL_DICOM_ALLOWED_CALLERS": '["CT1"]',
           "VOXTELL_DICOM_QUIET_S": "1"}
    log = (cluster.data.parent / "dicom-node.log").open("wb")
    node = subprocess.Popen([sys.executable, "-m", "backend.cli", "dicom-node", "--data-dir", str(cluster.data)],
                            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    cluster.processes.append(node)
    try:
        _until(lambda: subprocess.run(["echoscu", "-aet", "CT1", "-aec", "VOXTELL", "127.0.0.1", str(port)],
                                      capture_output=True).returncode == 0, 120, "the DICOM node answers C-ECHO")
        files = ct_series(tmp_path / "ct", slices=8, size=32)
        sent = subprocess.run(["storescu", "-aet", "CT1", "-aec", "VOXTELL", "127.0.0.1", str(port),
                               *map(str, files)], capture_output=True, text=True, timeout=60)
        assert sent.returncode == 0, sent.stderr
        _until(lambda: [s["state"] for s in httpx.get(f"{api}/api/dicom/series").json()] == ["done"], 300,
               "the series' job done on a worker")
        [series] = httpx.get(f"{api}/api/dicom/series").json()
        job = _job(api, series["job_id"])
        assert job["status"] == "done" and job["protocol"] == "abdomen-ct"
        assert [r["name"] for r in job["results"]][:4] == ["Liver", "Spleen", "Kidney_L", "Kidney_R"]
        assert _row(cluster, job["id"])["worker_id"], "a worker ran it"
    finally:
        node.terminate()
        node.wait(timeout=30)

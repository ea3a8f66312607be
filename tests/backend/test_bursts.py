"""Bursts against a real ``voxtell-web serve`` process (demo model, real HTTP), on the default
SQLite store and on PostgreSQL: a request the server cannot take now answers 429 with
``Retry-After`` (never a 503 while the database is fine), and a refused call stores nothing."""

from __future__ import annotations

import gzip
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import nibabel as nib
import numpy as np
import pytest

from tests.services import free_port, postgres_server

ROOT = Path(__file__).resolve().parents[2]
CLIENTS = 80


def _volume() -> bytes:
    data = np.random.default_rng(0).normal(0, 1, (24, 20, 16)).astype(np.float32)
    return gzip.compress(nib.Nifti1Image(data, np.diag([1.5, 1.5, 2.0, 1.0])).to_bytes(), compresslevel=1)


class Server:
    def __init__(self, root: Path, database_url: str | None) -> None:
        self.root = root
        self.data = root / "data"
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = {**os.environ, "VOXTELL_HOME": str(root / "home"), "VOXTELL_MODEL": "", "VOXTELL_DEVICE": "cpu",
               "VOXTELL_STATIC_DIR": str(root / "no-static"), "VOXTELL_QUEUE_SIZE": "16"}
        if database_url:
            env["VOXTELL_DATABASE_URL"] = database_url
        self.log = (root / "server.log").open("wb")
        self.process = subprocess.Popen([sys.executable, "-m", "backend.cli", "serve", "--port", str(self.port),
                                         "--data-dir", str(self.data)], cwd=ROOT, env=env, stdout=self.log,
                                        stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 180
        while True:
            try:
                if httpx.get(f"{self.url}/api/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("the server did not start: " + (root / "server.log").read_text()[-2000:])
            time.sleep(0.2)

    def stored_volumes(self) -> list[Path]:
        return [p for p in (self.data / "volumes").iterdir() if p.is_file()]

    def settle(self) -> None:
        """Until no job is queued or running (the accepted calls are answered by then)."""
        deadline = time.monotonic() + 300
        while httpx.get(f"{self.url}/api/info", timeout=10).json()["queue_length"]:
            assert time.monotonic() < deadline, "jobs did not finish"
            time.sleep(0.3)

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(10)
        self.log.close()


@pytest.fixture(params=["sqlite", "postgresql"])
def server(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Server]:
    if request.param == "sqlite":
        running = Server(tmp_path, None)
        try:
            yield running
        finally:
            running.stop()
        return
    with postgres_server() as postgres:
        running = Server(tmp_path, postgres.url)
        try:
            yield running
        finally:
            running.stop()


def _burst(call: object) -> list[httpx.Response]:
    start = threading.Barrier(CLIENTS)

    def one(_: int) -> httpx.Response:
        start.wait()
        return call()  # type: ignore[operator,no-any-return]

    with ThreadPoolExecutor(CLIENTS) as pool:
        return list(pool.map(one, range(CLIENTS)))


def _refusals_say_when(answers: list[httpx.Response]) -> None:
    for answer in answers:
        if answer.status_code == 429:
            assert int(answer.headers["retry-after"]) >= 1, answer.headers
            assert "queue is full" in answer.json()["detail"]


def test_a_predict_burst_answers_results_or_429_and_stores_only_what_it_accepted(server: Server) -> None:
    volume = _volume()
    answers = _burst(lambda: httpx.post(f"{server.url}/predict", files={"image": ("v.nii.gz", volume)},
                                        data={"prompt": "liver"}, timeout=300))
    statuses = sorted({a.status_code for a in answers})
    assert set(statuses) <= {200, 429}, [(a.status_code, a.text[:200]) for a in answers if a.status_code != 200]
    _refusals_say_when(answers)
    accepted = sum(a.status_code == 200 for a in answers)
    assert accepted >= 1
    server.settle()
    assert len(server.stored_volumes()) == accepted
    assert not list((server.data / "tmp").iterdir())


def test_a_job_burst_answers_201_or_429(server: Server) -> None:
    volume = httpx.post(f"{server.url}/api/volumes", files={"file": ("v.nii.gz", _volume())}, timeout=60).json()
    answers = _burst(lambda: httpx.post(f"{server.url}/api/jobs", json={"volume_id": volume["id"],
                                                                         "prompts": ["liver"]}, timeout=120))
    assert {a.status_code for a in answers} <= {201, 429}, [(a.status_code, a.text[:200]) for a in answers
                                                           if a.status_code not in (201, 429)]
    _refusals_say_when(answers)
    assert 1 <= sum(a.status_code == 201 for a in answers) <= 16


def test_a_predict_cut_off_mid_body_leaves_nothing(server: Server) -> None:
    volume = _volume()
    boundary = "cutoff"
    head = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"prompt\"\r\n\r\nliver\r\n"
            f"--{boundary}\r\nContent-Disposition: form-data; name=\"image\"; filename=\"v.nii.gz\"\r\n"
            "Content-Type: application/gzip\r\n\r\n").encode()
    body = head + volume + f"\r\n--{boundary}--\r\n".encode()
    with socket.create_connection(("127.0.0.1", server.port), timeout=20) as raw:
        raw.sendall((f"POST /predict HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: {len(body)}\r\n"
                     f"Content-Type: multipart/form-data; boundary={boundary}\r\n\r\n").encode())
        raw.sendall(body[: len(body) // 2])
        time.sleep(0.5)
    time.sleep(1.0)  # the server notices the client is gone
    assert httpx.get(f"{server.url}/api/health", timeout=5).status_code == 200
    assert server.stored_volumes() == []
    assert not list((server.data / "tmp").iterdir())
    accepted = httpx.post(f"{server.url}/predict", files={"image": ("v.nii.gz", volume)},
                          data={"prompt": "liver"}, timeout=120)
    assert accepted.status_code == 200 and len(server.stored_volumes()) == 1


def test_an_official_images_upload_cut_off_mid_body_leaves_nothing(server: Server) -> None:
    """``POST /images`` streams the raw body into data/tmp (the one route that does): a client gone
    half-way leaves neither that file nor a volume."""
    volume = _volume()
    with socket.create_connection(("127.0.0.1", server.port), timeout=20) as raw:
        raw.sendall((f"POST /images HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: {len(volume)}\r\n"
                     "Content-Type: application/octet-stream\r\n\r\n").encode())
        raw.sendall(volume[: len(volume) // 2])
        deadline = time.monotonic() + 10  # until the server has begun writing the body into data/tmp
        while not list((server.data / "tmp").iterdir()) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert list((server.data / "tmp").iterdir()), "the body was never staged: this test would prove nothing"
    deadline = time.monotonic() + 10
    while list((server.data / "tmp").iterdir()) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not list((server.data / "tmp").iterdir())
    assert server.stored_volumes() == []
    whole = httpx.post(f"{server.url}/images", content=volume, headers={"Content-Type": "application/octet-stream"},
                       params={"include_image": "false"}, timeout=60)
    assert whole.status_code == 200 and len(server.stored_volumes()) == 1

"""Server test fixtures: a fake predictor with the engine's interface, and app factories."""

from __future__ import annotations

import contextlib
import gzip
import io
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import nibabel as nib
import numpy as np
import pytest
from fastapi.testclient import TestClient

from backend import Settings, create_app
from backend.storage.store import Store
from voxtell.errors import InferenceCancelled


class FakePredictor:
    """Geometry probe: prompt i marks voxels brighter than the (i+1)-th quartile-ish threshold.

    Calls the progress callback for ``patches`` fake windows, ``delay`` seconds apart, and
    honours cancellation exactly like the engine (``False`` -> ``InferenceCancelled``).
    """

    # The Predictor protocol's callbacks (the job executor sets them while a job runs).
    notice_callback: Callable[[str], None] | None = None
    phase_callback: Callable[[str], None] | None = None

    def __init__(self, patches: int = 3, delay: float = 0.0, demo: bool = False) -> None:
        self.patches = patches
        self.delay = delay
        self._demo = demo
        self.calls = 0
        self.gate = threading.Event()
        self.gate.set()

    @property
    def is_demo(self) -> bool:
        return self._demo

    def predict_single_image(self, data: np.ndarray, text_prompts: Any = None, text_embeddings: Any = None,
                             progress_callback: Any = None) -> np.ndarray:
        self.calls += 1
        self.gate.wait(30)
        for done in range(1, self.patches + 1):
            time.sleep(self.delay)
            if progress_callback is not None and progress_callback(done, self.patches) is False:
                raise InferenceCancelled("cancelled")
        prompts = [text_prompts] if isinstance(text_prompts, str) else list(text_prompts)
        return np.stack([(data > np.percentile(data, 50 + 10 * (i % 5))).astype(np.uint8)
                         for i in range(len(prompts))])

    def info(self) -> dict[str, Any]:
        return {"model_name": "fake", "demo": self._demo, "device": "cpu", "precision": "fp32",
                "path": "fast", "patch_size": [64, 64, 64]}

    def vocabulary(self) -> list[str]:
        return ["left kidney", "liver", "right kidney", "spleen"]


def nifti_bytes(shape: tuple[int, ...] = (20, 18, 16), dtype: Any = np.int16, affine: np.ndarray | None = None,
                compress: bool = True, seed: int = 0) -> bytes:
    data = (np.random.default_rng(seed).normal(100, 30, shape)).astype(dtype)
    if affine is None:
        affine = np.diag([-0.8, 0.9, 1.5, 1.0])
        affine[:3, 3] = [10, -20, 30]
    img = nib.Nifti1Image(data, affine)
    raw = img.to_bytes()
    return gzip.compress(raw) if compress else raw


def running_job(store: Store, prompts: list[str] | None = None) -> str:
    """A job on a small stored volume, moved to ``running`` as a worker's claim does; its id."""
    staged = store.tmp_path(".nii.gz")
    staged.write_bytes(nifti_bytes((12, 10, 8)))
    job = store.add_job(store.add_volume(staged, ".nii.gz", {}, owner="admin"), prompts or ["liver"], {}, owner="admin")
    assert job is not None and store.transition(job.id, ("queued",), "running", started=time.time())
    return job.id


def load_nifti(content: bytes) -> nib.Nifti1Image:
    raw = gzip.decompress(content) if content[:2] == b"\x1f\x8b" else content
    return nib.Nifti1Image.from_bytes(raw)


@pytest.fixture()
def make_client(tmp_path: Path) -> Iterator[Callable[..., TestClient]]:
    clients: list[TestClient] = []

    def factory(predictor: Any = None, data_dir: Path | None = None, **overrides: Any) -> TestClient:
        settings = Settings(data_dir=data_dir or tmp_path / "data", static_dir=tmp_path / "no-static", **overrides)
        pred = predictor if predictor is not None else FakePredictor()
        client = TestClient(create_app(settings, lambda _: pred))
        client.__enter__()
        clients.append(client)
        return client

    yield factory
    for client in clients:
        client.__exit__(None, None, None)


def upload(client: TestClient, content: bytes | None = None, name: str = "scan.nii.gz",
           headers: dict[str, str] | None = None) -> Any:
    content = nifti_bytes() if content is None else content
    return client.post("/api/volumes", files={"file": (name, io.BytesIO(content), "application/octet-stream")},
                       headers=headers or {})


def wait_done(client: TestClient, job_id: str, timeout: float = 60, headers: dict[str, str] | None = None) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = client.get(f"/api/jobs/{job_id}", headers=headers or {}).json()
        if job["status"] in ("done", "failed", "cancelled"):
            return job
        time.sleep(0.05)
    raise AssertionError(f"job {job_id} did not finish")


@contextlib.contextmanager
def data_dir_at_revision(data: Path, revision: str) -> Iterator[Any]:
    """A new SQLite data dir migrated only up to Alembic ``revision`` (an older release's schema);
    yields the connection for rows written as that release would have, committed on exit."""
    from alembic import command
    from alembic.config import Config

    from backend.storage.db import MIGRATIONS, make_engine, sqlite_url

    data.mkdir(parents=True)
    engine = make_engine(sqlite_url(data))
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["data_dir"] = data
    try:
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, revision)
            yield connection
    finally:
        engine.dispose()

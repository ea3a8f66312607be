"""A full disk: uploads answer 507 with a detail (never a reset or a 500), nothing half-written
stays, deleting volumes frees the space and the server recovers, the database stays sound.

The data dir is a real 8 MiB tmpfs (mounted by the test, as root; CI runs as root)."""

from __future__ import annotations

import io
import os
import shutil
import sqlite3
import subprocess
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from tests.backend.conftest import FakePredictor, nifti_bytes, upload, wait_done
from tests.backend.fakes import ScriptedPredictor


@pytest.fixture()
def small_disk(tmp_path: Path) -> Iterator[Path]:
    mount = tmp_path / "small-disk"
    mount.mkdir()
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root (CI runs as root, so this runs there)")
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", str(mount)], check=True)
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def _volume_bytes(seed: int) -> bytes:
    """~1.2 MB that does not compress: random int16 voxels, uncompressed NIfTI."""
    return nifti_bytes((80, 80, 96), compress=False, seed=seed)


def _integrity(data: Path) -> str:
    return str(sqlite3.connect(data / "voxtell.sqlite").execute("PRAGMA integrity_check").fetchone()[0])


def test_uploads_on_a_full_disk_answer_507_and_the_server_recovers(make_client, small_disk: Path) -> None:  # type: ignore[no-untyped-def]
    data = small_disk / "data"
    client = make_client(FakePredictor(), data_dir=data, disk_reserve_bytes=0)
    stored: list[str] = []
    statuses = []
    for seed in range(12):  # 8 MiB fill up after five or six of these
        response = upload(client, _volume_bytes(seed), name="scan.nii")
        statuses.append(response.status_code)
        if response.status_code == 201:
            stored.append(response.json()["id"])
        else:
            assert response.status_code == 507, response.text
            assert "disk is full" in response.json()["detail"]
            break
    assert statuses[-1] == 507 and len(stored) >= 2, statuses
    assert list((data / "tmp").iterdir()) == [], "the cut-off upload was removed at once"
    assert sorted(p.name for p in (data / "volumes").iterdir()) == sorted(f"{v}.nii" for v in stored)
    assert _integrity(data) == "ok"
    # /predict and an edited mask on the full disk: 507 too, nothing half-written.
    response = client.post("/predict", files={"image": ("a.nii", io.BytesIO(_volume_bytes(99)))},
                           data={"prompt": "liver"})
    assert response.status_code == 507 and "disk is full" in response.json()["detail"]
    assert list((data / "tmp").iterdir()) == []

    for volume_id in stored:
        assert client.delete(f"/api/volumes/{volume_id}").status_code == 204
    response = upload(client, _volume_bytes(50), name="scan.nii")
    assert response.status_code == 201, response.text
    job = client.post("/api/jobs", json={"volume_id": response.json()["id"], "prompts": ["liver"]}).json()
    assert wait_done(client, job["id"])["status"] == "done"
    assert _integrity(data) == "ok"


def test_below_the_reserve_uploads_are_refused_before_the_body(make_client, small_disk: Path) -> None:  # type: ignore[no-untyped-def]
    data = small_disk / "data"
    client = make_client(FakePredictor(), data_dir=data, disk_reserve_bytes=6 << 20)
    filler = small_disk / "filler"
    filler.write_bytes(np.random.default_rng(0).bytes(3 << 20))  # free space now below 6 MiB
    response = upload(client)
    assert response.status_code == 507 and "disk is full" in response.json()["detail"]
    assert list((data / "volumes").iterdir()) == [] and list((data / "tmp").iterdir()) == []
    filler.unlink()
    assert upload(client).status_code == 201


def _fill(disk: Path) -> Path:
    """Fill the file system to the last page; returns the filler file."""
    filler = disk / f"filler-{uuid.uuid4().hex}"
    with filler.open("wb", buffering=0) as f:
        for chunk in (1 << 20, 4096, 1):  # big pieces, then what is left
            try:
                while True:
                    f.write(b"\xff" * chunk)
            except OSError:
                pass
    assert shutil.disk_usage(disk).free < 65536
    return filler


def test_an_images_body_that_fills_the_disk_answers_507_and_leaves_nothing(make_client, small_disk: Path) -> None:  # type: ignore[no-untyped-def]
    """The official ``/images`` streams its raw body into ``data/tmp`` itself: a body larger than
    the disk answers 507 and the partial file is removed."""
    data = small_disk / "data"
    client = make_client(FakePredictor(), data_dir=data, disk_reserve_bytes=0)
    body = np.random.default_rng(3).bytes(12 << 20)  # more than the whole 8 MiB disk
    response = client.post("/images", content=body, headers={"Content-Type": "application/octet-stream"})
    assert response.status_code == 507, response.text
    assert "disk is full" in response.json()["detail"]
    assert list((data / "tmp").iterdir()) == [] and list((data / "volumes").iterdir()) == []
    assert shutil.disk_usage(small_disk).free > 6 << 20, "the partial body's space is free again"
    assert _integrity(data) == "ok"


def _job_held_then_disk_filled(client, predictor: ScriptedPredictor, disk: Path) -> tuple[str, Path]:  # type: ignore[no-untyped-def]
    """Admit a job (201) on a disk with room; fill the disk while the network runs; let it go on
    to write its masks. Returns the job id and the filler."""
    volume = upload(client, nifti_bytes((80, 80, 96), seed=1)).json()  # two masks of ~120 kB each
    response = client.post("/api/jobs", json={"volume_id": volume["id"], "prompts": ["liver", "spleen"]})
    assert response.status_code == 201, response.text
    assert predictor.reached.wait(30), "the job never ran"
    filler = _fill(disk)
    predictor.proceed.set()
    return response.json()["id"], filler


def test_a_job_whose_masks_cannot_be_written_fails_as_disk_full(make_client, small_disk: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """The data dir fills while the network runs (the job database elsewhere, as PostgreSQL is in
    a deployment): the masks cannot be written, the job fails as ``disk_full``, no mask is kept."""
    data = small_disk / "data"
    predictor = ScriptedPredictor(windows=2, hold_after=2)  # parks after its last window
    client = make_client(predictor, data_dir=data, disk_reserve_bytes=0,
                         database_url=f"sqlite:///{tmp_path / 'jobs.sqlite'}")
    job_id, filler = _job_held_then_disk_filled(client, predictor, small_disk)
    job = wait_done(client, job_id)
    assert (job["status"], job["error_kind"]) == ("failed", "disk_full"), job
    assert job["error"] == "the server's disk is full; the results could not be written"
    assert job["results"] == [] and client.get(f"/api/jobs/{job_id}/masks/0.nii.gz").status_code == 409
    assert not any((data / "results").rglob("*.nii.gz")), "no mask of the failed job is kept"
    filler.unlink()
    response = upload(client, _volume_bytes(7), name="scan.nii")
    assert response.status_code == 201, "the server goes on once there is room again"
    again = client.post("/api/jobs", json={"volume_id": response.json()["id"], "prompts": ["liver"]}).json()
    assert wait_done(client, again["id"])["status"] == "done"


def test_with_the_job_database_on_the_full_disk_the_failure_is_recorded_once_there_is_room(
        make_client, small_disk: Path) -> None:  # type: ignore[no-untyped-def]
    """The default embedded layout (SQLite in the data dir): while the disk is full even the
    job's failure cannot be written. The runner waits for room instead of dying: once space is
    freed the job is recorded as ``disk_full`` and the next job runs."""
    data = small_disk / "data"
    predictor = ScriptedPredictor(windows=2, hold_after=2)
    client = make_client(predictor, data_dir=data, disk_reserve_bytes=0)
    job_id, filler = _job_held_then_disk_filled(client, predictor, small_disk)
    time.sleep(2.0)  # the masks cannot be written, nor the failure: the runner waits
    filler.unlink()
    job = wait_done(client, job_id)
    assert (job["status"], job["error_kind"]) == ("failed", "disk_full"), job
    response = upload(client, _volume_bytes(8), name="scan.nii")
    assert response.status_code == 201
    again = client.post("/api/jobs", json={"volume_id": response.json()["id"], "prompts": ["liver"]}).json()
    assert wait_done(client, again["id"])["status"] == "done", "the runner is still alive"

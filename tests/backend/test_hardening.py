"""Issue 12, one row per defect: reads confined to the upload, no 5xx for malformed input, a
bounded queue, nothing stored for a refused request, bounded compute, honest job errors."""

from __future__ import annotations

import gzip
import io
import json
import os
import socket
import sqlite3
import struct
import threading
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import nibabel as nib
import numpy as np
import pytest

from backend import Settings
from tests.backend.conftest import FakePredictor, nifti_bytes, upload, wait_done
from tests.backend.live import live_server
from tests.dicom.series import pydicom, write_series
from voxtell.errors import InvalidInputError

SECRET = b"TOP-SECRET-7f3a9c"


def _stored(data: Path) -> list[str]:
    """Every file the server keeps for volumes and staging (empty after a refused upload)."""
    return sorted(p.name for folder in ("volumes", "tmp") for p in (data / folder).iterdir())


def _mha(data_file: str, header_size: int = 0) -> bytes:
    return (f"ObjectType = Image\nNDims = 3\nDimSize = 4 1 1\nElementType = MET_UCHAR\n"
            f"HeaderSize = {header_size}\nElementDataFile = {data_file}\n").encode()


def _nrrd(data_file: str) -> bytes:
    return (f"NRRD0004\ntype: uint8\ndimension: 3\nsizes: 4 1 1\nencoding: raw\n"
            f"data file: {data_file}\n\n").encode()


# What the attack reads in each row: {secret} is an absolute path to a file holding SECRET,
# {relative} the same file reached with ../ from the server's staging folder.
EXTERNAL_DATA = [
    ("mha absolute path", lambda p: _mha(p["secret"])),
    ("mha ../ path", lambda p: _mha(p["relative"])),
    ("mha the process environment", lambda p: _mha("/proc/self/environ")),
    ("mha /etc/passwd", lambda p: _mha("/etc/passwd")),
    ("mha LIST", lambda p: _mha("LIST") + p["secret"].encode() + b"\n"),
    ("mha file pattern", lambda p: _mha(p["secret"][:-1] + "%d 1 1 1")),
    ("mha LOCAL spelled lower-case", lambda p: _mha("local")),
    ("mha with the key twice", lambda p: _mha("LOCAL").replace(b"HeaderSize", f"ElementDataFile = {p['secret']}\n"
                                                                         "HeaderSize".encode())),
    ("nrrd absolute path", lambda p: _nrrd(p["secret"])),
    ("nrrd ../ path", lambda p: _nrrd(p["relative"])),
    ("nrrd datafile spelling", lambda p: _nrrd(p["secret"]).replace(b"data file", b"datafile")),
    ("nrrd LIST", lambda p: _nrrd("LIST").replace(b"\n\n", b"\n" + p["secret"].encode() + b"\n\n")),
    ("nrrd file pattern", lambda p: _nrrd(p["secret"][:-1] + "%d 1 1 1")),
    ("nrrd /etc/passwd", lambda p: _nrrd("/etc/passwd")),
]


@pytest.mark.parametrize(("name", "build"), EXTERNAL_DATA, ids=[c[0] for c in EXTERNAL_DATA])
@pytest.mark.parametrize("route", ["/api/volumes", "/predict"])
def test_a_header_never_makes_the_server_read_another_file(make_client, tmp_path: Path, name: str, build: Any,
                                                            route: str) -> None:  # type: ignore[no-untyped-def]
    secret = tmp_path / "secret1"
    secret.write_bytes(SECRET)
    data = tmp_path / "data"
    client = make_client(data_dir=data)
    relative = "../" * len((data / "tmp").relative_to("/").parts) + str(secret.relative_to("/"))
    content = build({"secret": str(secret), "relative": relative})
    if route == "/predict":
        response = client.post("/predict", files={"image": ("x.mha", io.BytesIO(content))}, data={"prompt": "liver"})
    else:
        response = upload(client, content, name="x.mha")
    assert response.status_code == 422, response.text
    detail = response.json()["detail"]
    assert "separate data file" in detail or "header" in detail
    assert SECRET.decode() not in response.text and "root" not in response.text
    assert _stored(data) == [], "a refused upload leaves nothing behind"


@pytest.mark.parametrize("suffix", [".mha", ".nrrd"])
def test_self_contained_nrrd_and_mha_still_upload(make_client, tmp_path: Path, suffix: str) -> None:  # type: ignore[no-untyped-def]
    import SimpleITK as sitk

    volume = np.arange(6 * 5 * 4, dtype=np.int16).reshape(4, 5, 6)  # ITK array order (k, j, i)
    path = tmp_path / f"ok{suffix}"
    sitk.WriteImage(sitk.GetImageFromArray(volume), str(path))
    response = upload(make_client(), path.read_bytes(), name=f"ok{suffix}")
    assert response.status_code == 201, response.text
    assert response.json()["shape"] == [6, 5, 4]
    assert response.json()["intensity_max"] == 119.0


def test_the_cli_still_reads_a_users_own_detached_header(tmp_path: Path) -> None:
    """Read confinement is the server's rule: on the user's machine a .nhdr-style file works."""
    from voxtell.io import read_volume

    (tmp_path / "voxels.raw").write_bytes(bytes([1, 2, 3, 4]))
    header = tmp_path / "image.nrrd"
    header.write_bytes(_nrrd("voxels.raw"))
    assert sorted(read_volume(header).data.ravel().tolist()) == [1.0, 2.0, 3.0, 4.0]  # LPS file, RAS array
    with pytest.raises(InvalidInputError, match="separate data file"):
        read_volume(header, confined=True)


def _nifti_with_offset(offset: float) -> bytes:
    raw = bytearray(nib.Nifti1Image(np.ones((4, 4, 4), np.int16), np.eye(4)).to_bytes())
    raw[108:112] = struct.pack("<f", offset)
    return gzip.compress(bytes(raw))


@pytest.mark.parametrize("offset", [float("nan"), float("inf"), -float("inf"), -352.0, 352.5])
def test_a_nonsense_voxel_offset_is_422(make_client, tmp_path: Path, offset: float) -> None:  # type: ignore[no-untyped-def]
    client = make_client(data_dir=tmp_path / "data")
    response = upload(client, _nifti_with_offset(offset))
    assert response.status_code == 422, response.text
    assert "voxel offset" in response.json()["detail"]
    assert _stored(tmp_path / "data") == []


def _damage(ds: Any, how: str) -> None:
    if how == "no PixelSpacing":
        del ds.PixelSpacing
    elif how == "PixelSpacing 0/0":
        ds.PixelSpacing = [0, 0]
    elif how == "no ImageOrientationPatient":
        del ds.ImageOrientationPatient
    elif how == "no PixelData":
        del ds.PixelData
    elif how == "Rows 0":
        ds.Rows = 0
    elif how == "ImageOrientationPatient not unit vectors":
        ds.ImageOrientationPatient = [0, 0, 0, 0, 0, 0]


DICOM_DAMAGE = [("no PixelSpacing", "PixelSpacing"), ("PixelSpacing 0/0", "PixelSpacing"),
                ("no ImageOrientationPatient", "ImageOrientationPatient"), ("no PixelData", "pixel data"),
                ("Rows 0", "Rows"), ("ImageOrientationPatient not unit vectors", "ImageOrientationPatient")]


@pytest.mark.parametrize(("how", "named"), DICOM_DAMAGE, ids=[d[0] for d in DICOM_DAMAGE])
def test_a_malformed_dicom_series_is_422_naming_the_field(make_client, tmp_path: Path, how: str,
                                                           named: str) -> None:  # type: ignore[no-untyped-def]
    files, _ = write_series(tmp_path / "series", np.zeros((6, 5, 3)), np.array([1.0, 0, 0]),
                            np.array([0, 1.0, 0]), (1.0, 1.0, 2.0), np.zeros(3))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        for path in files:
            ds = pydicom.dcmread(str(path))
            _damage(ds, how)
            ds.save_as(str(path), enforce_file_format=False)
            zf.write(path, path.name)
    data = tmp_path / "data"
    response = upload(make_client(data_dir=data), buffer.getvalue(), name="series.zip")
    assert response.status_code == 422, response.text
    assert named in response.json()["detail"]
    assert _stored(data) == []


def test_an_absurd_shape_is_refused_by_its_window_count(make_client, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """1x1x32767 voxels: 1,023 windows of the 64^3 patch (the fake's and the demo's)."""
    data = tmp_path / "data"
    predictor = FakePredictor()
    client = make_client(predictor, data_dir=data)
    thin = gzip.compress(nib.Nifti1Image(np.ones((1, 1, 32767), np.uint8), np.eye(4)).to_bytes())
    for response in (upload(client, thin),
                     client.post("/predict", files={"image": ("t.nii.gz", io.BytesIO(thin))}, data={"prompt": "liver"})):
        assert response.status_code == 422, response.text
        assert "needs 1023 sliding windows" in response.json()["detail"]
        assert "at most 320" in response.json()["detail"]
    assert _stored(data) == [] and predictor.calls == 0


def test_a_job_over_the_window_budget_by_its_step_is_422(make_client, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    data = tmp_path / "small-budget"
    client = make_client(max_windows=4, data_dir=data)
    refused = upload(client, nifti_bytes((100, 70, 70)))  # 3 x 2 x 2 = 12 windows at step 0.5 > 4
    assert refused.status_code == 422, refused.text
    assert refused.json()["detail"] == ("the image (70x70x100 voxels) needs 12 sliding windows of 64x64x64 at "
                                        "step 0.5; this server allows at most 4 per job")
    assert _stored(data) == [], "a volume over the budget is not kept"
    client = make_client(max_windows=12)
    volume = upload(client, nifti_bytes((100, 70, 70))).json()
    response = client.post("/api/jobs", json={"volume_id": volume["id"], "prompts": ["liver"],
                                              "options": {"tile_step_size": 0.25}})
    assert response.status_code == 422
    assert "sliding windows" in response.json()["detail"] and "step 0.25" in response.json()["detail"]


def test_a_job_over_the_time_limit_fails_with_its_reason(make_client) -> None:  # type: ignore[no-untyped-def]
    client = make_client(FakePredictor(patches=50, delay=0.02), job_timeout_s=0.05)
    volume = upload(client).json()
    job = client.post("/api/jobs", json={"volume_id": volume["id"], "prompts": ["liver"]}).json()
    finished = wait_done(client, job["id"])
    assert finished["status"] == "failed" and finished["error_kind"] == "timeout"
    assert "time limit of 0.05 s" in finished["error"]
    response = client.post("/predict", files={"image": ("a.nii.gz", io.BytesIO(nifti_bytes()))},
                           data={"prompt": "liver"})
    assert response.status_code == 422 and "time limit" in response.json()["detail"]


class RaisingPredictor(FakePredictor):
    def __init__(self, exc: Exception) -> None:
        super().__init__()
        self.exc = exc

    def predict_single_image(self, *args: Any, **kwargs: Any) -> np.ndarray:
        raise self.exc


@pytest.mark.parametrize(("exc", "kind", "status", "detail"), [
    (InvalidInputError("the image is all background"), "invalid_input", 422, "the image is all background"),
    (ValueError("operands could not be broadcast"), "internal", 500, "internal error"),
    (KeyError("bug"), "internal", 500, "internal error"),
    (OSError(28, "No space left on device"), "disk_full", 507, "disk is full"),
])
def test_a_job_error_is_blamed_on_the_right_party(make_client, exc: Exception, kind: str, status: int,
                                                  detail: str) -> None:  # type: ignore[no-untyped-def]
    client = make_client(RaisingPredictor(exc))
    volume = upload(client).json()
    job = wait_done(client, client.post("/api/jobs", json={"volume_id": volume["id"], "prompts": ["x"]}).json()["id"])
    assert (job["status"], job["error_kind"]) == ("failed", kind)
    assert detail in job["error"] or kind == "disk_full"
    assert "broadcast" not in job["error"], "internal messages stay in the server log"
    response = client.post("/predict", files={"image": ("a.nii.gz", io.BytesIO(nifti_bytes()))}, data={"prompt": "x"})
    assert response.status_code == status and detail in response.json()["detail"]


def test_concurrent_submissions_never_overshoot_the_queue(tmp_path: Path) -> None:
    predictor = FakePredictor()
    predictor.gate.clear()  # the first job holds the runner: nothing leaves the queue
    settings = Settings(data_dir=tmp_path / "data", static_dir=tmp_path / "none", queue_size=16)
    with live_server(settings, predictor) as url:
        volume = httpx.post(f"{url}/api/volumes", files={"file": ("a.nii.gz", nifti_bytes())}).json()
        barrier = threading.Barrier(80)

        def submit(_: int) -> int:
            with httpx.Client(timeout=60) as client:
                barrier.wait()
                return client.post(f"{url}/api/jobs", json={"volume_id": volume["id"], "prompts": ["liver"]}).status_code

        with ThreadPoolExecutor(80) as pool:
            codes = list(pool.map(submit, range(80)))
        predictor.gate.set()
    assert codes.count(201) == 16 and codes.count(429) == 64, codes
    db = sqlite3.connect(tmp_path / "data" / "voxtell.sqlite")
    assert db.execute("SELECT count(*) FROM jobs").fetchone()[0] == 16


def _raw_post_headers_only(url: str, path: str, length: int) -> tuple[int, dict[str, str], bytes]:
    """Send a request's headers and none of its (announced) body; return the answer."""
    host, port = url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=20) as sock:
        sock.sendall(f"POST {path} HTTP/1.1\r\nHost: {host}\r\nContent-Type: multipart/form-data; boundary=b\r\n"
                     f"Content-Length: {length}\r\n\r\n".encode())
        answer = b""
        while b"\r\n\r\n" not in answer or len(answer.split(b"\r\n\r\n", 1)[1]) < _content_length(answer):
            chunk = sock.recv(65536)
            if not chunk:
                break
            answer += chunk
    head, body = answer.split(b"\r\n\r\n", 1)
    lines = head.decode().split("\r\n")
    headers = {k.lower(): v.strip() for k, v in (line.split(":", 1) for line in lines[1:])}
    return int(lines[0].split()[1]), headers, body


def _content_length(answer: bytes) -> int:
    for line in answer.split(b"\r\n\r\n", 1)[0].split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            return int(line.split(b":")[1])
    return 1 << 30


def test_a_full_queue_refuses_predict_before_the_upload_and_stores_nothing(tmp_path: Path) -> None:
    predictor = FakePredictor()
    predictor.gate.clear()
    data = tmp_path / "data"
    settings = Settings(data_dir=data, static_dir=tmp_path / "none", queue_size=2)
    with live_server(settings, predictor) as url:
        volume = httpx.post(f"{url}/api/volumes", files={"file": ("a.nii.gz", nifti_bytes())}).json()
        for _ in range(2):
            assert httpx.post(f"{url}/api/jobs", json={"volume_id": volume["id"], "prompts": ["x"]}).status_code == 201
        # 100 MB announced, not one byte sent: the answer can only come before the body.
        status, headers, body = _raw_post_headers_only(url, "/predict", 100 << 20)
        assert status == 429 and int(headers["retry-after"]) >= 1
        assert "queue is full" in json.loads(body)["detail"]

        def predict(_: int) -> int:
            return httpx.post(f"{url}/predict", files={"image": ("a.nii.gz", nifti_bytes())},
                              data={"prompt": "liver"}, timeout=60).status_code

        with ThreadPoolExecutor(20) as pool:
            codes = list(pool.map(predict, range(20)))
        predictor.gate.set()
    assert codes == [429] * 20
    assert sorted(p.name for p in (data / "volumes").iterdir()) == [f"{volume['id']}.nii.gz"]
    assert list((data / "tmp").iterdir()) == []


def test_retry_after_follows_the_measured_job_duration(make_client) -> None:  # type: ignore[no-untyped-def]
    predictor = FakePredictor(patches=1)
    client = make_client(predictor, queue_size=1)
    state = client.app.state.voxtell  # type: ignore[attr-defined]
    volume = upload(client).json()
    done = wait_done(client, client.post("/api/jobs", json={"volume_id": volume["id"], "prompts": ["x"]}).json()["id"])
    state.store.update_job(done["id"], started=1000.0, finished=1000.0 + 95.2)  # a 95 s job
    predictor.gate.clear()
    client.post("/api/jobs", json={"volume_id": volume["id"], "prompts": ["x"]})
    response = client.post("/api/jobs", json={"volume_id": volume["id"], "prompts": ["x"]})
    predictor.gate.set()
    assert response.status_code == 429 and response.headers["retry-after"] == "96"


def test_unauthenticated_uploads_are_refused_before_the_body(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data", static_dir=tmp_path / "none", api_key="k" * 20)
    with live_server(settings, FakePredictor()) as url:
        status, headers, body = _raw_post_headers_only(url, "/api/volumes", 100 << 20)
        assert status == 401 and headers["www-authenticate"] == "Bearer"
        for path in ("/openapi.json", "/docs"):
            assert httpx.get(f"{url}{path}").status_code == 401
            assert httpx.get(f"{url}{path}", headers={"Authorization": "Bearer " + "k" * 20}).status_code == 200
        assert httpx.get(f"{url}/api/health").status_code == 200


def test_docs_can_be_switched_off(make_client) -> None:  # type: ignore[no-untyped-def]
    client = make_client(docs=False)
    assert client.get("/openapi.json").status_code == 404 and client.get("/docs").status_code == 404


def test_every_answer_carries_the_security_headers_and_no_banner(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data", static_dir=tmp_path / "none")
    with live_server(settings, FakePredictor()) as url:
        volume = httpx.post(f"{url}/api/volumes", files={"file": ("a.nii.gz", nifti_bytes())}).json()
        answers = [httpx.get(f"{url}/api/health"), httpx.get(f"{url}/api/volumes/{volume['id']}/image"),
                   httpx.get(f"{url}/api/jobs/nope"), httpx.get(f"{url}/openapi.json"),
                   httpx.post(f"{url}/predict", files={"image": ("a.nii.gz", nifti_bytes())}, data={"prompt": "x"})]
    for response in answers:
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["x-frame-options"] == "DENY"
        assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
        assert response.headers["referrer-policy"] == "no-referrer"
        assert response.headers["cross-origin-opener-policy"] == "same-origin"
        denied = {part.strip() for part in response.headers["permissions-policy"].split(",")}
        assert {"camera=()", "microphone=()", "geolocation=()", "usb=()"} <= denied
        assert "server" not in response.headers
    for response in (answers[0], answers[1], answers[2], answers[4]):
        assert response.headers["cache-control"] == "no-store"


def test_the_web_app_page_is_revalidated_and_carries_the_browser_policies(tmp_path: Path) -> None:
    """A new release is picked up at the next load (index.html: no-cache; hashed assets may be
    cached), and the page runs with an isolated browsing context and no camera, microphone, ..."""
    static = tmp_path / "dist"
    (static / "assets").mkdir(parents=True)
    (static / "index.html").write_text("<!doctype html><title>VoxTell</title>")
    (static / "assets" / "app-1234.js").write_text("console.log(1)")
    settings = Settings(data_dir=tmp_path / "data", static_dir=static)
    with live_server(settings, FakePredictor()) as url:
        pages = [httpx.get(f"{url}/"), httpx.get(f"{url}/index.html"), httpx.get(f"{url}/some/view")]
        asset = httpx.get(f"{url}/assets/app-1234.js")
    for page in pages:
        assert page.status_code == 200 and "<title>VoxTell</title>" in page.text
        assert page.headers["cache-control"] == "no-cache"
        assert page.headers["cross-origin-opener-policy"] == "same-origin"
        assert "camera=()" in page.headers["permissions-policy"]
    assert asset.status_code == 200 and "cache-control" not in asset.headers


def test_leftover_staging_files_are_swept(make_client, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    import os
    import time

    from backend.storage.retention import RetentionSweeper

    data = tmp_path / "data"
    (data / "tmp" / "crashed-dicom").mkdir(parents=True)
    (data / "tmp" / "crashed-dicom" / "part00000").write_bytes(b"x")
    (data / "tmp" / "crashed.nii.gz").write_bytes(b"x")
    client = make_client(data_dir=data)
    assert list((data / "tmp").iterdir()) == [], "a restart clears the staging folder"
    old, fresh = data / "tmp" / "old-dicom", data / "tmp" / "fresh.nii"
    old.mkdir()
    fresh.write_bytes(b"x")
    two_hours_ago = time.time() - 7200
    os.utime(old, (two_hours_ago, two_hours_ago))
    assert RetentionSweeper(client.app.state.voxtell.store, client.app.state.voxtell.settings).sweep_tmp() == 1  # type: ignore[attr-defined]
    assert [p.name for p in (data / "tmp").iterdir()] == ["fresh.nii"]


def test_an_old_database_upgrades_in_place(make_client, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """A data dir written before error kinds existed keeps its jobs and gains the column."""
    data = tmp_path / "data"
    data.mkdir()
    db = sqlite3.connect(data / "voxtell.sqlite")
    db.executescript("""
        CREATE TABLE volumes (id TEXT PRIMARY KEY, created REAL NOT NULL, file TEXT NOT NULL, meta TEXT NOT NULL);
        CREATE TABLE jobs (id TEXT PRIMARY KEY, volume_id TEXT NOT NULL, created REAL NOT NULL, prompts TEXT NOT NULL,
            options TEXT NOT NULL, status TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0, started REAL,
            finished REAL, done INTEGER NOT NULL DEFAULT 0, total INTEGER NOT NULL DEFAULT 0, error TEXT,
            results TEXT NOT NULL DEFAULT '[]');
        INSERT INTO jobs (id, volume_id, created, prompts, options, status, error)
            VALUES ('oldjob', 'v', 1.0, '["liver"]', '{}', 'failed', 'old failure');
        INSERT INTO jobs (id, volume_id, created, prompts, options, status, results)
            VALUES ('donejob', 'v', 1.0, '["a", "b"]', '{}', 'done', '[{"index": 0}, {"index": 1}]');""")
    db.commit()
    db.close()
    # mask 3 was deleted before: its tombstone file keeps index 3 used.
    (data / "results" / "donejob").mkdir(parents=True)
    (data / "results" / "donejob" / "mask_3.deleted").touch()
    client = make_client(data_dir=data)
    job = client.get("/api/jobs/oldjob").json()
    assert (job["status"], job["error"], job["error_kind"]) == ("failed", "old failure", None)
    db = sqlite3.connect(data / "voxtell.sqlite")
    assert db.execute("SELECT version_num FROM alembic_version").fetchone()[0] == "0011", "Alembic head"
    store = client.app.state.voxtell.store  # type: ignore[attr-defined]
    assert store.get_job("donejob").next_mask_index == 4, "never reuses 3, whose mask was deleted"
    assert list((data / "results" / "donejob").iterdir()) == [], "tombstones are read once, then gone"


def _open_under(folder: Path) -> list[str]:
    """The files under ``folder`` this process holds open (the live server runs in it), also
    unnamed (``O_TMPFILE``) or deleted ones, which no directory listing shows."""
    held = []
    for fd in os.listdir("/proc/self/fd"):
        try:
            target = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:  # closed meanwhile
            continue
        if target.startswith(f"{folder}/"):
            held.append(target)
    return held


def _kept(data: Path) -> list[str]:
    """Every file under the data dir but the job database's."""
    return sorted(str(p.relative_to(data)) for p in data.rglob("*")
                  if p.is_file() and not p.name.startswith("voxtell.sqlite"))


def _until(condition: Any, what: str, timeout_s: float = 20) -> None:
    """Bounded polling for a state that must be reached."""
    import time

    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for: {what}"
        time.sleep(0.02)


def test_an_interrupted_upload_leaves_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The client sends half of a 4 MB form upload and goes away.

    Where the bytes go: the framework spools a form's file part (python-multipart through
    Starlette; over 1 MB on disk) to an anonymous temporary file of the system's temp dir, never
    under the data dir; the server stages the upload in ``data/tmp`` only once the whole form has
    arrived. So the promise is: while the half body arrives and after the client is gone, nothing
    is stored under ``data/`` and no file there is held open, and the spooled file is closed and
    gone."""
    import tempfile

    spool = tmp_path / "system-tmp"
    spool.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(spool))  # the system temp dir of this process
    data = tmp_path / "data"
    settings = Settings(data_dir=data, static_dir=tmp_path / "none")
    body = nifti_bytes((128, 128, 128), compress=False)
    head = (b"--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.nii\"\r\n"
            b"Content-Type: application/octet-stream\r\n\r\n")
    with live_server(settings, FakePredictor()) as url:
        host, port = url.removeprefix("http://").split(":")
        with socket.create_connection((host, int(port)), timeout=20) as sock:
            sock.sendall(f"POST /api/volumes HTTP/1.1\r\nHost: {host}\r\nContent-Type: multipart/form-data; "
                         f"boundary=b\r\nContent-Length: {len(head) + len(body) + 8}\r\n\r\n".encode())
            sock.sendall(head + body[: len(body) // 2])
            _until(lambda: _open_under(spool), "the form's file part spooled to the system temp dir")
            assert [f for f in _open_under(data) if not Path(f).name.startswith("voxtell.sqlite")] == [], \
                "the half-received upload is held under the data dir"
            assert _kept(data) == []
        _until(lambda: not _open_under(spool), "the spooled file closed once the client is gone")
        assert list(spool.iterdir()) == [], "the spooled file is gone"
        assert _kept(data) == [] and [f for f in _open_under(data)
                                      if not Path(f).name.startswith("voxtell.sqlite")] == []
        complete = httpx.post(f"{url}/api/volumes", files={"file": ("a.nii", body)})
        assert complete.status_code == 201
        assert _kept(data) == [f"volumes/{complete.json()['id']}.nii"], "what a complete upload stores"
        _until(lambda: not _open_under(spool), "the complete upload's spooled file closed after its answer")
        assert list(spool.iterdir()) == []

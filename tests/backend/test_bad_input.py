"""Hostile and broken uploads: a clear 4xx with a message, nothing stored, the server keeps working."""

from __future__ import annotations

import gzip
import io
import struct
from pathlib import Path

import nibabel as nib
import numpy as np
import pytest

from tests.backend.conftest import nifti_bytes, upload, wait_done


def _header_bytes(dims: list[int], datatype: int = 4, bitpix: int = 16, pixdim: list[float] | None = None,
                  magic: bytes = b"n+1\x00", srow: list[float] | None = None, vox_offset: float = 352.0) -> bytes:
    hdr = nib.Nifti1Header()
    raw = bytearray(hdr.binaryblock)
    full = [len(dims), *dims] + [1] * (7 - len(dims))
    raw[40:56] = struct.pack("<8h", *full)
    raw[70:72] = struct.pack("<h", datatype)
    raw[72:74] = struct.pack("<h", bitpix)
    raw[76:108] = struct.pack("<8f", *(pixdim or [1, 1, 1, 1, 1, 1, 1, 1]))
    raw[108:112] = struct.pack("<f", vox_offset)
    raw[254:256] = struct.pack("<h", 1)  # sform_code
    rows = srow or [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0]
    raw[280:328] = struct.pack("<12f", *rows)
    raw[344:348] = magic
    return bytes(raw) + b"\x00" * 4


def _with_body(header: bytes, nbytes: int) -> bytes:
    return gzip.compress(header + b"\x01" * nbytes)


def _img(data: np.ndarray, affine: np.ndarray | None = None) -> bytes:
    return gzip.compress(nib.Nifti1Image(data, np.eye(4) if affine is None else affine).to_bytes())


CASES: list[tuple[str, bytes, int, str]] = [
    ("empty file", b"", 422, "too short"),
    ("text file named .nii.gz", b"hello, I am not an image" * 20, 422, "not a NIfTI"),
    ("gzip of text", gzip.compress(b"just text " * 100), 422, "not a NIfTI"),
    ("truncated gzip", nifti_bytes()[:200], 422, "gzip data is corrupt or truncated"),
    ("corrupt gzip body", nifti_bytes()[:30] + b"\x00" * 400, 422, "gzip data is corrupt or truncated"),
    ("wrong magic", _with_body(_header_bytes([4, 4, 4], magic=b"xyz\x00"), 128), 422, "bad magic"),
    ("two-file nifti", _with_body(_header_bytes([4, 4, 4], magic=b"ni1\x00"), 128), 422, "two-file"),
    ("2-D image", _img(np.ones((8, 8), np.int16)), 422, "only 3-D images are supported, this one has 2"),
    ("5-D image", _img(np.ones((4, 4, 4, 2, 2), np.int16)), 422, "only 3-D images are supported"),
    ("4-D with 3 volumes", _img(np.ones((4, 4, 4, 3), np.int16)), 422, "a 4-D file must hold a single volume"),
    ("zero dimension", _with_body(_header_bytes([4, 0, 4]), 0), 422, "dimensions must be positive"),
    ("negative dimension", _with_body(_header_bytes([4, -3, 4]), 0), 422, "dimensions must be positive"),
    ("huge claimed dims, tiny body", _with_body(_header_bytes([30000, 30000, 30000]), 64), 422, "voxels"),
    ("claimed dims over the byte limit", _with_body(_header_bytes([2000, 2000, 1000], datatype=64, bitpix=64), 64),
     422, "voxels"),
    ("body shorter than header says", _with_body(_header_bytes([10, 10, 10]), 100), 422, "truncated"),
    ("NaN affine", _with_body(_header_bytes([4, 4, 4], srow=[float("nan")] * 12), 128), 422, "affine"),
    ("singular affine", _with_body(_header_bytes([4, 4, 4], srow=[0.0] * 12), 128), 422, "affine"),
    ("zero voxel size", _with_body(_header_bytes([4, 4, 4], pixdim=[1, 0, 1, 1, 1, 1, 1, 1]), 128), 422,
     "voxel sizes"),
    ("unsupported dtype (complex)", _with_body(_header_bytes([4, 4, 4], datatype=32, bitpix=64), 512), 422,
     "not supported"),
    ("unsupported dtype (RGB)", _with_body(_header_bytes([4, 4, 4], datatype=128, bitpix=24), 192), 422,
     "not supported"),
    ("voxel offset inside header", _with_body(_header_bytes([4, 4, 4], vox_offset=10), 128), 422, "voxel offset"),
    ("gzip bomb", gzip.compress(nib.Nifti1Image(np.ones((8, 8, 8), np.uint8), np.eye(4)).to_bytes()
                                + b"\x00" * (64 * 1024 * 1024)), 422, "decompresses to far more"),
    ("uncompressed truncated", nib.Nifti1Image(np.ones((10, 10, 10), np.int16), np.eye(4)).to_bytes()[:600], 422,
     "truncated"),
    ("short header", gzip.compress(b"\x5c\x01\x00\x00" + b"\x00" * 100), 422, "too short"),
    ("NIfTI-2 bad magic", gzip.compress(struct.pack("<i", 540) + b"n+1\x00" + b"\x00" * 600), 422, "NIfTI-2"),
    ("NaN in data", _img(np.full((6, 6, 6), np.nan, np.float32)), 201, ""),
]


@pytest.mark.parametrize(("name", "content", "status", "message"), CASES, ids=[c[0] for c in CASES])
def test_hostile_upload(make_client, tmp_path: Path, name: str, content: bytes, status: int, message: str) -> None:  # type: ignore[no-untyped-def]
    client = make_client(data_dir=tmp_path / "data", max_image_bytes=256 * 1024**2)
    response = upload(client, content)
    assert response.status_code == status, response.text
    if status >= 400:
        assert message in response.json()["detail"]
        assert not list((tmp_path / "data" / "volumes").iterdir()), "nothing stored for a refused upload"
        assert not list((tmp_path / "data" / "tmp").iterdir()), "no staged leftovers"
    _still_serves(client)


def _still_serves(client) -> None:  # type: ignore[no-untyped-def]
    vol = upload(client).json()
    job = client.post("/api/jobs", json={"volume_id": vol["id"], "prompts": ["liver"]}).json()
    assert wait_done(client, job["id"])["status"] == "done"


def test_traversal_filename_is_never_used_as_a_path(make_client, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    client = make_client(data_dir=tmp_path / "data")
    response = upload(client, name="../../../../etc/evil.nii.gz")
    assert response.status_code == 201
    stored = [p.name for p in (tmp_path / "data" / "volumes").iterdir()]
    assert stored == [f"{response.json()['id']}.nii.gz"]
    assert not (tmp_path / "etc").exists()


def test_oversize_body_is_413_and_nothing_is_kept(make_client, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    client = make_client(data_dir=tmp_path / "data", max_upload_bytes=50_000)
    big = nifti_bytes((64, 64, 64), compress=False)
    response = upload(client, big)
    assert response.status_code == 413 and "larger than the limit" in response.json()["detail"]

    def chunks():  # no Content-Length: the limit is enforced while streaming
        boundary = b"--xyz\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.nii\"\r\n\r\n"
        yield boundary
        for i in range(0, len(big), 8192):
            yield big[i:i + 8192]
        yield b"\r\n--xyz--\r\n"

    response = client.post("/api/volumes", content=chunks(),
                           headers={"Content-Type": "multipart/form-data; boundary=xyz"})
    assert response.status_code == 413
    assert not list((tmp_path / "data" / "volumes").iterdir())
    _still_serves(client)


@pytest.mark.parametrize(("body", "status", "message"), [
    ({"volume_id": "nope", "prompts": ["liver"]}, 404, "volume not found"),
    ({"volume_id": "X", "prompts": []}, 422, "prompts"),
    ({"volume_id": "X", "prompts": ["  "]}, 422, "non-empty"),
    ({"volume_id": "X", "prompts": ["x" * 501]}, 422, "longer than 500"),
    ({"volume_id": "X", "prompts": ["a"], "options": {"tile_step_size": 2}}, 422, "tile_step_size"),
])
def test_bad_job_requests(make_client, body: dict, status: int, message: str) -> None:  # type: ignore[no-untyped-def]
    client = make_client()
    vol = upload(client).json()
    if body["volume_id"] == "X":
        body = {**body, "volume_id": vol["id"]}
    response = client.post("/api/jobs", json=body)
    assert response.status_code == status and message in response.json()["detail"]


def test_unknown_ids_are_404(make_client) -> None:  # type: ignore[no-untyped-def]
    client = make_client()
    for path in ("/api/jobs/abc", "/api/volumes/abc", "/api/volumes/abc/image", "/api/jobs/abc/masks/0.nii.gz"):
        response = client.get(path)
        assert response.status_code == 404 and "not found" in response.json()["detail"]
    response = client.post("/predict", files={"image": ("a.nii.gz", io.BytesIO(nifti_bytes()))}, data={"prompt": " "})
    assert response.status_code == 422 and "non-empty prompt" in response.json()["detail"]

"""napari-voxtell 0.2.0's own Remote-mode client (``VoxTellRemoteClient``, unchanged) against our
server on a real uvicorn: what it receives and exports equals what ``POST /predict`` answers for
the same file and prompt, voxel for voxel and with the same affine, in any orientation."""

from __future__ import annotations

import gzip
from pathlib import Path
from typing import Any

import httpx
import nibabel as nib
import numpy as np
import pytest

from backend import Settings
from tests.backend.conftest import FakePredictor
from tests.backend.fakes import ScriptedPredictor
from tests.backend.live import live_server
from tests.backend.napari_remote import load_remote
from voxtell.io import read_volume
from voxtell.io.packed import pack_array, unpack_array

REMOTE = load_remote()
pytestmark = pytest.mark.skipif(REMOTE is None, reason="napari-voxtell 0.2.0 could not be downloaded from PyPI "
                                "(tests/backend/napari_remote.py); the protocol tests still run")
ORIENTATIONS = {"RAS": (0.8, 0.9, 1.5), "LAS": (-0.8, 0.9, 1.5), "LPS": (-0.8, -0.9, 1.5), "PIR": None}


def image_bytes(orientation: str, shape: tuple[int, int, int] = (22, 19, 17)) -> bytes:
    zooms = ORIENTATIONS[orientation]
    if zooms is None:  # a permuted one: file axes (A->P, S->I, L->R)
        affine = np.array([[0, 0, 0.8, -10], [-0.9, 0, 0, 20], [0, -1.5, 0, 30], [0, 0, 0, 1]], float)
    else:
        affine = np.diag([*zooms, 1.0])
        affine[:3, 3] = [10, -20, 30]
    data = np.random.default_rng(7).normal(100, 30, shape).astype(np.int16)
    return gzip.compress(nib.Nifti1Image(data, affine).to_bytes(), compresslevel=1)


def nifti(content: bytes) -> nib.Nifti1Image:
    return nib.Nifti1Image.from_bytes(gzip.decompress(content) if content[:2] == b"\x1f\x8b" else content)


def predict(url: str, content: bytes, prompts: list[str], headers: dict[str, str] | None = None) -> nib.Nifti1Image:
    files: Any = [("image", ("in.nii.gz", content, "application/gzip"))] + [("prompt", (None, p)) for p in prompts]
    resp = httpx.post(f"{url}/predict", files=files, headers=headers or {}, timeout=120)
    assert resp.status_code == 200, resp.text
    return nifti(resp.content)


def client_for(url: str, api_key: str | None = None) -> Any:
    assert REMOTE is not None
    return REMOTE[0].VoxTellRemoteClient(url, api_key)


def segment(client: Any, image_id: str, prompts: list[str], keep_largest: bool = False) -> tuple[np.ndarray, list]:
    """What the plugin's ``RemoteProcessingThread`` does: start, stream to the end, fetch."""
    job_id = client.start_job(image_id, prompts, keep_largest)
    seen = list(client.stream_events(job_id))
    assert seen[-1] == {"status": "done"}, seen
    return client.get_result(job_id), seen


@pytest.mark.parametrize("orientation", list(ORIENTATIONS))
def test_mask_and_export_equal_predict(tmp_path: Path, orientation: str) -> None:
    content = image_bytes(orientation)
    path = tmp_path / "in.nii.gz"
    path.write_bytes(content)
    volume = read_volume(path)
    with live_server(Settings(data_dir=tmp_path / "data", static_dir=tmp_path / "none"), FakePredictor()) as url:
        client = client_for(url)
        assert client.healthz() is True
        image_id, array, spacing, shape = client.upload_image(content)
        assert array is not None and np.array_equal(array, volume.data)
        assert shape == volume.data.shape and spacing == pytest.approx(volume.geometry.spacing)

        masks, seen = segment(client, image_id, ["liver"])
        assert seen[:3] == [{"done": 1, "total": 3}, {"done": 2, "total": 3}, {"done": 3, "total": 3}]
        assert masks.shape == (1, *volume.data.shape) and masks.dtype == np.uint8
        exported = nifti(client.export(image_id, masks[0]))
        expected = predict(url, content, ["liver"])
        assert np.array_equal(np.asarray(exported.dataobj), np.asarray(expected.dataobj))
        assert np.allclose(exported.affine, expected.affine) and np.allclose(exported.affine, nifti(content).affine)

        # several prompts: the plugin's merged label map equals /predict's label map
        masks, _ = segment(client, image_id, ["liver", "spleen"])
        combined = np.zeros(masks.shape[1:], np.int32)
        for i, mask in enumerate(masks):
            combined[mask > 0] = i + 1
        exported = nifti(client.export(image_id, combined))
        expected = predict(url, content, ["liver", "spleen"])
        assert np.array_equal(np.asarray(exported.dataobj), np.asarray(expected.dataobj))
        assert np.allclose(exported.affine, expected.affine)
        client.close()


def test_lean_upload_cancel_and_auth(tmp_path: Path) -> None:
    predictor = ScriptedPredictor(windows=5, hold_after=2)
    settings = Settings(data_dir=tmp_path / "data", static_dir=tmp_path / "none", api_key="k3y")
    with live_server(settings, predictor) as url:
        anonymous = client_for(url)
        assert anonymous.healthz() is True  # open, as the official server
        with pytest.raises(httpx.HTTPStatusError) as refused:
            anonymous.capabilities()
        assert refused.value.response.status_code == 401
        client = client_for(url, "k3y")
        assert client.capabilities()["model"] == "scripted"
        image_id, array, _, shape = client.upload_image(image_bytes("LPS"), include_image=False)
        assert array is None and shape == (17, 19, 22)
        job_id = client.start_job(image_id, ["liver"])
        stream = client.stream_events(job_id)
        assert next(stream) == {"done": 1, "total": 5}
        assert predictor.reached.wait(30)
        client.cancel(job_id)
        predictor.proceed.set()
        assert list(stream)[-1] == {"status": "cancelled"}
        with pytest.raises(httpx.HTTPStatusError) as early:
            client.get_result(job_id)
        assert early.value.response.status_code == 409


def test_the_wire_format_is_napari_voxtells_byte_for_byte() -> None:
    assert REMOTE is not None
    theirs = REMOTE[1]
    rng = np.random.default_rng(3)
    for arr in [rng.normal(size=(17, 19, 22)).astype(np.float32), (rng.random((2, 9, 8, 7)) > 0.5).astype(np.uint8),
                rng.integers(-1000, 3000, (5, 6, 7)).astype(np.int16), np.arange(6, dtype=">i4").reshape(2, 3),
                np.zeros((0, 4), np.uint16)]:
        assert pack_array(arr) == theirs.pack_array(arr)
        for mine in (unpack_array(theirs.pack_array(arr)), theirs.unpack_array(pack_array(arr))):
            assert mine.dtype == arr.dtype and mine.shape == arr.shape and np.array_equal(mine, arr)

"""Full flows through the HTTP API: upload -> job -> SSE -> results, and ``POST /predict``."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path
from typing import Any

import nibabel as nib
import numpy as np
from fastapi.testclient import TestClient
from scipy import ndimage

from tests.backend.conftest import FakePredictor, load_nifti, nifti_bytes, upload, wait_done
from voxtell.inference.predictor import VoxTellPredictor

SIX_CONNECTED = ndimage.generate_binary_structure(3, 1)


def _expected_statistics(ras_mask: np.ndarray, ras_image: np.ndarray, voxel_mm3: float) -> dict[str, Any]:
    """The statistics a result must carry, from numpy and scipy alone (not ``voxtell.postprocess``)."""
    fg = ras_mask > 0
    voxels = int(fg.sum())
    if not voxels:
        return {"voxels": 0, "volume_ml": 0.0, "bbox": None, "components": 0, "mean": None, "sd": None}
    where = np.nonzero(fg)
    values = ras_image[fg].astype(np.float64)
    return {"voxels": voxels, "volume_ml": voxels * voxel_mm3 / 1000,
            "bbox": [[int(w.min()), int(w.max()) + 1] for w in where],
            "components": int(ndimage.label(fg, structure=SIX_CONNECTED)[1]),
            "mean": float(values.mean()), "sd": float(values.std())}


def _sse_events(client: TestClient, job_id: str) -> list[dict]:
    events = []
    with client.stream("GET", f"/api/jobs/{job_id}/events") as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        for line in response.iter_lines():
            if line.startswith("data: "):
                events.append(json.loads(line[6:]))
    return events


def _las_to_ras(file_array: Any) -> np.ndarray:
    """A LAS file's voxels as the RAS array (S, A, R)."""
    return np.asarray(file_array)[::-1].transpose(2, 1, 0)


def test_full_flow_with_the_demo_model(make_client, demo_model_dir: Path) -> None:  # type: ignore[no-untyped-def]
    predictor = VoxTellPredictor(demo_model_dir, device="cpu")
    client = make_client(predictor)
    assert client.get("/api/health").headers["X-VoxTell-Demo"] == "1"
    info = client.get("/api/info").json()
    assert info["demo"] is True and info["model_name"] == demo_model_dir.name
    assert client.get("/api/prompts", params={"q": "kid"}).json() == ["kidney cyst", "left kidney", "right kidney"]

    content = nifti_bytes((90, 70, 40), seed=3)
    vol = upload(client, content).json()
    assert vol["shape"] == [90, 70, 40] and vol["orientation"] == "LAS"
    np.testing.assert_allclose(vol["spacing"], [0.8, 0.9, 1.5], rtol=1e-6)
    job = client.post("/api/jobs", json={"volume_id": vol["id"], "prompts": ["liver", "spleen"],
                                         "options": {"fill_holes": True}}).json()
    events = _sse_events(client, job["id"])
    assert events[-1]["status"] == "done"
    running = [e for e in events if e["status"] == "running" and e["total"]]
    assert all(e["total"] == 4 for e in running), "90x70x40 with a 64³ patch: 2 x 2 x 1 windows"
    assert [e["done"] for e in running] == sorted(e["done"] for e in running)
    done = events[-1]
    assert [r["name"] for r in done["results"]] == ["liver", "spleen"]

    source = load_nifti(content)
    ras_image = _las_to_ras(source.dataobj).astype(np.float64)
    for result in done["results"]:
        response = client.get(f"/api/jobs/{job['id']}/masks/{result['index']}.nii.gz")
        assert response.status_code == 200
        mask_img = load_nifti(response.content)
        np.testing.assert_allclose(mask_img.affine, source.affine, atol=1e-4)
        assert mask_img.shape == source.shape and mask_img.get_data_dtype() == np.uint8
        ras_mask = _las_to_ras(mask_img.dataobj)
        assert set(np.unique(ras_mask)) <= {0, 1}
        # fill_holes was asked for: no enclosed background is left in what the server sends
        np.testing.assert_array_equal(ndimage.binary_fill_holes(ras_mask > 0, structure=SIX_CONNECTED), ras_mask > 0)
        expected = _expected_statistics(ras_mask, ras_image, 0.8 * 0.9 * 1.5)
        assert expected["voxels"] > 0, "the demo model segments something here (seeded weights)"
        assert {k: result[k] for k in ("voxels", "bbox", "components")} == {
            k: expected[k] for k in ("voxels", "bbox", "components")}
        for key in ("volume_ml", "mean", "sd"):
            assert abs(result[key] - expected[key]) <= 1e-6 * abs(expected[key]), key


def test_results_zip_labelmap_and_edited_mask(make_client) -> None:  # type: ignore[no-untyped-def]
    client = make_client(FakePredictor())
    vol = upload(client).json()
    job = client.post("/api/jobs", json={"volume_id": vol["id"], "prompts": ["a", "b"]}).json()
    done = wait_done(client, job["id"])
    masks = [np.asarray(load_nifti(client.get(f"/api/jobs/{job['id']}/masks/{i}.nii.gz").content).dataobj)
             for i in range(2)]
    labelmap = client.get(f"/api/jobs/{job['id']}/labelmap.nii.gz")
    assert json.loads(labelmap.headers["X-VoxTell-Labels"]) == ["a", "b"]
    labels = np.asarray(load_nifti(labelmap.content).dataobj)
    np.testing.assert_array_equal(labels, np.where(masks[1] > 0, 2, np.where(masks[0] > 0, 1, 0)))
    archive = zipfile.ZipFile(io.BytesIO(client.get(f"/api/jobs/{job['id']}/masks.zip").content))
    assert sorted(archive.namelist()) == ["a.nii.gz", "b.nii.gz", "labels.json", "labels.txt"]

    edited = masks[0].copy()
    edited[:5] = 1
    img = load_nifti(client.get(f"/api/jobs/{job['id']}/masks/0.nii.gz").content)
    body = nib.Nifti1Image(edited, img.affine).to_bytes()
    response = client.post(f"/api/jobs/{job['id']}/masks", files={"file": ("x.nii", body)}, data={"name": "a edited"})
    assert response.status_code == 201, response.text
    new = response.json()["results"][-1]
    assert new["name"] == "a edited" and new["source"] == "edited" and new["index"] == 2
    assert new["voxels"] == int(edited.sum()) and done["results"][0]["voxels"] < new["voxels"]
    stored = np.asarray(load_nifti(client.get(f"/api/jobs/{job['id']}/masks/2.nii.gz").content).dataobj)
    np.testing.assert_array_equal(stored, edited)
    wrong = nib.Nifti1Image(np.zeros((5, 5, 5), np.uint8), img.affine).to_bytes()
    response = client.post(f"/api/jobs/{job['id']}/masks", files={"file": ("x.nii", wrong)})
    assert response.status_code == 422 and "differs from the volume" in response.json()["detail"]


def test_predict_single_and_multi_prompt_curl_style(make_client, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    client = make_client(FakePredictor())
    content = nifti_bytes((20, 18, 16))
    one = client.post("/predict", files={"image": ("case.nii.gz", content)}, data={"prompt": "liver"})
    assert one.status_code == 200, one.text
    assert json.loads(one.headers["X-VoxTell-Labels"]) == ["liver"]
    mask = load_nifti(one.content)
    src = load_nifti(content)
    np.testing.assert_allclose(mask.affine, src.affine, atol=1e-4)
    data = np.asarray(src.dataobj).astype(np.float32)
    np.testing.assert_array_equal(np.asarray(mask.dataobj), (data > np.percentile(data, 50)).astype(np.uint8))
    # The response comes once the mask is written; the job completes with its statistics.
    job = wait_done(client, one.headers["X-VoxTell-Job"])
    assert job["status"] == "done"
    assert job["results"][0]["voxels"] == int(np.asarray(mask.dataobj).sum())
    multi = client.post("/predict", files={"image": ("case.nii.gz", content)},
                        data={"prompt": ["liver", "spleen", "aorta"]})
    assert multi.status_code == 200
    labels = np.asarray(load_nifti(multi.content).dataobj)
    # The fake's prompt i marks voxels above the (50 + 10 i)-th percentile: nested masks, so
    # the later (smaller) one wins wherever they overlap.
    expected = np.zeros(data.shape, np.uint8)
    for i in range(3):
        expected[data > np.percentile(data, 50 + 10 * i)] = i + 1
    assert all((expected == label).any() for label in (1, 2, 3))
    np.testing.assert_array_equal(labels, expected)
    sidecar = client.get(f"/api/jobs/{multi.headers['X-VoxTell-Job']}/labels.json").json()
    assert [e["name"] for e in sidecar] == ["liver", "spleen", "aorta"] and sidecar[2]["label"] == 3


def test_tile_step_size_option_reaches_the_engine(make_client, demo_model_dir: Path) -> None:  # type: ignore[no-untyped-def]
    predictor = VoxTellPredictor(demo_model_dir, device="cpu")
    client = make_client(predictor)
    vol = upload(client, nifti_bytes((140, 70, 40), seed=4)).json()  # RAS array (40, 70, 140)
    totals = []
    for step in (0.5, 1.0):
        job = client.post("/api/jobs", json={"volume_id": vol["id"], "prompts": ["liver"],
                                             "options": {"tile_step_size": step}}).json()
        totals.append(wait_done(client, job["id"])["total"])
    assert totals == [1 * 2 * 4, 1 * 2 * 3], "patch 64: step 0.5 -> 2 x 4 windows, step 1.0 -> 2 x 3"
    assert predictor.tile_step_size == 0.5, "the server default is restored after the job"


def test_nrrd_and_mha_round_trip_through_predict(make_client, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    import SimpleITK as sitk

    client = make_client(FakePredictor())
    data = np.random.default_rng(5).integers(0, 400, (12, 14, 16)).astype(np.int16)
    img = sitk.GetImageFromArray(data)
    img.SetSpacing((0.7, 0.8, 3.0))
    img.SetOrigin((5.0, -7.0, 40.0))
    img.SetDirection((0, 1, 0, 1, 0, 0, 0, 0, -1))
    for suffix in (".nrrd", ".mha"):
        path = tmp_path / f"scan{suffix}"
        sitk.WriteImage(img, str(path), useCompression=True)
        vol = upload(client, path.read_bytes(), name=f"x{suffix}").json()
        assert vol["shape"] == [16, 14, 12] and vol["dtype"] == "16-bit signed integer"
        response = client.post("/predict", files={"image": ("scan", path.read_bytes())}, data={"prompt": "liver"})
        assert response.status_code == 200, response.text
        mask = load_nifti(response.content)
        corner = np.array(img.TransformIndexToPhysicalPoint((15, 13, 11)))
        np.testing.assert_allclose(mask.affine @ [15, 13, 11, 1], [-corner[0], -corner[1], corner[2], 1], atol=1e-4)
        voxels = data.transpose(2, 1, 0).astype(np.float32)
        np.testing.assert_array_equal(np.asarray(mask.dataobj), (voxels > np.percentile(voxels, 50)).astype(np.uint8))


def test_deleting_a_mask_removes_it_from_every_export(make_client) -> None:  # type: ignore[no-untyped-def]
    client = make_client(FakePredictor())
    vol = upload(client).json()
    job_id = client.post("/api/jobs", json={"volume_id": vol["id"], "prompts": ["a", "b", "c"]}).json()["id"]
    wait_done(client, job_id)
    masks = [np.asarray(load_nifti(client.get(f"/api/jobs/{job_id}/masks/{i}.nii.gz").content).dataobj)
             for i in range(3)]
    client.get(f"/api/jobs/{job_id}/labelmap.nii.gz")  # cached on disk: must not survive the delete

    response = client.delete(f"/api/jobs/{job_id}/masks/1")
    assert response.status_code == 200, response.text
    assert [(r["index"], r["name"]) for r in response.json()["results"]] == [(0, "a"), (2, "c")]
    assert client.get(f"/api/jobs/{job_id}/masks/1.nii.gz").status_code == 404
    archive = zipfile.ZipFile(io.BytesIO(client.get(f"/api/jobs/{job_id}/masks.zip").content))
    assert sorted(archive.namelist()) == ["a.nii.gz", "c.nii.gz", "labels.json", "labels.txt"]
    labelmap = client.get(f"/api/jobs/{job_id}/labelmap.nii.gz")
    assert json.loads(labelmap.headers["X-VoxTell-Labels"]) == ["a", "c"]
    labels = np.asarray(load_nifti(labelmap.content).dataobj)
    np.testing.assert_array_equal(labels, np.where(masks[2] > 0, 2, np.where(masks[0] > 0, 1, 0)))
    assert [(e["value"], e["name"], e["index"]) for e in client.get(f"/api/jobs/{job_id}/labels.json").json()] == [
        (1, "a", 0), (2, "c", 2)]

    again = client.delete(f"/api/jobs/{job_id}/masks/1")
    assert again.status_code == 404 and again.json()["detail"] == "job has no mask 1"
    # A mask saved after deleting the last one never takes a deleted index.
    assert client.delete(f"/api/jobs/{job_id}/masks/2").status_code == 200
    img = load_nifti(client.get(f"/api/jobs/{job_id}/masks/0.nii.gz").content)
    saved = client.post(f"/api/jobs/{job_id}/masks", files={"file": ("x.nii", img.to_bytes())}, data={"name": "d"})
    assert saved.status_code == 201 and saved.json()["results"][-1]["index"] == 3
    for index in (0, 3):
        assert client.delete(f"/api/jobs/{job_id}/masks/{index}").status_code == 200
    empty = client.get(f"/api/jobs/{job_id}/labelmap.nii.gz")
    assert empty.status_code == 409 and "no masks left" in empty.json()["detail"]


def test_deleting_a_mask_of_an_unfinished_job_is_refused(make_client) -> None:  # type: ignore[no-untyped-def]
    predictor = FakePredictor()
    predictor.gate.clear()
    client = make_client(predictor)
    vol = upload(client).json()
    job_id = client.post("/api/jobs", json={"volume_id": vol["id"], "prompts": ["a"]}).json()["id"]
    response = client.delete(f"/api/jobs/{job_id}/masks/0")
    assert response.status_code == 409 and "results exist only for finished jobs" in response.json()["detail"]
    predictor.gate.set()
    assert wait_done(client, job_id)["results"][0]["index"] == 0

"""The official ``voxtell-server`` protocol (spec §6.6) spoken by our server: byte-level
requests as the spec writes them, answers checked voxel for voxel against the RAS array that
``read_volume`` gives for the same file, and the jobs seen as ordinary jobs of ours."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from fastapi.testclient import TestClient

from tests.backend.conftest import FakePredictor, load_nifti, nifti_bytes, upload, wait_done
from tests.backend.fakes import ScriptedPredictor
from voxtell.io import read_volume
from voxtell.io.packed import pack_array, unpack_array

KEY = "s3cret-key"
AUTH = {"Authorization": f"Bearer {KEY}"}
LPS = np.diag([-0.8, -0.9, 1.5, 1.0])
OCTET = {"Content-Type": "application/octet-stream"}


def ras_of(content: bytes, tmp_path: Path) -> Any:
    path = tmp_path / "in.nii.gz"
    path.write_bytes(content)
    return read_volume(path)


def post_image(client: TestClient, content: bytes, headers: dict[str, str] | None = None, **params: Any) -> Any:
    return client.post("/images", content=content, params=params, headers={**OCTET, **(headers or {})})


def events(client: TestClient, job_id: str, headers: dict[str, str] | None = None) -> list[dict[str, Any]]:
    with client.stream("GET", f"/jobs/{job_id}/events", headers=headers or {}) as resp:
        assert resp.status_code == 200
        assert resp.headers["content-type"].startswith("application/x-ndjson")
        return [json.loads(line) for line in resp.iter_lines() if line.strip()]


def start(client: TestClient, image_id: str, prompts: Any, keep_largest: bool = False,
          headers: dict[str, str] | None = None) -> str:
    resp = client.post("/jobs", json={"image_id": image_id, "prompts": prompts, "keep_largest": keep_largest},
                       headers=headers or {})
    assert resp.status_code == 200, resp.text
    return str(resp.json()["job_id"])


def test_upload_answers_the_ras_array_and_is_a_volume_of_ours(make_client: Callable[..., TestClient],
                                                             tmp_path: Path) -> None:
    client = make_client()
    content = nifti_bytes((20, 18, 16), affine=LPS)
    resp = post_image(client, content)
    assert resp.status_code == 200
    meta = json.loads(resp.headers["X-Meta"])
    volume = ras_of(content, tmp_path)
    assert meta["shape"] == [16, 18, 20] == list(volume.data.shape)  # (S, A, R) of an LPS file
    assert meta["spacing"] == pytest.approx([1.5, 0.9, 0.8])
    image = unpack_array(resp.content)
    assert image.dtype == np.float32 and np.array_equal(image, volume.data)
    assert resp.headers["cache-control"] == "no-store"
    # the same id in our API and the web app
    info = client.get(f"/api/volumes/{meta['image_id']}").json()
    assert info["shape"] == [20, 18, 16] and info["orientation"] == "LPS"
    assert client.get(f"/api/volumes/{meta['image_id']}/image").content == content

    lean = post_image(client, content, include_image="false")
    assert lean.status_code == 200 and lean.content == b""
    assert json.loads(lean.headers["X-Meta"])["shape"] == [16, 18, 20]


def test_single_and_multi_prompt_jobs(make_client: Callable[..., TestClient], tmp_path: Path) -> None:
    client = make_client(FakePredictor(patches=3))
    content = nifti_bytes((20, 18, 16), affine=LPS)
    image_id = json.loads(post_image(client, content).headers["X-Meta"])["image_id"]
    ras = ras_of(content, tmp_path).data

    one = start(client, image_id, "liver")  # a single string is one prompt
    assert events(client, one) == [{"done": 1, "total": 3}, {"done": 2, "total": 3}, {"done": 3, "total": 3},
                                   {"status": "done"}]
    masks = unpack_array(client.get(f"/jobs/{one}/result").content)
    assert masks.dtype == np.uint8 and masks.shape == (1, 16, 18, 20)
    assert np.array_equal(masks[0], (ras > np.percentile(ras, 50)).astype(np.uint8))

    two = start(client, image_id, ["liver", "spleen"])
    assert events(client, two)[-1] == {"status": "done"}
    masks = unpack_array(client.get(f"/jobs/{two}/result").content)
    assert masks.shape == (2, 16, 18, 20)
    assert np.array_equal(masks[1], (ras > np.percentile(ras, 60)).astype(np.uint8))
    # an ordinary job of ours
    job = client.get(f"/api/jobs/{two}").json()
    assert job["status"] == "done" and job["volume_id"] == image_id and job["prompts"] == ["liver", "spleen"]
    assert [r["name"] for r in job["results"]] == ["liver", "spleen"]
    # events of a finished job: the whole story at once
    assert events(client, two)[-1] == {"status": "done"}


def test_a_volume_uploaded_through_our_api_works_as_image_id(make_client: Callable[..., TestClient]) -> None:
    client = make_client()
    volume_id = upload(client).json()["id"]
    job_id = start(client, volume_id, ["liver"])
    assert events(client, job_id)[-1] == {"status": "done"}
    assert unpack_array(client.get(f"/jobs/{job_id}/result").content).shape == (1, 16, 18, 20)


def _two_blobs(data: np.ndarray, _: int) -> np.ndarray:
    mask = np.zeros(data.shape, np.uint8)
    mask[1:4, 1:4, 1:4] = 1  # 27 voxels
    mask[8:10, 8:10, 8:10] = 1  # 8 voxels, not touching
    return mask


def test_keep_largest(make_client: Callable[..., TestClient]) -> None:
    client = make_client(ScriptedPredictor(rule=_two_blobs))
    image_id = json.loads(post_image(client, nifti_bytes()).headers["X-Meta"])["image_id"]
    plain = start(client, image_id, ["a"])
    largest = start(client, image_id, ["a"], keep_largest=True)
    for job_id in (plain, largest):
        assert events(client, job_id)[-1] == {"status": "done"}
    assert int(unpack_array(client.get(f"/jobs/{plain}/result").content).sum()) == 35
    kept = unpack_array(client.get(f"/jobs/{largest}/result").content)[0]
    assert int(kept.sum()) == 27 and kept[1:4, 1:4, 1:4].all()
    assert client.get(f"/api/jobs/{largest}").json()["options"]["keep_largest_component"] is True


def test_cancel_and_results_before_the_end(make_client: Callable[..., TestClient]) -> None:
    predictor = ScriptedPredictor(windows=4, hold_after=1)
    client = make_client(predictor)
    image_id = json.loads(post_image(client, nifti_bytes()).headers["X-Meta"])["image_id"]
    job_id = start(client, image_id, ["liver"])
    assert predictor.reached.wait(30)
    early = client.get(f"/jobs/{job_id}/result")
    assert early.status_code == 409 and early.json() == {"detail": "Job not finished (status=running)."}
    assert client.post(f"/jobs/{job_id}/cancel").json() == {"cancelling": True}
    predictor.proceed.set()
    seen = events(client, job_id)
    assert seen[0] == {"done": 1, "total": 4} and seen[-1] == {"status": "cancelled"}
    assert client.get(f"/jobs/{job_id}/result").status_code == 409
    assert client.get(f"/api/jobs/{job_id}").json()["status"] == "cancelled"
    assert client.post(f"/jobs/{job_id}/cancel").json() == {"cancelling": False}


class NoticePredictor(ScriptedPredictor):
    """Says what the engine says when it halves its prompt batch after an out-of-memory error."""

    notice_callback: Any = None

    def predict_single_image(self, data: Any, text_prompts: Any = None, text_embeddings: Any = None,
                             progress_callback: Any = None) -> Any:
        self.notice_callback("Low GPU memory - reducing batch to 1...")
        return super().predict_single_image(data, text_prompts, text_embeddings, progress_callback)


def test_oom_notices_and_errors_reach_the_stream(make_client: Callable[..., TestClient]) -> None:
    client = make_client(NoticePredictor(windows=2))
    image_id = json.loads(post_image(client, nifti_bytes()).headers["X-Meta"])["image_id"]
    job_id = start(client, image_id, ["liver", "spleen"])
    assert events(client, job_id) == [{"event": "oom_fallback", "message": "Low GPU memory - reducing batch to 1..."},
                                      {"done": 1, "total": 2}, {"done": 2, "total": 2}, {"status": "done"}]


def test_a_failed_job(make_client: Callable[..., TestClient]) -> None:
    client = make_client(ScriptedPredictor(error=RuntimeError("engine exploded")))
    image_id = json.loads(post_image(client, nifti_bytes()).headers["X-Meta"])["image_id"]
    job_id = start(client, image_id, ["liver"])
    last = events(client, job_id)[-1]
    assert last["status"] == "error" and "internal error" in last["message"]
    resp = client.get(f"/jobs/{job_id}/result")
    assert resp.status_code == 500 and "internal error" in resp.json()["detail"]  # as the official server


def test_export_round_trip_in_the_original_orientation(make_client: Callable[..., TestClient]) -> None:
    client = make_client()
    content = nifti_bytes((20, 18, 16), affine=LPS)
    image_id = json.loads(post_image(client, content).headers["X-Meta"])["image_id"]
    job_id = start(client, image_id, ["liver", "spleen"])
    assert events(client, job_id)[-1] == {"status": "done"}
    masks = unpack_array(client.get(f"/jobs/{job_id}/result").content)
    label_map = np.zeros(masks.shape[1:], np.int32)  # napari's label layers are int32
    for i, mask in enumerate(masks):
        label_map[mask > 0] = i + 1
    resp = client.post(f"/images/{image_id}/export", content=pack_array(label_map), headers=OCTET)
    assert resp.status_code == 200
    exported = load_nifti(resp.content)
    ours = load_nifti(client.get(f"/api/jobs/{job_id}/labelmap.nii.gz").content)
    assert exported.get_data_dtype() == np.uint8
    assert np.array_equal(np.asarray(exported.dataobj), np.asarray(ours.dataobj))
    assert np.allclose(exported.affine, load_nifti(content).affine) and exported.shape == (20, 18, 16)


@pytest.mark.parametrize(("body", "needle"), [
    (b"", "VXA2"),
    (b"NOPE" + bytes(40), "VXA2"),
    (pack_array(np.zeros((16, 18, 20), np.uint8))[:-5], "truncated"),
    (pack_array(np.zeros((16, 18, 20), np.uint8))[:30], "truncated"),
    (b"VXA2\x03|O8\x01" + (1).to_bytes(8, "little") + (8).to_bytes(8, "little"), "not a numeric type"),
    (b"VXA2\x03<i2\x01" + (4).to_bytes(8, "little") + (99).to_bytes(8, "little"), "total length"),
    (pack_array(np.zeros((4,), np.uint8))[:25] + (4).to_bytes(8, "little") + (8).to_bytes(8, "little")
     + b"garbage!", "blosc2"),
    (pack_array(np.zeros((16, 18, 21), np.uint8)), "shape"),
    (pack_array(np.full((16, 18, 20), -1, np.int16)), "between 0 and 65535"),
    (pack_array(np.full((16, 18, 20), 0.5, np.float32)), "whole numbers"),
], ids=["empty", "magic", "cut-chunk", "cut-header", "object-dtype", "total", "not-blosc2", "shape", "negative",
        "fractional"])
def test_export_refuses_bad_label_maps(make_client: Callable[..., TestClient], body: bytes, needle: str) -> None:
    client = make_client()
    image_id = json.loads(post_image(client, nifti_bytes((20, 18, 16), affine=LPS)).headers["X-Meta"])["image_id"]
    resp = client.post(f"/images/{image_id}/export", content=body, headers=OCTET)
    assert resp.status_code == 422 and needle in resp.json()["detail"], resp.text


@pytest.mark.parametrize(("payload", "status", "detail"), [
    ({"image_id": "nope", "prompts": ["liver"]}, 404, "Unknown image_id (upload it first)."),
    ({"prompts": ["liver"]}, 404, "Unknown image_id (upload it first)."),
    ({"image_id": "IMAGE", "prompts": []}, 400, "No prompts given."),
    ({"image_id": "IMAGE"}, 400, "No prompts given."),
    ({"image_id": "IMAGE", "prompts": ["liver", " "]}, 400, "prompts must be a list of non-empty strings."),
    ({"image_id": "IMAGE", "prompts": [1]}, 400, "prompts must be a list of non-empty strings."),
    ({"image_id": "IMAGE", "prompts": {"a": 1}}, 400, "prompts must be a list of non-empty strings."),
    ({"image_id": "IMAGE", "prompts": ["liver"], "keep_largest": "yes"}, 400, "keep_largest must be true or false."),
    ({"image_id": "IMAGE", "prompts": ["x" * 501]}, 422, "a prompt is longer than 500 characters"),
    (["liver"], 422, "JSON object"),
    ("not json", 422, "must be JSON"),
])
def test_malformed_job_requests(make_client: Callable[..., TestClient], payload: Any, status: int,
                                detail: str) -> None:
    client = make_client()
    image_id = json.loads(post_image(client, nifti_bytes()).headers["X-Meta"])["image_id"]
    if isinstance(payload, dict) and payload.get("image_id") == "IMAGE":
        payload["image_id"] = image_id
    body = payload.encode() if isinstance(payload, str) else json.dumps(payload).encode()
    resp = client.post("/jobs", content=body, headers={"Content-Type": "application/json"})
    assert resp.status_code == status and detail in resp.json()["detail"], resp.text
    assert client.get("/api/jobs/unknown").status_code == 404  # nothing half-created either


@pytest.mark.parametrize(("content", "headers", "needle"), [
    (b"", OCTET, "the request body is empty: send the image file's bytes (.nii.gz)"),
    (b"\x1f\x8b not really gzip at all" * 4, OCTET, "the gzip data is corrupt or truncated"),
    (b"just some bytes that are not an image" * 20, OCTET, "not a NIfTI file (unrecognised header)"),
    (b"--b\r\nContent-Disposition: form-data; name=\"file\"\r\n\r\nx\r\n--b--\r\n",
     {"Content-Type": "multipart/form-data; boundary=b"},
     "POST /images takes the image file's bytes as the request body, not a form"),
], ids=["empty", "bad-gzip", "not-an-image", "form"])
def test_malformed_images(make_client: Callable[..., TestClient], content: bytes, headers: dict[str, str],
                          needle: str) -> None:
    client = make_client()
    resp = client.post("/images", content=content, headers=headers)
    assert resp.status_code == 422 and needle in resp.json()["detail"], resp.text


def test_unknown_ids(make_client: Callable[..., TestClient]) -> None:
    client = make_client()
    for method, path in [("GET", "/jobs/nope/events"), ("GET", "/jobs/nope/result"), ("POST", "/jobs/nope/cancel")]:
        resp = client.request(method, path)
        assert resp.status_code == 404 and resp.json() == {"detail": "Unknown job_id."}
    resp = client.post("/images/nope/export", content=pack_array(np.zeros((2, 2, 2), np.uint8)), headers=OCTET)
    assert resp.status_code == 404 and resp.json() == {"detail": "Unknown image_id."}


def test_auth_everywhere_but_healthz(make_client: Callable[..., TestClient]) -> None:
    client = make_client(api_key=KEY)
    assert client.get("/healthz").json() == {"ok": True}
    calls = [("GET", "/capabilities"), ("POST", "/images"), ("POST", "/jobs"), ("GET", "/jobs/x/events"),
             ("GET", "/jobs/x/result"), ("POST", "/jobs/x/cancel"), ("POST", "/images/x/export")]
    for method, path in calls:
        for headers in ({}, {"Authorization": "Bearer wrong"}):
            resp = client.request(method, path, content=b"x", headers=headers)
            assert resp.status_code == 401 and "API key" in resp.json()["detail"], (method, path)
    caps = client.get("/capabilities", headers=AUTH).json()
    assert caps["model"] == "fake" and caps["patch_size"] == [64, 64, 64]
    assert "liver" in caps["available_embeddings"]
    image_id = json.loads(post_image(client, nifti_bytes(), headers=AUTH).headers["X-Meta"])["image_id"]
    job_id = start(client, image_id, ["liver"], headers=AUTH)
    assert events(client, job_id, headers=AUTH)[-1] == {"status": "done"}
    assert client.get(f"/jobs/{job_id}/result", headers=AUTH).status_code == 200


def test_the_queue_bound_applies(make_client: Callable[..., TestClient]) -> None:
    predictor = ScriptedPredictor(hold_after=1)
    client = make_client(predictor, queue_size=1)
    image_id = json.loads(post_image(client, nifti_bytes()).headers["X-Meta"])["image_id"]
    start(client, image_id, ["liver"])
    resp = client.post("/jobs", json={"image_id": image_id, "prompts": ["spleen"]})
    assert resp.status_code == 429 and "queue is full" in resp.json()["detail"]
    assert int(resp.headers["Retry-After"]) >= 1
    predictor.proceed.set()


def test_images_and_results_survive_a_restart(make_client: Callable[..., TestClient], tmp_path: Path) -> None:
    data_dir = tmp_path / "durable"
    first = make_client(data_dir=data_dir)
    content = nifti_bytes((20, 18, 16), affine=LPS)
    image_id = json.loads(post_image(first, content).headers["X-Meta"])["image_id"]
    job_id = start(first, image_id, ["liver"])
    assert wait_done(first, job_id)["status"] == "done"
    before = first.get(f"/jobs/{job_id}/result").content
    first.__exit__(None, None, None)

    second = make_client(data_dir=data_dir)
    assert second.get(f"/jobs/{job_id}/result").content == before
    assert events(second, job_id)[-1] == {"status": "done"}
    again = start(second, image_id, ["liver"])  # the image is still there
    assert events(second, again)[-1] == {"status": "done"}
    assert second.get(f"/jobs/{again}/result").content == before


def test_images_in_other_formats(make_client: Callable[..., TestClient], tmp_path: Path) -> None:
    """``.nii``, ``.nrrd`` and a DICOM ``.zip`` sent raw to ``/images`` become volumes whose RAS
    array is the answer, as for ``.nii.gz``."""
    import SimpleITK as sitk

    from tests.backend.test_dicom_uploads import AXIAL, _zip_bytes
    from tests.dicom.series import write_series

    client = make_client()
    nrrd = tmp_path / "in.nrrd"
    sitk.WriteImage(sitk.GetImageFromArray(np.random.default_rng(1).integers(0, 500, (7, 9, 11)).astype(np.int16)),
                    str(nrrd))
    files, _ = write_series(tmp_path / "s", np.random.default_rng(2).integers(-200, 800, (12, 10, 7)).astype(np.int16),
                            *AXIAL, (0.8, 0.6, 3.0), np.array([-50.0, 20.0, 100.0]))
    for content, fmt in [(nifti_bytes(compress=False), "nifti"), (nrrd.read_bytes(), "nrrd"),
                         (_zip_bytes(files), "dicom")]:
        resp = post_image(client, content)
        assert resp.status_code == 200, resp.text
        meta = json.loads(resp.headers["X-Meta"])
        volume = client.get(f"/api/volumes/{meta['image_id']}").json()
        assert volume["format"] == fmt
        stored = tmp_path / ("stored" + {"nifti": ".nii", "nrrd": ".nrrd", "dicom": ".nii.gz"}[fmt])
        stored.write_bytes(client.get(f"/api/volumes/{meta['image_id']}/image").content)
        image = unpack_array(resp.content)
        assert list(image.shape) == meta["shape"] and np.array_equal(image, read_volume(stored).data)

"""Endpoints and limits no flow test reaches: readiness, the prompt limit, prompt suggestions'
``limit``, the stored image, and ``/predict``'s streamed answer (over 4 MB) and non-ASCII names."""

from __future__ import annotations

import gzip
import io
from pathlib import Path
from urllib.parse import unquote

import nibabel as nib
import numpy as np
import pytest
import SimpleITK as sitk

from tests.backend.conftest import load_nifti, nifti_bytes, upload, wait_done
from tests.backend.fakes import ScriptedPredictor, file_order, ras_nifti_bytes

KEY = {"Authorization": "Bearer s3cret"}


def test_ready_needs_the_key_and_reports_the_runner(make_client) -> None:  # type: ignore[no-untyped-def]
    client = make_client(ScriptedPredictor(), api_key="s3cret")
    refused = client.get("/api/ready")
    assert refused.status_code == 401 and "API key" in refused.json()["detail"]
    assert client.get("/api/ready", headers=KEY).json() == {"ready": True}
    client.app.state.voxtell.runner.stop()  # no thread left to run jobs
    assert client.get("/api/ready", headers=KEY).json() == {"ready": False}
    assert client.get("/api/health").json() == {"ok": True}, "liveness is a different question"


def test_max_prompts_is_enforced_on_jobs_and_predict(make_client) -> None:  # type: ignore[no-untyped-def]
    predictor = ScriptedPredictor()
    client = make_client(predictor, max_prompts=2)
    vol = upload(client).json()["id"]
    over = client.post("/api/jobs", json={"volume_id": vol, "prompts": ["a", "b", "c"]})
    assert over.status_code == 422 and over.json()["detail"] == "at most 2 prompts per job"
    refused = client.post("/predict", files={"image": ("scan.nii.gz", nifti_bytes())}, data={"prompt": ["a", "b", "c"]})
    assert refused.status_code == 422 and refused.json()["detail"] == "at most 2 prompts per job"
    assert predictor.calls == 0, "nothing refused reached the predictor"
    at_limit = client.post("/api/jobs", json={"volume_id": vol, "prompts": ["a", "b"]})
    assert at_limit.status_code == 201
    assert [r["name"] for r in wait_done(client, at_limit.json()["id"])["results"]] == ["a", "b"]


def test_prompt_suggestions_limit(make_client) -> None:  # type: ignore[no-untyped-def]
    vocab = sorted([f"organ {i:02d}" for i in range(30)] + ["left kidney", "liver", "right kidney", "spleen"])
    client = make_client(ScriptedPredictor(vocab=vocab))
    assert client.get("/api/prompts").json() == vocab[:20], "default limit 20, vocabulary order"
    assert client.get("/api/prompts", params={"limit": 200}).json() == vocab
    # prefix matches first, then substring matches, then cut to the limit
    assert client.get("/api/prompts", params={"q": "L"}).json() == ["left kidney", "liver", "spleen"]
    assert client.get("/api/prompts", params={"q": "l", "limit": 2}).json() == ["left kidney", "liver"]
    assert client.get("/api/prompts", params={"q": "kidney", "limit": 1}).json() == ["left kidney"]
    assert client.get("/api/prompts", params={"q": "organ 1", "limit": 3}).json() == ["organ 10", "organ 11", "organ 12"]
    for bad in (0, -1, 201):
        response = client.get("/api/prompts", params={"limit": bad})
        assert response.status_code == 422 and "limit" in response.json()["detail"], bad


def test_stored_image_is_the_uploaded_file(make_client, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    client = make_client(api_key="s3cret")
    gz = nifti_bytes((20, 18, 16), seed=5)
    raw = gzip.decompress(gz)
    img = sitk.GetImageFromArray(np.random.default_rng(6).integers(0, 300, (9, 10, 11)).astype(np.int16))
    img.SetSpacing((0.7, 0.8, 3.0))
    sitk.WriteImage(img, str(tmp_path / "scan.nrrd"), useCompression=True)
    for content, name, media, filename in ((gz, "a.nii.gz", "application/gzip", "volume.nii.gz"),
                                           (raw, "b.nii", "application/octet-stream", "volume.nii"),
                                           ((tmp_path / "scan.nrrd").read_bytes(), "c.nrrd",
                                            "application/octet-stream", "volume.nrrd")):
        vol = upload(client, content, name=name, headers=KEY).json()["id"]
        assert client.get(f"/api/volumes/{vol}/image").status_code == 401
        response = client.get(f"/api/volumes/{vol}/image", headers=KEY)
        assert response.status_code == 200
        assert response.content == content, f"{name}: the viewer gets the uploaded bytes"
        assert response.headers["content-type"].startswith(media)
        assert f'filename="{filename}"' in response.headers["content-disposition"]
        assert client.delete(f"/api/volumes/{vol}", headers=KEY).status_code == 204
        gone = client.get(f"/api/volumes/{vol}/image", headers=KEY)
        assert gone.status_code == 404 and gone.json()["detail"] == "volume not found"


def _filename(disposition: str) -> str:
    """The file name a browser or ``curl -OJ`` takes from Content-Disposition (RFC 6266)."""
    for part in disposition.split(";"):
        key, _, value = part.strip().partition("=")
        if key == "filename*":
            charset, _, quoted = value.partition("''")
            assert charset.lower() == "utf-8"
            return unquote(quoted, encoding="utf-8")
    for part in disposition.split(";"):
        key, _, value = part.strip().partition("=")
        if key == "filename":
            return value.strip('"')
    raise AssertionError(f"no file name in {disposition!r}")


@pytest.mark.parametrize(("prompt", "name"), [
    ("Leber", "Leber.nii.gz"),
    ("linke Niere (größer)", "linke_Niere_größer.nii.gz"),
    ("肝臓", "肝臓.nii.gz"),
    ("right kidney/../../etc", "right_kidney_etc.nii.gz"),
])
def test_predict_download_name_survives_non_ascii_prompts(make_client, prompt: str, name: str) -> None:  # type: ignore[no-untyped-def]
    client = make_client(ScriptedPredictor())
    content = nifti_bytes()
    response = client.post("/predict", files={"image": ("scan.nii.gz", content)}, data={"prompt": prompt})
    assert response.status_code == 200, response.text
    disposition = response.headers["content-disposition"]
    assert disposition.isascii(), "HTTP headers are ASCII: a non-ASCII name goes into filename*"
    assert disposition.startswith("attachment;") and _filename(disposition) == name
    data = np.asarray(load_nifti(content).dataobj).astype(np.float32)
    np.testing.assert_array_equal(np.asarray(load_nifti(response.content).dataobj),
                                  (data > np.percentile(data, 50)).astype(np.uint8))


def test_predict_streams_a_label_map_over_4_mb(make_client) -> None:  # type: ignore[no-untyped-def]
    """Uniform labels 0..7 carry 3 bits a voxel: 240^3 voxels compress to about 5 MB, past the
    size up to which answers are sent from memory. Prompt i marks the voxels valued i + 1, so
    the label map must equal the image itself."""
    ras = np.random.default_rng(9).integers(0, 8, (240, 240, 240), dtype=np.uint8)
    predictor = ScriptedPredictor(lambda data, i: data == i + 1, windows=1, patch_size=(192, 192, 192))
    client = make_client(predictor)
    prompts = [f"structure {i + 1}" for i in range(7)]
    response = client.post("/predict", files={"image": ("big.nii.gz", ras_nifti_bytes(ras, dtype=np.uint8))},
                           data={"prompt": prompts})
    assert response.status_code == 200, response.text
    assert len(response.content) > 4 << 20, "the answer must be large enough to be streamed from the file"
    assert int(response.headers["content-length"]) == len(response.content)
    assert _filename(response.headers["content-disposition"]) == "labelmap.nii.gz"
    assert response.headers["X-VoxTell-Job"] and response.headers["X-VoxTell-Labels"].startswith('["structure 1"')
    labels = nib.Nifti1Image.from_bytes(gzip.GzipFile(fileobj=io.BytesIO(response.content)).read())
    assert labels.get_data_dtype() == np.uint8
    np.testing.assert_array_equal(np.asarray(labels.dataobj), file_order(ras))

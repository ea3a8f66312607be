"""What the reviewer changed (backend/domain/review.py): Dice and HD95 on known shapes, the draft an
edit names in its NIfTI header, the change kept on the result and written into labels.json and
the zips; "Undo" of a delete stores the mask again with its index and at its place."""

from __future__ import annotations

import gzip
import io
import json
import zipfile

import nibabel as nib
import numpy as np
import pytest

from backend.domain.review import dice, hd95, header_tags, model_draft, review
from tests.backend.conftest import FakePredictor, load_nifti, upload, wait_done

SHAPE = (20, 18, 16)
AFFINE = np.diag([-0.8, 0.9, 1.5, 1.0])  # conftest.nifti_bytes' grid


def _cube(shift: tuple[int, int, int] = (0, 0, 0), size: int = 10) -> np.ndarray:
    mask = np.zeros(SHAPE, np.uint8)
    lo = [4 + s for s in shift]
    mask[lo[0]:lo[0] + size, lo[1]:lo[1] + size, lo[2]:lo[2] + size] = 1
    return mask


def _nifti(mask: np.ndarray, affine: np.ndarray, descrip: str | None = None) -> bytes:
    img = nib.Nifti1Image(mask, affine)
    if descrip is not None:
        img.header["descrip"] = descrip.encode()
    return img.to_bytes()


@pytest.mark.parametrize("axis", [0, 1, 2])
def test_a_cube_shifted_by_one_voxel(axis: int) -> None:
    spacing = (2.0, 0.5, 1.25)
    shift = tuple(1 if a == axis else 0 for a in range(3))
    draft, edited = _cube(), _cube(shift)  # type: ignore[arg-type]
    # 10x10x10 cubes overlapping in 9x10x10: 2 * 900 / 2000.
    assert dice(draft, edited) == pytest.approx(0.9)
    # Surface voxels are 0 (shared faces) or one voxel along the shift apart (a third of them).
    assert hd95(draft, edited, spacing) == pytest.approx(spacing[axis])
    change = review(3, draft, edited, spacing)
    voxel_ml = 2.0 * 0.5 * 1.25 / 1000
    assert change == {"draft": 3, "volume_ml_before": pytest.approx(1000 * voxel_ml),
                      "volume_ml_after": pytest.approx(1000 * voxel_ml), "dice": 0.9,
                      "hd95_mm": pytest.approx(spacing[axis])}


def test_same_grown_and_empty() -> None:
    spacing = (1.0, 1.0, 1.0)
    assert dice(_cube(), _cube()) == 1.0 and hd95(_cube(), _cube(), spacing) == 0.0
    grown = _cube()
    grown[14:16, 4:14, 4:14] = 1  # two slices more along axis 0: its far face 2 voxels out
    assert dice(_cube(), grown) == pytest.approx(2 * 1000 / (1000 + 1200))
    assert hd95(_cube(), grown, spacing) == pytest.approx(2.0)
    empty = np.zeros(SHAPE, np.uint8)
    assert dice(_cube(), empty) == 0.0 and hd95(_cube(), empty, spacing) is None
    assert review(0, _cube(), empty, spacing)["hd95_mm"] is None


def test_header_tags() -> None:
    assert header_tags(_nifti(_cube(), AFFINE, "voxtell draft=12")) == {"draft": 12}
    assert header_tags(gzip.compress(_nifti(_cube(), AFFINE, "voxtell restore=4 draft=1"))) == {"restore": 4, "draft": 1}
    for other in ("", "made by ITK-SNAP draft=3", "voxtell draft=x"):
        assert header_tags(_nifti(_cube(), AFFINE, other)) == {}, other
    assert header_tags(b"not a nifti" * 40) == {}


def test_model_draft_follows_edits_of_edits() -> None:
    results = [{"index": 0, "source": "model"}, {"index": 2, "source": "edited", "review": {"draft": 0}},
               {"index": 3, "source": "edited"}]
    assert model_draft(results, 2) == results[0] and model_draft(results, 0) == results[0]
    assert model_draft(results, 3) == results[2], "an edit without a draft is its own start"
    assert model_draft(results, 7) is None
    assert model_draft(results[1:], 2) == results[1], "the model's mask deleted: the edit itself"


def _job(client) -> dict:  # type: ignore[no-untyped-def]
    volume = upload(client).json()
    return wait_done(client, client.post("/api/jobs", json={"volume_id": volume["id"], "prompts": ["a", "b"]}).json()["id"])


def _save(client, job_id: str, body: bytes, name: str):  # type: ignore[no-untyped-def]
    return client.post(f"/api/jobs/{job_id}/masks", files={"file": ("edited.nii", body)}, data={"name": name})


def test_an_edit_records_the_change_from_its_draft(make_client) -> None:  # type: ignore[no-untyped-def]
    client = make_client(FakePredictor())
    job = _job(client)
    job_id = job["id"]
    affine = load_nifti(client.get(f"/api/jobs/{job_id}/masks/0.nii.gz").content).affine
    assert np.allclose(affine[:3, :3], AFFINE[:3, :3])
    # A cube saved as a mask of its own (no draft named: no review), then that cube moved one
    # slice (1.5 mm) as an edit of it.
    plain = _save(client, job_id, _nifti(_cube(), affine), "cube").json()["results"][-1]
    assert plain["index"] == 2 and "review" not in plain or plain["review"] is None
    saved = _save(client, job_id, _nifti(_cube((0, 0, 1)), affine, "voxtell draft=2"), "cube moved")
    assert saved.status_code == 201, saved.text
    moved = saved.json()["results"][-1]
    assert moved["review"] == {"draft": 2, "volume_ml_before": pytest.approx(plain["volume_ml"]),
                               "volume_ml_after": pytest.approx(moved["volume_ml"]), "dice": 0.9,
                               "hd95_mm": pytest.approx(1.5)}

    # An edit of the model's mask 0 (a slab added), and an edit of that edit: both against mask 0.
    draft = np.asarray(load_nifti(client.get(f"/api/jobs/{job_id}/masks/0.nii.gz").content).dataobj)
    edited = draft.copy()
    edited[:3] = 1
    first = _save(client, job_id, _nifti(edited, affine, "voxtell draft=0"), "a edited").json()["results"][-1]
    expected_dice = 2 * int((draft & edited).sum()) / int(draft.sum() + edited.sum())
    assert first["review"]["draft"] == 0 and first["review"]["dice"] == pytest.approx(expected_dice, abs=1e-4)
    assert first["review"]["volume_ml_before"] == pytest.approx(job["results"][0]["volume_ml"], abs=1e-4)
    again = edited.copy()
    again[:4] = 1
    second = _save(client, job_id, _nifti(again, affine, f"voxtell draft={first['index']}"), "a again")
    assert second.json()["results"][-1]["review"]["draft"] == 0, "compared with the model's draft"

    # labels.json, the job's zip and the case's export carry it.
    labels = client.get(f"/api/jobs/{job_id}/labels.json").json()
    assert [entry.get("review", {}).get("draft") for entry in labels] == [None, None, None, 2, 0, 0]
    archive = zipfile.ZipFile(io.BytesIO(client.get(f"/api/jobs/{job_id}/masks.zip").content))
    assert json.loads(archive.read("labels.json"))[3]["review"] == moved["review"]
    case = client.post(f"/api/volumes/{job['volume_id']}/export",
                       json={"format": "zip", "masks": [{"job": job_id, "mask": moved["index"]}]})
    assert case.status_code == 200, case.text
    entry = json.loads(zipfile.ZipFile(io.BytesIO(case.content)).read("labels.json"))[0]
    assert entry["review"] == moved["review"] and entry["job"] == job_id


def test_undo_of_a_delete_restores_index_and_place(make_client) -> None:  # type: ignore[no-untyped-def]
    client = make_client(FakePredictor())
    job_id = _job(client)["id"]
    body = client.get(f"/api/jobs/{job_id}/masks/0.nii.gz").content
    voxels = np.asarray(load_nifti(body).dataobj)
    affine = load_nifti(body).affine
    _save(client, job_id, _nifti(voxels, affine), "c")  # index 2
    client.delete(f"/api/jobs/{job_id}/masks/0")
    restored = _save(client, job_id, _nifti(voxels, affine, "voxtell restore=0"), "a")
    assert restored.status_code == 201, restored.text
    assert [(r["index"], r["name"]) for r in restored.json()["results"]] == [(0, "a"), (1, "b"), (2, "c")]
    stored = np.asarray(load_nifti(client.get(f"/api/jobs/{job_id}/masks/0.nii.gz").content).dataobj)
    np.testing.assert_array_equal(stored, voxels)
    labelmap = np.asarray(load_nifti(client.get(f"/api/jobs/{job_id}/labelmap.nii.gz").content).dataobj)
    assert labelmap[voxels > 0].min() >= 1, "label value 1 again (later masks drawn over it)"
    for index in (1, 9):  # in use; never handed out
        refused = _save(client, job_id, _nifti(voxels, affine, f"voxtell restore={index}"), "x")
        assert refused.status_code == 409, (index, refused.text)
    assert len(client.get(f"/api/jobs/{job_id}").json()["results"]) == 3

"""One export per case (POST /api/volumes/{id}/export): the masks of several jobs of one volume,
in the order asked, as one zip, label map, labels file, DICOM SEG or RTSTRUCT; only for whoever may
see the volume and every job (404 otherwise), one audit event per export."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import numpy as np
import pydicom

from tests.backend.conftest import FakePredictor, load_nifti, nifti_bytes, wait_done
from tests.backend.people import ADMIN, KEY, person
from tests.dicom.series import write_series


def _dicom_zip(folder: Path) -> bytes:
    data = np.random.default_rng(5).integers(-200, 800, (10, 9, 6)).astype(np.int16)
    files, _ = write_series(folder, data, np.array([1.0, 0, 0]), np.array([0, 1.0, 0]), (1, 1, 2), np.zeros(3))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for f in files:
            zf.write(f, "s/" + f.name)
    return buf.getvalue()


def _job(client, volume_id: str, prompts: list[str], headers: dict[str, str]) -> str:  # type: ignore[no-untyped-def]
    job = client.post("/api/jobs", json={"volume_id": volume_id, "prompts": prompts}, headers=headers).json()
    assert wait_done(client, job["id"], headers=headers)["status"] == "done"
    return str(job["id"])


def test_one_file_holds_the_masks_of_every_run_of_the_case_in_order(make_client, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    data = tmp_path / "data"
    client = make_client(FakePredictor(), api_key=KEY, data_dir=data)
    alice = person(data, "alice")
    volume = client.post("/api/volumes", files={"file": ("part0", _dicom_zip(tmp_path / "s"))}, headers=alice).json()
    first = _job(client, volume["id"], ["liver", "spleen"], alice)
    second = _job(client, volume["id"], ["liver"], alice)
    refs = [{"job": first, "mask": 0}, {"job": second, "mask": 0}, {"job": first, "mask": 1}]

    def export(fmt: str, masks: list[dict[str, object]] = refs, headers: dict[str, str] = alice,
               volume_id: str = volume["id"]):  # type: ignore[no-untyped-def]
        return client.post(f"/api/volumes/{volume_id}/export", json={"format": fmt, "masks": masks}, headers=headers)

    zipped = export("zip")
    assert zipped.status_code == 200, zipped.text
    assert zipped.headers["content-type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(zipped.content)) as zf:
        assert zf.namelist() == ["liver.nii.gz", "liver_2.nii.gz", "spleen.nii.gz", "labels.json", "labels.txt"]
        listed = json.loads(zf.read("labels.json"))
        assert [(e["value"], e["name"], e["job"], e["index"]) for e in listed] == [
            (1, "liver", first, 0), (2, "liver", second, 0), (3, "spleen", first, 1)]
        assert '"spleen"' in zf.read("labels.txt").decode().splitlines()[-1]
        assert zf.read("spleen.nii.gz") == client.get(f"/api/jobs/{first}/masks/1.nii.gz", headers=alice).content

    labelmap = export("labelmap")
    assert labelmap.status_code == 200 and json.loads(labelmap.headers["x-voxtell-labels"]) == ["liver", "liver", "spleen"]
    values = set(np.unique(np.asarray(load_nifti(labelmap.content).dataobj)).tolist())
    assert values == {0, 2, 3}, "value k + 1 = the k-th mask, later wins (the second run's liver covers the first's)"
    assert [e["job"] for e in export("labels-json").json()] == [first, second, first]
    assert export("labels-txt").text.count('"liver"') == 2

    for fmt, names in (("seg", lambda d: [s.SegmentLabel for s in d.SegmentSequence]),
                       ("rtstruct", lambda d: [r.ROIName for r in d.StructureSetROISequence])):
        answer = export(fmt)
        assert answer.status_code == 200, answer.text
        (tmp_path / fmt).write_bytes(answer.content)
        assert names(pydicom.dcmread(tmp_path / fmt)) == ["liver", "liver", "spleen"]

    events = client.get("/api/admin/audit?action=export&limit=100", headers=ADMIN).json()
    assert [(e["object_type"], e["object_id"]) for e in events] == [("volume", volume["id"])] * 6, "one per export"

    # Refusals: a mask twice; a mask the job does not have; a job of another volume; no masks.
    assert export("zip", [refs[0], refs[0]]).status_code == 422
    assert export("zip", [{"job": first, "mask": 7}]).status_code == 404
    other = client.post("/api/volumes", files={"file": ("part0", nifti_bytes())}, headers=alice).json()
    other_job = _job(client, other["id"], ["liver"], alice)
    assert export("zip", [*refs, {"job": other_job, "mask": 0}]).status_code == 404
    assert export("zip", []).status_code == 422
    assert export("seg", [{"job": other_job, "mask": 0}], volume_id=other["id"]).status_code == 409, "not DICOM"


def test_someone_else_gets_404_for_the_volume_and_for_its_jobs(make_client, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    data = tmp_path / "data"
    client = make_client(FakePredictor(), api_key=KEY, data_dir=data)
    alice, bob = person(data, "alice"), person(data, "bob")
    volume = client.post("/api/volumes", files={"file": ("part0", nifti_bytes())}, headers=alice).json()
    job = _job(client, volume["id"], ["liver"], alice)
    body = {"format": "zip", "masks": [{"job": job, "mask": 0}]}
    assert client.post(f"/api/volumes/{volume['id']}/export", json=body, headers=alice).status_code == 200
    refused = client.post(f"/api/volumes/{volume['id']}/export", json=body, headers=bob)
    assert refused.status_code == 404 and refused.json()["detail"] == "volume not found"
    # Bob's own volume does not open Alice's job either.
    own = client.post("/api/volumes", files={"file": ("part0", nifti_bytes())}, headers=bob).json()
    assert client.post(f"/api/volumes/{own['id']}/export", json=body, headers=bob).status_code == 404
    assert client.post("/api/volumes/nope/export", json=body, headers=alice).status_code == 404


def test_dicom_exports_say_how_each_mask_was_made_and_what_the_reviewer_changed(make_client, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """The model's mask is AUTOMATIC, its reviewed edit SEMIAUTOMATIC with the change (volumes, Dice,
    HD95) as the segment's / ROI's description, a drawn mask MANUAL (a SEG names no algorithm for it);
    every file still passes the reference validator where it is installed (tests/dicom)."""
    import nibabel as nib

    data = tmp_path / "data"
    client = make_client(FakePredictor(), api_key=KEY, data_dir=data)
    alice = person(data, "alice")
    volume = client.post("/api/volumes", files={"file": ("part0", _dicom_zip(tmp_path / "s"))}, headers=alice).json()
    job_id = _job(client, volume["id"], ["liver"], alice)
    draft_file = load_nifti(client.get(f"/api/jobs/{job_id}/masks/0.nii.gz", headers=alice).content)
    draft = np.asarray(draft_file.dataobj).astype(np.uint8)

    def save(mask: np.ndarray, name: str, descrip: str | None) -> dict[str, object]:
        img = nib.Nifti1Image(mask.astype(np.uint8), draft_file.affine)
        if descrip:
            img.header["descrip"] = descrip.encode()
        answer = client.post(f"/api/jobs/{job_id}/masks", files={"file": ("m.nii", img.to_bytes())},
                             data={"name": name}, headers=alice)
        assert answer.status_code == 201, answer.text
        return answer.json()["results"][-1]  # type: ignore[no-any-return]

    edited = draft.copy()
    edited[:2] = 1
    reviewed = save(edited, "liver (edited)", "voxtell draft=0")
    drawn_mask = np.zeros_like(draft)
    drawn_mask[2:5, 2:5, 1:3] = 1
    drawn = save(drawn_mask, "drawn", None)
    change = reviewed["review"]
    assert isinstance(change, dict) and change["draft"] == 0
    refs = [{"job": job_id, "mask": i} for i in (0, reviewed["index"], drawn["index"])]
    files = {}
    for fmt in ("seg", "rtstruct"):
        answer = client.post(f"/api/volumes/{volume['id']}/export", json={"format": fmt, "masks": refs}, headers=alice)
        assert answer.status_code == 200, answer.text
        files[fmt] = pydicom.dcmread(io.BytesIO(answer.content))
    expected = (f"AI draft (mask 0) edited by a reviewer: volume {change['volume_ml_before']:.2f} mL -> "
                f"{change['volume_ml_after']:.2f} mL, Dice {change['dice']:.3f}, HD95 {change['hd95_mm']:.2f} mm")
    segments = files["seg"].SegmentSequence
    assert [s.SegmentAlgorithmType for s in segments] == ["AUTOMATIC", "SEMIAUTOMATIC", "MANUAL"]
    assert [s.get("SegmentDescription") for s in segments] == [None, expected, None]
    assert "SegmentationAlgorithmIdentificationSequence" in segments[1]
    assert "SegmentationAlgorithmIdentificationSequence" not in segments[2]
    rois = files["rtstruct"].StructureSetROISequence
    assert [r.ROIGenerationAlgorithm for r in rois] == ["AUTOMATIC", "SEMIAUTOMATIC", "MANUAL"]
    assert [r.get("ROIDescription") for r in rois] == [None, expected, None]

"""Exports keep what the user sees: names and colours set with PATCH reach the zip, labels.json,
the ITK-SNAP label file, the label map's header, DICOM SEG and RTSTRUCT; ``?masks=`` exports a
subset in the order given."""

from __future__ import annotations

import io
import json
import shlex
import zipfile
from pathlib import Path

import numpy as np
import pydicom

from tests.backend.conftest import FakePredictor, load_nifti, upload, wait_done
from tests.backend.test_dicom_uploads import AXIAL, _zip_bytes
from tests.backend.test_mask_colours import palette
from tests.dicom.series import write_series


def _finished_job(client, prompts: list[str], content: bytes | None = None) -> dict:  # type: ignore[no-untyped-def]
    volume = upload(client, content).json()
    return wait_done(client, client.post("/api/jobs", json={"volume_id": volume["id"], "prompts": prompts}).json()["id"])


def _mask(client, job_id: str, index: int) -> np.ndarray:  # type: ignore[no-untyped-def]
    return np.asarray(load_nifti(client.get(f"/api/jobs/{job_id}/masks/{index}.nii.gz").content).dataobj)


def _label_lines(text: str) -> list[list[str]]:
    """The non-comment lines of an ITK-SNAP label file, split as ITK-SNAP reads them."""
    return [shlex.split(line) for line in text.splitlines() if line.strip() and not line.startswith("#")]


def test_rename_and_recolour_reach_every_export(make_client) -> None:  # type: ignore[no-untyped-def]
    client = make_client(FakePredictor())
    job = _finished_job(client, ["liver", "spleen", "aorta"])
    job_id = job["id"]
    renamed = client.patch(f"/api/jobs/{job_id}/masks/0", json={"name": "  Leber (rechts)/Segment 8 "})
    assert renamed.status_code == 200, renamed.text
    assert renamed.json()["results"][0]["name"] == "Leber (rechts)/Segment 8"
    assert renamed.json()["results"][0]["color"] == palette(0), "a rename keeps the colour"
    recoloured = client.patch(f"/api/jobs/{job_id}/masks/2", json={"color": [1, 2, 250]})
    assert recoloured.status_code == 200 and recoloured.json()["results"][2]["color"] == [1, 2, 250]
    assert recoloured.json()["results"][2]["name"] == "aorta", "a recolour keeps the name"
    both = client.patch(f"/api/jobs/{job_id}/masks/1", json={"name": "Milz", "color": [0, 255, 0]})
    assert [(r["name"], r["color"]) for r in both.json()["results"]] == [
        ("Leber (rechts)/Segment 8", palette(0)), ("Milz", [0, 255, 0]), ("aorta", [1, 2, 250])]
    # Kept in the job row: a fresh read (any node) sees it.
    assert client.get(f"/api/jobs/{job_id}").json()["results"][1]["name"] == "Milz"

    archive = zipfile.ZipFile(io.BytesIO(client.get(f"/api/jobs/{job_id}/masks.zip").content))
    assert archive.namelist() == ["Leber_rechts_Segment_8.nii.gz", "Milz.nii.gz", "aorta.nii.gz",
                                  "labels.json", "labels.txt"]
    for entry, index in (("Leber_rechts_Segment_8.nii.gz", 0), ("Milz.nii.gz", 1), ("aorta.nii.gz", 2)):
        np.testing.assert_array_equal(np.asarray(load_nifti(archive.read(entry)).dataobj), _mask(client, job_id, index))
    expected_json = [
        {"value": 1, "name": "Leber (rechts)/Segment 8", "color": palette(0), "index": 0, "source": "model"},
        {"value": 2, "name": "Milz", "color": [0, 255, 0], "index": 1, "source": "model"},
        {"value": 3, "name": "aorta", "color": [1, 2, 250], "index": 2, "source": "model"}]
    in_zip = json.loads(archive.read("labels.json"))
    served = client.get(f"/api/jobs/{job_id}/labels.json").json()
    for listed in (in_zip, served):
        assert [{k: e[k] for k in ("value", "name", "color", "index", "source")} for e in listed] == expected_json
    expected_txt = [["0", "0", "0", "0", "0", "0", "0", "Clear Label"],
                    ["1", *map(str, palette(0)), "1", "1", "1", "Leber (rechts)/Segment 8"],
                    ["2", "0", "255", "0", "1", "1", "1", "Milz"],
                    ["3", "1", "2", "250", "1", "1", "1", "aorta"]]
    text = client.get(f"/api/jobs/{job_id}/labels.txt")
    assert text.status_code == 200 and text.headers["content-type"].startswith("text/plain")
    assert text.text.startswith("#") and "ITK-SnAP Label Description File" in text.text
    assert _label_lines(text.text) == expected_txt
    assert _label_lines(archive.read("labels.txt").decode()) == expected_txt
    labelmap = client.get(f"/api/jobs/{job_id}/labelmap.nii.gz")
    assert json.loads(labelmap.headers["X-VoxTell-Labels"]) == ["Leber (rechts)/Segment 8", "Milz", "aorta"]
    # The single download's file name follows the name too.
    assert 'filename="Milz.nii.gz"' in client.get(f"/api/jobs/{job_id}/masks/1.nii.gz").headers["content-disposition"]


def test_zip_names_are_made_unique(make_client) -> None:  # type: ignore[no-untyped-def]
    client = make_client(FakePredictor())
    job_id = _finished_job(client, ["a", "b", "c", "d"])["id"]
    for index, name in ((0, "liver"), (1, "Liver"), (2, "liver?"), (3, "***")):
        assert client.patch(f"/api/jobs/{job_id}/masks/{index}", json={"name": name}).status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(client.get(f"/api/jobs/{job_id}/masks.zip").content))
    assert archive.namelist()[:4] == ["liver.nii.gz", "Liver_2.nii.gz", "liver_3.nii.gz", "mask.nii.gz"]


def test_patch_errors(make_client) -> None:  # type: ignore[no-untyped-def]
    predictor = FakePredictor()
    client = make_client(predictor)
    job_id = _finished_job(client, ["a"])["id"]
    for body, words in (({"name": "   "}, "blank"), ({"name": "x" * 201}, "200"), ({"color": [1, 2]}, "3"),
                        ({"color": [0, 0, 256]}, "255"), ({"color": "red"}, "list"), ({}, "give a name"),
                        ({"name": None}, "give a name"), ({"color": [True, 0, 0]}, "not true/false"),
                        ({"nmae": "typo"}, "nmae")):
        response = client.patch(f"/api/jobs/{job_id}/masks/0", json=body)
        assert response.status_code == 422, (body, response.text)
        assert words in response.json()["detail"], (body, response.json())
    assert client.patch(f"/api/jobs/{job_id}/masks/0", json={"name": "x" * 200}).status_code == 200
    missing = client.patch(f"/api/jobs/{job_id}/masks/7", json={"name": "x"})
    assert missing.status_code == 404 and missing.json()["detail"] == "job has no mask 7"
    assert client.patch("/api/jobs/nope/masks/0", json={"name": "x"}).status_code == 404
    predictor.gate.clear()
    volume = upload(client).json()
    running = client.post("/api/jobs", json={"volume_id": volume["id"], "prompts": ["a"]}).json()
    refused = client.patch(f"/api/jobs/{running['id']}/masks/0", json={"name": "x"})
    assert refused.status_code == 409 and "finished" in refused.json()["detail"]
    predictor.gate.set()
    wait_done(client, running["id"])


def test_masks_subset_in_the_given_order(make_client) -> None:  # type: ignore[no-untyped-def]
    client = make_client(FakePredictor())
    job_id = _finished_job(client, ["a", "b", "c"])["id"]
    masks = [_mask(client, job_id, i) for i in range(3)]
    labelmap = client.get(f"/api/jobs/{job_id}/labelmap.nii.gz", params={"masks": "2,0"})
    assert labelmap.status_code == 200 and json.loads(labelmap.headers["X-VoxTell-Labels"]) == ["c", "a"]
    values = np.asarray(load_nifti(labelmap.content).dataobj)
    # value 1 = mask 2, value 2 = mask 0 (later wins on overlap); mask 1 is not in it
    np.testing.assert_array_equal(values, np.where(masks[0] > 0, 2, np.where(masks[2] > 0, 1, 0)))
    everything = np.asarray(load_nifti(client.get(f"/api/jobs/{job_id}/labelmap.nii.gz").content).dataobj)
    np.testing.assert_array_equal(everything, np.where(masks[2] > 0, 3, np.where(masks[1] > 0, 2, np.where(masks[0] > 0, 1, 0))))
    archive = zipfile.ZipFile(io.BytesIO(client.get(f"/api/jobs/{job_id}/masks.zip", params={"masks": "2,0"}).content))
    assert archive.namelist() == ["c.nii.gz", "a.nii.gz", "labels.json", "labels.txt"]
    assert [(e["value"], e["index"]) for e in json.loads(archive.read("labels.json"))] == [(1, 2), (2, 0)]
    assert [line[0] for line in _label_lines(archive.read("labels.txt").decode())] == ["0", "1", "2"]
    listed = client.get(f"/api/jobs/{job_id}/labels.json", params={"masks": "1"}).json()
    assert [(e["value"], e["name"]) for e in listed] == [(1, "b")]
    assert _label_lines(client.get(f"/api/jobs/{job_id}/labels.txt", params={"masks": "1"}).text)[1][-1] == "b"
    for path in ("labelmap.nii.gz", "masks.zip", "labels.json", "labels.txt", "seg.dcm", "rtstruct.dcm"):
        unknown = client.get(f"/api/jobs/{job_id}/{path}", params={"masks": "0,5"})
        if path.endswith(".dcm"):  # a NIfTI upload: the DICOM exports refuse first
            assert unknown.status_code == 409
            continue
        assert unknown.status_code == 404 and unknown.json()["detail"] == "job has no mask 5", path
        for bad in ("a", "0,,1", "-1", "1,1", ""):
            malformed = client.get(f"/api/jobs/{job_id}/{path}", params={"masks": bad})
            assert malformed.status_code == 422 and "masks" in malformed.json()["detail"], (path, bad)
    client.delete(f"/api/jobs/{job_id}/masks/0")
    gone = client.get(f"/api/jobs/{job_id}/labelmap.nii.gz", params={"masks": "2,0"})
    assert gone.status_code == 404 and gone.json()["detail"] == "job has no mask 0"
    assert not [p for p in (client.app.state.voxtell.store.result_dir(job_id)).iterdir()  # type: ignore[attr-defined]
                if p.name.startswith("labelmap")], "no label map keeps the deleted mask's voxels"


def test_edited_mask_colour(make_client) -> None:  # type: ignore[no-untyped-def]
    client = make_client(FakePredictor())
    job_id = _finished_job(client, ["a", "b"])["id"]
    body = load_nifti(client.get(f"/api/jobs/{job_id}/masks/0.nii.gz").content).to_bytes()
    picked = client.post(f"/api/jobs/{job_id}/masks", files={"file": ("x.nii", body)},
                         data={"name": "mine", "color": "10, 20,30"})
    assert picked.status_code == 201 and picked.json()["results"][-1]["color"] == [10, 20, 30]
    default = client.post(f"/api/jobs/{job_id}/masks", files={"file": ("x.nii", body)}, data={"name": "next"})
    assert default.json()["results"][-1]["index"] == 3 and default.json()["results"][-1]["color"] == palette(3)
    for bad in ("1,2", "1,2,300", "red", "1,2,3,4"):
        refused = client.post(f"/api/jobs/{job_id}/masks", files={"file": ("x.nii", body)}, data={"color": bad})
        assert refused.status_code == 422 and "color" in refused.json()["detail"], bad
    assert len(client.get(f"/api/jobs/{job_id}").json()["results"]) == 4, "a refused save stores nothing"


def test_dicom_seg_and_rtstruct_use_names_and_colours(make_client, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    import highdicom as hd

    client = make_client(FakePredictor(), data_dir=tmp_path / "data")
    data = np.random.default_rng(3).integers(-200, 800, (12, 10, 7)).astype(np.int16)
    files, _ = write_series(tmp_path / "s", data, *AXIAL, (0.8, 0.6, 3.0), np.array([10.0, -5, 80]))
    job_id = _finished_job(client, ["liver", "spleen", "aorta"], _zip_bytes(files))["id"]
    client.patch(f"/api/jobs/{job_id}/masks/0", json={"name": "Leber", "color": [200, 30, 40]})
    client.patch(f"/api/jobs/{job_id}/masks/1", json={"name": "Milz – ü 脾"})  # beyond Latin-1: kept as typed
    client.patch(f"/api/jobs/{job_id}/masks/2", json={"name": "Aorta abdominalis"})
    seg_path, rt_path = tmp_path / "seg.dcm", tmp_path / "rt.dcm"
    seg_path.write_bytes(client.get(f"/api/jobs/{job_id}/seg.dcm").content)
    seg = hd.seg.segread(str(seg_path))
    assert [s.SegmentLabel for s in seg.SegmentSequence] == ["Leber", "Milz – ü 脾", "Aorta abdominalis"]
    for segment, rgb in zip(seg.SegmentSequence, ([200, 30, 40], palette(1), palette(2))):
        lab = hd.color.CIELabColor.from_dicom_value(tuple(segment.RecommendedDisplayCIELabValue))
        assert np.abs(np.array(lab.to_rgb()) - rgb).max() <= 1, (segment.SegmentLabel, lab.to_rgb(), rgb)
    rt_path.write_bytes(client.get(f"/api/jobs/{job_id}/rtstruct.dcm").content)
    rtstruct = pydicom.dcmread(str(rt_path))
    assert [r.ROIName for r in rtstruct.StructureSetROISequence] == ["Leber", "Milz – ü 脾", "Aorta abdominalis"]
    assert [list(c.ROIDisplayColor) for c in rtstruct.ROIContourSequence] == [[200, 30, 40], palette(1), palette(2)]
    # A subset, in the order given; ?mask=i still works.
    seg_path.write_bytes(client.get(f"/api/jobs/{job_id}/seg.dcm", params={"masks": "2,0"}).content)
    assert [s.SegmentLabel for s in hd.seg.segread(str(seg_path)).SegmentSequence] == ["Aorta abdominalis", "Leber"]
    rt_path.write_bytes(client.get(f"/api/jobs/{job_id}/rtstruct.dcm", params={"mask": 1}).content)
    assert [r.ROIName for r in pydicom.dcmread(str(rt_path)).StructureSetROISequence] == ["Milz – ü 脾"]
    unknown = client.get(f"/api/jobs/{job_id}/seg.dcm", params={"masks": "0,9"})
    assert unknown.status_code == 404 and unknown.json()["detail"] == "job has no mask 9"
    both = client.get(f"/api/jobs/{job_id}/rtstruct.dcm", params={"mask": 0, "masks": "1"})
    assert both.status_code == 422 and "mask or masks" in both.json()["detail"]

"""Protocols of named structures: shipped ones seeded once, administrators edit them (API and
command line, checked, TG-263 advice as warnings), and a job run with a protocol gets its
prompts, and its results carry the structures' names, colours, interpreted types and
post-processing — a snapshot, not changed by a later edit."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests.backend.conftest import FakePredictor, upload, wait_done
from tests.backend.people import ADMIN, KEY, cli_ok, person, run_cli


@pytest.fixture()
def keyed(make_client: Callable[..., TestClient], tmp_path: Path) -> TestClient:
    return make_client(FakePredictor(patches=1), api_key=KEY, data_dir=tmp_path / "data")


def test_everyone_reads_the_shipped_protocols_only_administrators_write(keyed: TestClient, tmp_path: Path) -> None:
    alice = person(tmp_path / "data", "alice")
    listed = keyed.get("/api/protocols", headers=alice)
    assert listed.status_code == 200
    by_id = {p["id"]: p for p in listed.json()}
    assert {"abdomen-ct", "pelvis-rt", "thorax-rt", "head-neck-rt", "brain-mr"} <= set(by_id)
    pelvis = by_id["pelvis-rt"]
    assert [s["name"] for s in pelvis["structures"]][:6] == [
        "Prostate", "SeminalVes", "Bladder", "Rectum", "Femur_Head_L", "Femur_Head_R"]
    assert pelvis["modality"] == "CT" and pelvis["shipped"] and pelvis["warnings"] == []
    assert all(len(s["name"]) <= 16 for p in by_id.values() for s in p["structures"]), "TG-263: at most 16 characters"
    body = {"name": "Mine", "structures": [{"prompt": "liver", "name": "Liver", "color": [1, 2, 3]}]}
    refused = keyed.put("/api/protocols/mine", json=body, headers=alice)
    assert refused.status_code == 403 and refused.json()["detail"] == "administrators only"
    assert keyed.delete("/api/protocols/pelvis-rt", headers=alice).status_code == 403
    assert keyed.get("/api/protocols/nothing-here", headers=alice).status_code == 404


def test_an_administrator_writes_a_protocol_checked_with_tg263_advice(keyed: TestClient) -> None:
    body = {"name": "Liver SBRT", "modality": "CT", "structures": [
        {"prompt": "liver", "name": "Liver", "color": [200, 100, 80], "keep_largest_component": True},
        {"prompt": "liver tumor", "name": "GTV liver", "color": [255, 0, 0], "interpreted_type": "GTV"},
        {"prompt": "left kidney", "name": "Left_Kidney_long_name", "color": [0, 0, 255]}]}
    made = keyed.put("/api/protocols/liver-sbrt", json=body, headers=ADMIN)
    assert made.status_code == 201, made.text
    warnings = made.json()["warnings"]
    assert any("'GTV liver'" in w and "no spaces" in w for w in warnings)
    assert any("'Left_Kidney_long_name'" in w and "16 characters" in w for w in warnings)
    assert any("'Left_Kidney_long_name'" in w and "_L or _R" in w for w in warnings)
    assert made.json()["updated_by"] == "admin" and not made.json()["shipped"]
    assert keyed.put("/api/protocols/liver-sbrt", json=body, headers=ADMIN).status_code == 200, "a replace"
    bad_type = {**body, "structures": [{**body["structures"][0], "interpreted_type": "TUMOUR"}]}
    answer = keyed.put("/api/protocols/liver-sbrt", json=bad_type, headers=ADMIN)
    assert answer.status_code == 422 and "interpreted_type" in str(answer.json()["detail"])
    twice = {**body, "structures": [body["structures"][0], {**body["structures"][1], "name": "Liver"}]}
    answer = keyed.put("/api/protocols/liver-sbrt", json=twice, headers=ADMIN)
    assert answer.status_code == 409 and answer.json()["detail"] == \
        "protocol liver-sbrt: structure name 'Liver' is used twice"
    assert keyed.get("/api/protocols/liver-sbrt", headers=ADMIN).json()["structures"][2]["name"] == \
        "Left_Kidney_long_name", "a refused write changes nothing"
    assert keyed.put("/api/protocols/Bad_Id", json=body, headers=ADMIN).status_code == 422


def test_a_job_run_with_a_protocol_carries_its_structures(keyed: TestClient, tmp_path: Path) -> None:
    alice = person(tmp_path / "data", "alice")
    volume = upload(keyed, headers=alice).json()["id"]
    made = keyed.post("/api/jobs", json={"volume_id": volume, "protocol": "pelvis-rt"}, headers=alice)
    assert made.status_code == 201, made.text
    assert made.json()["protocol"] == "pelvis-rt"
    assert made.json()["prompts"][:3] == ["prostate", "seminal vesicles", "urinary bladder"]
    job = wait_done(keyed, made.json()["id"], headers=alice)
    protocol = keyed.get("/api/protocols/pelvis-rt", headers=alice).json()
    results = job["results"]
    assert [r["name"] for r in results] == [s["name"] for s in protocol["structures"]]
    assert [r["color"] for r in results] == [s["color"] for s in protocol["structures"]]
    assert [r["interpreted_type"] for r in results] == [s["interpreted_type"] for s in protocol["structures"]]
    # Prostate keeps its largest component (the protocol says so); the seminal vesicles do not.
    assert results[0]["components"] == 1 and results[1]["components"] > 1
    labels = keyed.get(f"/api/jobs/{job['id']}/labels.json", headers=alice).json()
    assert [(entry["name"], entry["color"]) for entry in labels][:2] == [("Prostate", [0, 151, 206]),
                                                                         ("SeminalVes", [0, 200, 160])]
    # An edit of the protocol afterwards does not change what the job ran or its results.
    keyed.put("/api/protocols/pelvis-rt", headers=ADMIN, json={
        "name": "Changed", "structures": [{"prompt": "bladder", "name": "Bladder", "color": [1, 1, 1]}]})
    again = keyed.get(f"/api/jobs/{job['id']}", headers=alice).json()
    assert [r["name"] for r in again["results"]] == [r["name"] for r in results]


def test_a_job_names_prompts_or_a_protocol_that_exists(keyed: TestClient, tmp_path: Path) -> None:
    alice = person(tmp_path / "data", "alice")
    volume = upload(keyed, headers=alice).json()["id"]
    both = keyed.post("/api/jobs", json={"volume_id": volume, "prompts": ["liver"], "protocol": "pelvis-rt"},
                      headers=alice)
    assert both.status_code == 422 and "exactly one" in str(both.json()["detail"])
    neither = keyed.post("/api/jobs", json={"volume_id": volume}, headers=alice)
    assert neither.status_code == 422
    unknown = keyed.post("/api/jobs", json={"volume_id": volume, "protocol": "no-such"}, headers=alice)
    assert unknown.status_code == 404 and unknown.json()["detail"] == "no protocol 'no-such'"
    assert keyed.get("/api/jobs", headers=alice).json() == [], "nothing queued by a refused request"


def test_protocols_import_and_export_on_the_command_line(tmp_path: Path) -> None:
    data = str(tmp_path / "data")
    good = tmp_path / "dept.yaml"
    good.write_text("- id: dept-liver\n  name: Department liver\n  structures:\n"
                    "    - {prompt: liver, name: Liver, color: [10, 20, 30], interpreted_type: organ}\n")
    assert cli_ok("protocols", "import", str(good), "--data-dir", data) == "dept-liver\t1 structures"
    exported = tmp_path / "out.yaml"
    cli_ok("protocols", "export", "dept-liver", "pelvis-rt", "--output", str(exported), "--data-dir", data)
    text = exported.read_text()
    assert "id: dept-liver" in text and "interpreted_type: ORGAN" in text and "name: Femur_Head_L" in text
    bad = tmp_path / "bad.yaml"
    bad.write_text("- id: dept-liver\n  name: Changed\n  structures:\n"
                   "    - {prompt: liver, name: Liver, color: [10, 20, 30]}\n"
                   "- id: other\n  name: Other\n  structures:\n"
                   "    - {prompt: x, name: X, color: [10, 20], interpreted_type: ORGAN}\n")
    code, out, err = run_cli("protocols", "import", str(bad), "--data-dir", data)
    assert code == 2 and out == ""
    assert err == f"voxtell-web: error: {bad}: protocol other: structure 1.color must be [r, g, b], " \
                  "each a whole number 0..255\n"
    listed = cli_ok("protocols", "list", "--data-dir", data)
    assert "dept-liver\tany\tDepartment liver\tLiver" in listed, "nothing of a refused file is stored"
    code, _, err = run_cli("protocols", "import", str(tmp_path / "missing.yaml"), "--data-dir", data)
    assert code == 2 and "cannot read" in err


def test_a_deleted_shipped_protocol_stays_deleted_after_a_restart(make_client: Callable[..., TestClient],
                                                                  tmp_path: Path) -> None:
    client = make_client(FakePredictor(), api_key=KEY, data_dir=tmp_path / "data")
    assert client.delete("/api/protocols/brain-mr", headers=ADMIN).status_code == 204
    assert client.delete("/api/protocols/brain-mr", headers=ADMIN).status_code == 404
    client.__exit__(None, None, None)
    restarted = make_client(FakePredictor(), api_key=KEY, data_dir=tmp_path / "data")
    ids = [p["id"] for p in restarted.get("/api/protocols", headers=ADMIN).json()]
    assert "brain-mr" not in ids and "pelvis-rt" in ids


def test_the_rtstruct_of_a_protocol_job_names_its_structures_as_a_planning_system_expects(
        keyed: TestClient, tmp_path: Path) -> None:
    import io
    import zipfile

    import numpy as np
    import pydicom

    from tests.dicom.series import write_series

    data = np.random.default_rng(3).integers(-200, 800, (16, 14, 6)).astype(np.int16)
    files, _ = write_series(tmp_path / "ct", data, np.array([1.0, 0, 0]), np.array([0, 1.0, 0]), (0.8, 0.8, 3.0),
                            np.array([-50.0, 20.0, 100.0]))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for f in files:
            zf.write(f, "ct/" + f.name)
    volume = upload(keyed, buf.getvalue(), name="ct.zip", headers=ADMIN).json()["id"]
    job = keyed.post("/api/jobs", json={"volume_id": volume, "protocol": "thorax-rt"}, headers=ADMIN).json()
    assert wait_done(keyed, job["id"], headers=ADMIN)["status"] == "done"
    answer = keyed.get(f"/api/jobs/{job['id']}/rtstruct.dcm", headers=ADMIN)
    assert answer.status_code == 200
    rt = pydicom.dcmread(io.BytesIO(answer.content))
    protocol = keyed.get("/api/protocols/thorax-rt", headers=ADMIN).json()
    assert [r.ROIName for r in rt.StructureSetROISequence] == [s["name"] for s in protocol["structures"]]
    assert [o.RTROIInterpretedType for o in rt.RTROIObservationsSequence] == \
        [s["interpreted_type"] for s in protocol["structures"]]
    assert "AVOIDANCE" in [o.RTROIInterpretedType for o in rt.RTROIObservationsSequence]
    assert [list(c.ROIDisplayColor) for c in rt.ROIContourSequence] == [s["color"] for s in protocol["structures"]]
    assert {r.ROIGenerationAlgorithm for r in rt.StructureSetROISequence} == {"AUTOMATIC"}


def test_predict_takes_a_protocol_instead_of_prompts(keyed: TestClient) -> None:
    import io
    import json

    from tests.backend.conftest import load_nifti, nifti_bytes

    def predict(data: dict[str, object]) -> object:
        return keyed.post("/predict", files={"image": ("scan.nii.gz", io.BytesIO(nifti_bytes()))}, data=data,
                          headers=ADMIN)

    answer = predict({"protocol": "thorax-rt"})
    assert answer.status_code == 200, answer.text
    names = json.loads(answer.headers["X-VoxTell-Labels"])
    assert names == ["Lung_L", "Lung_R", "Heart", "Esophagus", "SpinalCord", "Trachea"]
    labels = load_nifti(answer.content).get_fdata()
    assert set(labels.ravel().astype(int).tolist()) <= set(range(len(names) + 1)) and labels.max() == len(names)
    unknown = predict({"protocol": "no-such"})
    assert unknown.status_code == 404 and unknown.json()["detail"] == "no protocol 'no-such'"
    both = predict({"protocol": "thorax-rt", "prompt": "liver"})
    assert both.status_code == 422 and "exactly one" in both.json()["detail"]
    neither = predict({})
    assert neither.status_code == 422
    assert len(keyed.get("/api/volumes", headers=ADMIN).json()) == 1, "a refused request stores nothing"

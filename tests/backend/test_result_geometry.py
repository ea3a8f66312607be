"""What the UI needs without doing geometry: each result's centre in world millimetres (always
on the mask) and its box in the file's own voxel order; masks that keep the input's qform and
sform; the volume's modality and intensity unit."""

from __future__ import annotations

import gzip
import io
import json
import zipfile
from pathlib import Path

import nibabel as nib
import numpy as np
import pydicom
import pytest

from backend.storage.db import volumes
from tests.backend.conftest import FakePredictor, load_nifti, upload, wait_done
from tests.backend.fakes import ScriptedPredictor
from tests.backend.test_dicom_uploads import AXIAL, _zip_bytes
from tests.dicom.series import write_series

FILE_SHAPE = (8, 7, 5)
ZOOMS = (1.0, 4.0, 2.0)  # mm along file axes i, j, k


def _affine(columns: list[tuple[int, float]]) -> np.ndarray:
    """File axis n runs along world axis ``columns[n][0]`` with sign ``columns[n][1]``."""
    affine = np.eye(4)
    affine[:3, :3] = 0
    for n, (world_axis, sign) in enumerate(columns):
        affine[world_axis, n] = sign * ZOOMS[n]
    affine[:3, 3] = [30.0, -12.0, 55.5]
    return affine


ORIENTATIONS = {  # file axes (i, j, k) point to ...
    "LPS": _affine([(0, -1), (1, -1), (2, 1)]),
    "LAS": _affine([(0, -1), (1, 1), (2, 1)]),
    "RAS": _affine([(0, 1), (1, 1), (2, 1)]),
    "SRA": _affine([(2, 1), (0, 1), (1, 1)]),  # i towards S, j towards R, k towards A
}


def _l_shape_volume() -> np.ndarray:
    """An L drawn by hand in file voxels: i = 1..5 at j = 2, and j = 3..5 at i = 1, slice k = 2.

    Its centroid (i 18/8 = 2.25, j 22/8 = 2.75) is not on it. In millimetres (1 mm along i,
    4 mm along j) the nearest of its voxels is (1, 3, 2): 1.25² + (4·0.25)² = 2.5625 mm², where
    (2, 2, 2) is 0.25² + (4·0.75)² = 9.0625 mm² away (isotropic, (2, 2, 2) would be nearest)."""
    volume = np.zeros(FILE_SHAPE, np.int16)
    volume[1:6, 2, 2] = 100
    volume[1, 3:6, 2] = 100
    return volume


@pytest.mark.parametrize("name", list(ORIENTATIONS))
def test_centre_and_file_box_of_a_hand_drawn_l_shape(make_client, name: str) -> None:  # type: ignore[no-untyped-def]
    affine = ORIENTATIONS[name]
    image = nib.Nifti1Image(_l_shape_volume(), affine)
    client = make_client(ScriptedPredictor(lambda data, i: data > 50, windows=1))
    volume = upload(client, gzip.compress(image.to_bytes())).json()
    assert volume["orientation"] == name and volume["shape"] == list(FILE_SHAPE)
    job = wait_done(client, client.post("/api/jobs", json={"volume_id": volume["id"], "prompts": ["L"]}).json()["id"])
    result = job["results"][0]
    assert result["voxels"] == 8
    np.testing.assert_allclose(result["centre_mm"], (affine @ [1, 3, 2, 1])[:3], atol=1e-4)
    assert result["bbox_voxel"] == [[1, 6], [2, 6], [2, 3]]  # file order, the frame of volume["shape"]
    # The centre is on the mask: the downloaded mask has the voxel the centre maps back to.
    mask = load_nifti(client.get(f"/api/jobs/{job['id']}/masks/0.nii.gz").content)
    ijk = np.linalg.solve(mask.affine, [*result["centre_mm"], 1.0])[:3]
    assert np.asarray(mask.dataobj)[tuple(int(round(v)) for v in ijk)] == 1
    # A mask drawn in the viewer (file order, the volume's affine) gets the same answers.
    drawn = nib.Nifti1Image((_l_shape_volume() > 0).astype(np.uint8), affine).to_bytes()
    saved = client.post(f"/api/jobs/{job['id']}/masks", files={"file": ("m.nii", drawn)}, data={"name": "drawn"})
    edited = saved.json()["results"][-1]
    np.testing.assert_allclose(edited["centre_mm"], result["centre_mm"], atol=1e-6)
    assert edited["bbox_voxel"] == result["bbox_voxel"]


def test_lps_bbox_stays_in_ras_array_order(make_client) -> None:  # type: ignore[no-untyped-def]
    image = nib.Nifti1Image(_l_shape_volume(), ORIENTATIONS["LPS"])
    client = make_client(ScriptedPredictor(lambda data, i: data > 50, windows=1))
    volume = upload(client, gzip.compress(image.to_bytes())).json()
    job = wait_done(client, client.post("/api/jobs", json={"volume_id": volume["id"], "prompts": ["L"]}).json()["id"])
    # (S, A, R): S = k; A = 6 - j (j 2..5 -> 1..4); R = 7 - i (i 1..5 -> 2..6)
    assert job["results"][0]["bbox"] == [[2, 3], [1, 5], [2, 7]]


def _with_forms(qform: np.ndarray | None, sform: np.ndarray | None) -> bytes:
    data = np.random.default_rng(1).normal(100, 30, FILE_SHAPE).astype(np.int16)
    image = nib.Nifti1Image(data, None)
    image.header.set_qform(qform if qform is not None else np.eye(4), code=1 if qform is not None else 0)
    image.header.set_sform(sform if sform is not None else np.eye(4), code=1 if sform is not None else 0)
    image.header.set_zooms(ZOOMS)
    return gzip.compress(image.to_bytes())


LPS = ORIENTATIONS["LPS"]
SHIFTED = LPS.copy()
SHIFTED[:3, 3] += [0.5, -0.25, 1.0]  # an sform that differs from the qform


@pytest.mark.parametrize(("qform", "sform"), [(LPS, SHIFTED), (LPS, None), (None, SHIFTED), (None, None)],
                         ids=["qform1-sform1", "qform-only", "sform-only", "both-0"])
def test_masks_and_label_maps_keep_the_inputs_qform_and_sform(make_client, qform: np.ndarray | None,
                                                             sform: np.ndarray | None) -> None:  # type: ignore[no-untyped-def]
    content = _with_forms(qform, sform)
    source = load_nifti(content).header
    client = make_client(FakePredictor())
    volume = upload(client, content).json()
    job = wait_done(client, client.post("/api/jobs", json={"volume_id": volume["id"], "prompts": ["a", "b"]}).json()["id"])
    archive = zipfile.ZipFile(io.BytesIO(client.get(f"/api/jobs/{job['id']}/masks.zip").content))
    downloads = {"mask": client.get(f"/api/jobs/{job['id']}/masks/0.nii.gz").content,
                 "labelmap": client.get(f"/api/jobs/{job['id']}/labelmap.nii.gz").content,
                 "subset labelmap": client.get(f"/api/jobs/{job['id']}/labelmap.nii.gz", params={"masks": "1"}).content,
                 "zip entry": archive.read("b.nii.gz")}
    drawn = nib.Nifti1Image(np.ones(FILE_SHAPE, np.uint8), load_nifti(downloads["mask"]).affine).to_bytes()
    saved = client.post(f"/api/jobs/{job['id']}/masks", files={"file": ("m.nii", drawn)}).json()
    downloads["edited"] = client.get(f"/api/jobs/{job['id']}/masks/{saved['results'][-1]['index']}.nii.gz").content
    for what, blob in downloads.items():
        header = load_nifti(blob).header
        assert (int(header["qform_code"]), int(header["sform_code"])) == (
            1 if qform is not None else 0, 1 if sform is not None else 0), what
        for key in ("quatern_b", "quatern_c", "quatern_d", "qoffset_x", "qoffset_y", "qoffset_z",
                    "srow_x", "srow_y", "srow_z"):
            np.testing.assert_array_equal(header[key], source[key], err_msg=f"{what}: {key}")
        np.testing.assert_array_equal(header["pixdim"][:4], source["pixdim"][:4], err_msg=what)
        if qform is not None:
            np.testing.assert_allclose(header.get_qform(), qform, atol=1e-5, err_msg=what)
        if sform is not None:
            np.testing.assert_allclose(header.get_sform(), sform, atol=1e-5, err_msg=what)
        assert header.get_data_shape() == FILE_SHAPE


def _nifti(data: np.ndarray) -> bytes:
    return gzip.compress(nib.Nifti1Image(data, np.diag([0.8, 0.8, 2.0, 1.0])).to_bytes())


def test_modality_and_unit_of_nifti_uploads(make_client) -> None:  # type: ignore[no-untyped-def]
    client = make_client(FakePredictor())
    rng = np.random.default_rng(2)
    hu = rng.integers(-1024, 1500, (20, 18, 16)).astype(np.int16)
    cases = {
        "int16 CT": (_nifti(hu), "CT", "HU"),
        "float32 CT (whole numbers)": (_nifti(hu.astype(np.float32)), "CT", "HU"),
        "MR-like float": (_nifti(rng.normal(300, 80, (20, 18, 16)).astype(np.float32)), None, None),
        "whole numbers without air": (_nifti(rng.integers(-500, 1500, (20, 18, 16)).astype(np.int16)), None, None),
        "float with fractions over HU range": (_nifti(hu.astype(np.float32) + 0.25), None, None),
        "whole numbers without bone": (_nifti(rng.integers(-1000, 200, (20, 18, 16)).astype(np.int16)), None, None),
    }
    for case, (content, modality, unit) in cases.items():
        volume = upload(client, content).json()
        assert (volume["modality"], volume["intensity_unit"]) == (modality, unit), case
        again = client.get(f"/api/volumes/{volume['id']}").json()
        assert (again["modality"], again["intensity_unit"]) == (modality, unit), case


def test_modality_of_dicom_uploads_comes_from_the_series(make_client, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    client = make_client(FakePredictor())
    data = np.random.default_rng(3).integers(-1000, 800, (12, 10, 7)).astype(np.int16)
    ct, _ = write_series(tmp_path / "ct", data, *AXIAL, (0.8, 0.6, 3.0), np.zeros(3))
    volume = upload(client, _zip_bytes(ct)).json()
    assert (volume["modality"], volume["intensity_unit"]) == ("CT", "HU")
    mr, _ = write_series(tmp_path / "mr", data, *AXIAL, (0.8, 0.6, 3.0), np.zeros(3))
    for path in mr:  # the same HU-like numbers, but the series says MR: no HU
        ds = pydicom.dcmread(str(path))
        ds.Modality = "MR"
        ds.save_as(str(path))
    volume = upload(client, _zip_bytes(mr)).json()
    assert (volume["modality"], volume["intensity_unit"]) == ("MR", None)
    assert client.get(f"/api/volumes/{volume['id']}").json()["modality"] == "MR"


def test_volumes_stored_before_modality_existed_answer_null(make_client) -> None:  # type: ignore[no-untyped-def]
    client = make_client(FakePredictor())
    volume = upload(client).json()
    store = client.app.state.voxtell.store  # type: ignore[attr-defined]

    meta = {k: v for k, v in store.get_volume(volume["id"]).items() if k not in ("id", "created", "modality",
                                                                                 "intensity_unit")}
    with store.engine.begin() as db:
        db.execute(volumes.update().where(volumes.c.id == volume["id"]).values(meta=json.dumps(meta)))
    old = client.get(f"/api/volumes/{volume['id']}")
    assert old.status_code == 200 and (old.json()["modality"], old.json()["intensity_unit"]) == (None, None)

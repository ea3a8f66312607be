"""DICOM uploads through the HTTP API: zip or files, series choice, hostile archives."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import numpy as np
import pydicom
import pytest

from tests.backend.conftest import load_nifti, upload, wait_done
from tests.dicom.series import lps_to_ras, write_series

AXIAL = (np.array([1.0, 0, 0]), np.array([0, 1.0, 0]))


def _zip_bytes(files: list[Path], prefix: str = "study/") -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for f in files:
            zf.write(f, prefix + f.parent.name + "/" + f.name)
    return buf.getvalue()


def test_zip_series_upload_geometry_and_segmentation(make_client, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    client = make_client(data_dir=tmp_path / "data")
    data = np.random.default_rng(2).integers(-200, 800, (12, 10, 7)).astype(np.int16)
    origin = np.array([-50.0, 20.0, 100.0])
    files, _ = write_series(tmp_path / "s", data, *AXIAL, (0.8, 0.6, 3.0), origin)
    response = upload(client, _zip_bytes(files), name="study.zip")
    assert response.status_code == 201, response.text
    vol = response.json()
    assert vol["format"] == "dicom" and vol["shape"] == [12, 10, 7]
    affine = np.array(vol["affine"])
    np.testing.assert_allclose(affine @ [11, 9, 6, 1], [*lps_to_ras(origin + [11 * 0.8, 9 * 0.6, 6 * 3.0]), 1], atol=1e-4)
    # The patient banner's fields come back to the person who uploaded them (never logged:
    # test_patient_header); the DICOM UIDs never do.
    assert vol["header"]["patient_id"] == "PHI-123" and "Doe" in vol["header"]["patient_name"]
    first = pydicom.dcmread(files[0], stop_before_pixels=True)
    assert first.StudyInstanceUID not in response.text and first.SeriesInstanceUID not in response.text
    job = client.post("/api/jobs", json={"volume_id": vol["id"], "prompts": ["liver"]}).json()
    assert wait_done(client, job["id"])["status"] == "done"
    mask = load_nifti(client.get(f"/api/jobs/{job['id']}/masks/0.nii.gz").content)
    np.testing.assert_allclose(mask.affine, affine, atol=1e-4)


def test_several_series_need_a_choice_then_multi_file_upload(make_client, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    client = make_client()
    a, uid_a = write_series(tmp_path / "a", np.zeros((6, 5, 4), np.int16), *AXIAL, (1, 1, 2), np.zeros(3),
                            description="arterial")
    b, _ = write_series(tmp_path / "b", np.ones((6, 5, 3), np.int16), *AXIAL, (1, 1, 2), np.zeros(3),
                        description="venous")
    both = _zip_bytes([*a, *b])
    response = upload(client, both)
    assert response.status_code == 409 and "2 DICOM series" in response.json()["detail"]
    listed = response.json()["series"]
    assert [(s["description"], s["slices"]) for s in listed] == [("arterial", 4), ("venous", 3)]
    picked = client.post("/api/volumes", files={"file": ("s.zip", both)}, data={"series_uid": uid_a["series"]})
    assert picked.status_code == 201 and picked.json()["shape"] == [6, 5, 4]
    parts = [("file", (f"x{i}", p.read_bytes())) for i, p in enumerate(b)]
    multi = client.post("/api/volumes", files=parts)
    assert multi.status_code == 201 and multi.json()["shape"] == [6, 5, 3]


def test_hostile_or_empty_archives(make_client, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    client = make_client(data_dir=tmp_path / "data")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("../../escape.dcm", b"x")
    response = upload(client, buf.getvalue())
    assert response.status_code == 422 and "'..'" in response.json()["detail"]
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("readme.txt", b"hello")
    response = upload(client, buf.getvalue())
    assert response.status_code == 422 and "no DICOM image slices" in response.json()["detail"]
    assert not list((tmp_path / "data" / "tmp").iterdir()), "private temp folders are removed"
    assert not list((tmp_path / "data" / "volumes").iterdir())
    assert not (tmp_path / "escape.dcm").exists()


def test_dicom_seg_export_lands_on_the_source_slices(make_client, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    import highdicom as hd

    from tests.backend.conftest import FakePredictor, nifti_bytes

    client = make_client(FakePredictor(), data_dir=tmp_path / "data")
    data = np.random.default_rng(3).integers(-200, 800, (12, 10, 7)).astype(np.int16)
    row_dir, col_dir = np.array([0, 1.0, 0]), np.array([0, 0, -1.0])  # sagittal
    files, uids = write_series(tmp_path / "s", data, row_dir, col_dir, (0.8, 0.6, 3.0), np.array([10.0, -5, 80]))
    vol = upload(client, _zip_bytes(files)).json()
    job = client.post("/api/jobs", json={"volume_id": vol["id"], "prompts": ["liver", "spleen"]}).json()
    wait_done(client, job["id"])
    response = client.get(f"/api/jobs/{job['id']}/seg.dcm")
    assert response.status_code == 200
    (tmp_path / "seg.dcm").write_bytes(response.content)
    seg = hd.seg.segread(str(tmp_path / "seg.dcm"))
    assert [s.SegmentLabel for s in seg.SegmentSequence] == ["liver", "spleen"]
    assert seg.ReferencedSeriesSequence[0].SeriesInstanceUID == uids["series"]
    assert "Doe" not in str(seg.get("SeriesDescription", ""))
    # Probe: the fake predictor marks voxels above the median; map SEG frames back via the source SOP UIDs.
    import pydicom

    by_sop = {pydicom.dcmread(str(f)).SOPInstanceUID: f for f in files}
    for segment, percentile in ((1, 50), (2, 60)):
        for sop, f in by_sop.items():
            frame = seg.get_pixels_by_source_instance([sop], segment_numbers=[segment])[0, :, :, 0]
            source = pydicom.dcmread(str(f)).pixel_array.astype(np.float32) - 1024
            expected = source > np.percentile(data.astype(np.float32), percentile)
            np.testing.assert_array_equal(frame.astype(bool), expected)
    rt = client.get(f"/api/jobs/{job['id']}/rtstruct.dcm")
    assert rt.status_code == 200
    (tmp_path / "rt.dcm").write_bytes(rt.content)
    rtstruct = pydicom.dcmread(str(tmp_path / "rt.dcm"))
    assert rtstruct.Modality == "RTSTRUCT"
    assert [r.ROIName for r in rtstruct.StructureSetROISequence] == ["liver", "spleen"]
    referenced = {c.ContourImageSequence[0].ReferencedSOPInstanceUID
                  for roi in rtstruct.ROIContourSequence for c in roi.ContourSequence}
    assert referenced and referenced <= set(by_sop)
    nifti = upload(client, nifti_bytes()).json()
    other = client.post("/api/jobs", json={"volume_id": nifti["id"], "prompts": ["x"]}).json()
    wait_done(client, other["id"])
    for kind in ("seg.dcm", "rtstruct.dcm"):
        refused = client.get(f"/api/jobs/{other['id']}/{kind}")
        assert refused.status_code == 409 and "uploaded as DICOM" in refused.json()["detail"]


def _hostile(kind: str) -> bytes:
    import stat

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        if kind == "absolute":
            zf.writestr("/etc/cron.d/evil", b"x")
        elif kind == "symlink":
            info = zipfile.ZipInfo("link.dcm")
            info.external_attr = (stat.S_IFLNK | 0o777) << 16
            zf.writestr(info, "/etc/passwd")
        elif kind == "bomb":
            zf.writestr("bomb.dcm", b"\0" * (64 << 20))
        elif kind == "members":
            for i in range(100_000):
                zf.writestr(f"{i}", b"")
    return buf.getvalue()


@pytest.mark.parametrize(("kind", "message"), [
    ("absolute", "absolute path"), ("symlink", "symbolic link"), ("bomb", "compression ratio"),
    ("members", "100000 members"),
])
def test_hostile_zip_kinds(make_client, tmp_path: Path, kind: str, message: str) -> None:  # type: ignore[no-untyped-def]
    client = make_client(data_dir=tmp_path / "data")
    response = upload(client, _hostile(kind))
    assert response.status_code == 422 and message in response.json()["detail"]
    assert not list((tmp_path / "data" / "tmp").iterdir())
    assert not list((tmp_path / "data" / "volumes").iterdir())


def test_predict_with_a_dicom_zip_and_single_mask_exports(make_client, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    import pydicom

    client = make_client(data_dir=tmp_path / "data")
    data = np.random.default_rng(6).integers(-200, 800, (16, 12, 5)).astype(np.int16)
    origin = np.array([-30.0, 12.0, 40.0])
    files, _ = write_series(tmp_path / "s", data, *AXIAL, (0.9, 0.7, 2.0), origin)
    response = client.post("/predict", files={"image": ("study.zip", _zip_bytes(files))},
                           data={"prompt": ["liver", "spleen"]})
    assert response.status_code == 200, response.text
    labels = load_nifti(response.content)
    assert labels.shape == (16, 12, 5)
    np.testing.assert_allclose(labels.affine @ [0, 0, 0, 1], [-origin[0], -origin[1], origin[2], 1], atol=1e-4)
    job = response.headers["X-VoxTell-Job"]
    for kind, labels_of in (("seg.dcm", lambda d: [s.SegmentLabel for s in d.SegmentSequence]),
                            ("rtstruct.dcm", lambda d: [r.ROIName for r in d.StructureSetROISequence])):
        one = client.get(f"/api/jobs/{job}/{kind}", params={"mask": 1})
        assert one.status_code == 200
        (tmp_path / kind).write_bytes(one.content)
        assert labels_of(pydicom.dcmread(str(tmp_path / kind))) == ["spleen"]
        assert client.get(f"/api/jobs/{job}/{kind}", params={"mask": 7}).status_code == 404


def test_dicom_exports_keep_identifiers_out_of_the_log(make_client, tmp_path: Path,  # type: ignore[no-untyped-def]
                                                       caplog: pytest.LogCaptureFixture) -> None:
    """highdicom names every source dataset (by UID) at INFO; the CLIs' logging policy mutes it."""
    import logging

    from tests.backend.conftest import FakePredictor
    from voxtell.logs import LIBRARIES_LOGGING_IDENTIFIERS, keep_identifiers_out_of_logs

    client = make_client(FakePredictor(), data_dir=tmp_path / "data")
    data = np.random.default_rng(4).integers(-200, 800, (8, 9, 5)).astype(np.int16)
    files, uids = write_series(tmp_path / "s", data, np.array([1.0, 0, 0]), np.array([0, 1.0, 0]), (0.8, 0.8, 2.0),
                               np.array([0.0, 0, 0]))
    vol = upload(client, _zip_bytes(files)).json()
    job = client.post("/api/jobs", json={"volume_id": vol["id"], "prompts": ["liver"]}).json()
    wait_done(client, job["id"])
    caplog.set_level(logging.INFO)
    levels = {name: logging.getLogger(name).level for name in LIBRARIES_LOGGING_IDENTIFIERS}
    try:
        keep_identifiers_out_of_logs()
        for export in ("seg.dcm", "rtstruct.dcm"):
            assert client.get(f"/api/jobs/{job['id']}/{export}").status_code == 200
    finally:
        for name, level in levels.items():
            logging.getLogger(name).setLevel(level)
    for uid in (uids["series"], uids["study"]):
        assert uid not in caplog.text
    assert "1.2." not in caplog.text  # no DICOM UID at all

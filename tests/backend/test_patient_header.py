"""The patient banner's server part: what a DICOM upload said about the patient and study, or a
NIfTI upload's display name, stored with the volume and returned in ``VolumeInfo.header`` — and
never written to the log."""

from __future__ import annotations

import io
import logging
import zipfile
from pathlib import Path

import numpy as np
import pydicom
import pytest

from tests.backend.conftest import nifti_bytes, upload
from tests.dicom.series import write_series

AXIAL = (np.array([1.0, 0, 0]), np.array([0, 1.0, 0]))
HEADER = {"patient_name": "Doe^Jane", "patient_id": "PHI-123", "patient_sex": "F",
          "patient_birth_date": "1961-07-14", "study_date": "2024-01-05", "study_description": "CT THORAX ABDOMEN",
          "series_description": "venous phase 1mm", "modality": "CT", "file_name": None}


def _dicom_zip(folder: Path) -> bytes:
    files, _ = write_series(folder, np.arange(8 * 7 * 5, dtype=np.int16).reshape(8, 7, 5), *AXIAL, (1, 1, 2),
                            np.zeros(3), description="venous phase 1mm")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for f in files:
            ds = pydicom.dcmread(f)
            ds.PatientSex, ds.PatientBirthDate, ds.StudyDate = "F", "19610714", "20240105"
            ds.StudyDescription = "CT THORAX ABDOMEN"
            ds.save_as(f, enforce_file_format=True)
            zf.write(f, "study/" + f.name)
    return buf.getvalue()


def test_a_dicom_upload_returns_the_patient_and_study_fields(make_client, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    client = make_client(data_dir=tmp_path / "data")
    response = upload(client, _dicom_zip(tmp_path / "s"), name="study.zip")
    assert response.status_code == 201, response.text
    volume = response.json()
    assert volume["header"] == HEADER
    assert client.get(f"/api/volumes/{volume['id']}").json()["header"] == HEADER
    assert [v["header"] for v in client.get("/api/volumes").json()] == [HEADER]


def test_a_dicom_upload_writes_no_patient_field_to_the_log(make_client, tmp_path: Path,  # type: ignore[no-untyped-def]
                                                           caplog: pytest.LogCaptureFixture) -> None:
    client = make_client(data_dir=tmp_path / "data")
    content = _dicom_zip(tmp_path / "s")
    caplog.set_level(logging.DEBUG)  # every logger, every level
    response = upload(client, content, name="study.zip")
    assert response.status_code == 201, response.text
    volume_id = response.json()["id"]
    assert client.get(f"/api/volumes/{volume_id}").status_code == 200
    assert client.get("/api/volumes").status_code == 200
    assert caplog.records, "the upload logged something at DEBUG (else this test proves nothing)"
    for value in ("Doe", "Jane", "PHI-123", "19610714", "1961-07-14", "20240105", "2024-01-05",
                  "THORAX", "venous phase"):
        assert value not in caplog.text, value


def test_a_nifti_upload_keeps_its_display_name_sanitised_and_never_as_a_path(make_client, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    client = make_client(data_dir=tmp_path / "data")
    named = client.post("/api/volumes", files={"file": ("part0", io.BytesIO(nifti_bytes()), "application/octet-stream")},
                        data={"display_name": "..\\../etc/pass\x00wd\u202e gpj.nii.gz"})
    assert named.status_code == 201, named.text
    volume = named.json()
    assert volume["header"] == {**dict.fromkeys(HEADER), "file_name": "passwd gpj.nii.gz"}
    stored = list((tmp_path / "data").rglob("*passwd*")) + list((tmp_path / "data").rglob("*etc*"))
    assert stored == [], "the name is shown, never a path"
    assert client.get(f"/api/volumes/{volume['id']}/image").status_code == 200
    plain = upload(client)
    assert plain.status_code == 201 and plain.json()["header"] is None

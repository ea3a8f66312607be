"""Search -> series -> import -> segment -> store SEG / RTSTRUCT -> read back from a real Orthanc."""

from __future__ import annotations

import gzip
from io import BytesIO

import highdicom as hd
import nibabel as nib
import numpy as np
import pydicom
import pytest
from fastapi.testclient import TestClient

from tests.backend.conftest import wait_done
from tests.pacs.conftest import PASSWORD, USER, Archive, Series
from voxtell.io.dicomweb import ArchiveConfig, open_archive


def _archive_client(archive: Archive):  # type: ignore[no-untyped-def]
    return open_archive(ArchiveConfig(url=archive.url, user=USER, password=PASSWORD))


def _segment(server: TestClient, series: Series, prompts: list[str]) -> dict:
    imported = server.post("/api/pacs/import", json={"study_uid": series.study_uid, "series_uid": series.series_uid})
    assert imported.status_code == 201, imported.text
    assert imported.json()["format"] == "dicom"
    job = server.post("/api/jobs", json={"volume_id": imported.json()["id"], "prompts": prompts}).json()
    job = wait_done(server, job["id"])
    assert job["status"] == "done", job
    return job


def _mask(server: TestClient, job: dict, index: int) -> np.ndarray:
    """A job's mask in the volume's voxel order (i = column, j = row, k = sorted slice)."""
    content = server.get(f"/api/jobs/{job['id']}/masks/{index}.nii.gz").content
    return np.asarray(nib.Nifti1Image.from_bytes(gzip.decompress(content)).dataobj)


def _read_back(archive: Archive, study_uid: str, series_uid: str) -> pydicom.Dataset:
    client = _archive_client(archive)
    instances = client.search_for_instances(study_uid, series_uid)
    assert len(instances) == 1
    sop = instances[0]["00080018"]["Value"][0]
    return client.retrieve_instance(study_uid, series_uid, sop)


def test_info_says_an_archive_is_configured(server: TestClient, make_server) -> None:  # type: ignore[no-untyped-def]
    assert server.get("/api/info").json()["pacs"] is True
    assert make_server().get("/api/info").json()["pacs"] is False


def test_study_search_returns_what_a_worklist_shows(server: TestClient, archive: Archive) -> None:
    every = server.get("/api/pacs/studies")
    assert every.status_code == 200, every.text
    assert len(every.json()) == 3
    two = server.get("/api/pacs/studies", params={"patient_name": "doe"}).json()
    assert [s["study_uid"] for s in two] == [archive.series["axial"].study_uid]
    study = two[0]
    assert study["patient_name"] == "Doe^Jane" and study["patient_id"] == "PHI-123"
    assert study["study_date"] == "20240105" and study["accession_number"] == "ACC1"
    assert study["description"] == "CT abdomen" and "CT" in study["modalities"]
    # other tests may have stored SEG / RTSTRUCT series in this study meanwhile
    listed = server.get(f"/api/pacs/studies/{study['study_uid']}/series").json()
    assert study["series_count"] == len(listed) >= 2
    assert study["instance_count"] == sum(s["instance_count"] for s in listed)
    by_id = server.get("/api/pacs/studies", params={"patient_id": "PHI-456"}).json()
    assert [s["study_uid"] for s in by_id] == [archive.series["oblique"].study_uid]
    assert server.get("/api/pacs/studies", params={"accession": "ACC3"}).json()[0]["patient_name"] == "Poe^Edgar"
    assert len(server.get("/api/pacs/studies", params={"study_date": "20240201-20240331"}).json()) == 2
    assert server.get("/api/pacs/studies", params={"patient_name": "nobody"}).json() == []
    assert len(server.get("/api/pacs/studies", params={"limit": 2}).json()) == 2


def test_series_of_a_study_with_orientation(server: TestClient, archive: Archive) -> None:
    axial, sagittal = archive.series["axial"], archive.series["sagittal"]
    listed = server.get(f"/api/pacs/studies/{axial.study_uid}/series")
    assert listed.status_code == 200, listed.text
    images = [s for s in listed.json() if s["modality"] == "CT"]  # stored results may be listed too
    assert [(s["series_uid"], s["orientation"], s["instance_count"], s["modality"]) for s in images] == [
        (axial.series_uid, "axial", 10, "CT"), (sagittal.series_uid, "sagittal", 12, "CT")]
    assert images[0]["description"] == "axial series"
    oblique = archive.series["oblique"]
    assert server.get(f"/api/pacs/studies/{oblique.study_uid}/series").json()[0]["orientation"] == "oblique"


def test_importing_a_series_twice_reuses_the_volume(server: TestClient, archive: Archive) -> None:
    axial = archive.series["axial"]
    body = {"study_uid": axial.study_uid, "series_uid": axial.series_uid}
    first = server.post("/api/pacs/import", json=body)
    assert first.status_code == 201, first.text
    assert first.json()["shape"] == list(axial.shape) and first.json()["orientation"] == "LPS"
    again = server.post("/api/pacs/import", json=body)
    assert again.status_code == 200 and again.json()["id"] == first.json()["id"]
    server.delete(f"/api/volumes/{first.json()['id']}")
    fresh = server.post("/api/pacs/import", json=body)  # a deleted volume is imported anew
    assert fresh.status_code == 201 and fresh.json()["id"] != first.json()["id"]


@pytest.mark.parametrize("name", ["axial", "sagittal", "oblique"])
def test_seg_stored_in_the_archive_equals_the_masks(server: TestClient, archive: Archive, name: str) -> None:
    series = archive.series[name]
    job = _segment(server, series, ["liver", "spleen"])
    stored = server.post(f"/api/jobs/{job['id']}/pacs", json={"format": "seg"})
    assert stored.status_code == 201, stored.text
    answer = stored.json()
    assert answer["study_uid"] == series.study_uid and answer["series_description"] == "VoxTell segmentation - review before clinical use"
    seg = hd.seg.Segmentation.from_dataset(_read_back(archive, series.study_uid, answer["series_uid"]))
    assert seg.SOPInstanceUID == answer["sop_instance_uid"] and seg.SeriesInstanceUID == answer["series_uid"]
    assert [s.SeriesInstanceUID for s in seg.ReferencedSeriesSequence] == [series.series_uid]
    referenced = {i.ReferencedSOPInstanceUID for i in seg.ReferencedSeriesSequence[0].ReferencedInstanceSequence}
    assert referenced == set(series.sop_uids)
    frames_from = {f.DerivationImageSequence[0].SourceImageSequence[0].ReferencedSOPInstanceUID
                   for f in seg.PerFrameFunctionalGroupsSequence}
    assert frames_from == set(series.sop_uids)
    assert [s.SegmentLabel for s in seg.SegmentSequence] == ["liver", "spleen"]
    pixels = seg.get_pixels_by_source_instance(list(series.sop_uids), segment_numbers=[1, 2])
    for index in (0, 1):
        expected = _mask(server, job, index).transpose(2, 1, 0)  # (slice, row, column)
        assert expected.any()
        np.testing.assert_array_equal(pixels[..., index], expected)


def test_rtstruct_stored_in_the_archive_references_the_source(server: TestClient, archive: Archive) -> None:
    series = archive.series["axial"]
    job = _segment(server, series, ["liver", "left kidney"])
    stored = server.post(f"/api/jobs/{job['id']}/pacs", json={"format": "rtstruct", "mask": 1})
    assert stored.status_code == 201, stored.text
    answer = stored.json()
    assert answer["format"] == "rtstruct" and answer["series_description"] == "VoxTell auto-contours - review before clinical use"
    rt = _read_back(archive, series.study_uid, answer["series_uid"])
    assert rt.Modality == "RTSTRUCT" and rt.SOPInstanceUID == answer["sop_instance_uid"]
    assert [roi.ROIName for roi in rt.StructureSetROISequence] == ["left kidney"]
    frame = rt.ReferencedFrameOfReferenceSequence[0]
    study = frame.RTReferencedStudySequence[0]
    assert study.ReferencedSOPInstanceUID == series.study_uid
    assert study.RTReferencedSeriesSequence[0].SeriesInstanceUID == series.series_uid
    listed = {c.ReferencedSOPInstanceUID for c in study.RTReferencedSeriesSequence[0].ContourImageSequence}
    assert listed == set(series.sop_uids)
    contoured = {c.ContourImageSequence[0].ReferencedSOPInstanceUID
                 for roi in rt.ROIContourSequence for c in roi.ContourSequence}
    assert contoured and contoured <= set(series.sop_uids)


def test_study_of_an_upload_can_be_sent_back_too(server: TestClient, archive: Archive) -> None:
    """A DICOM zip upload of an archive series can be stored there as well: the SEG lands in its study."""
    import zipfile

    series = archive.series["oblique"]
    client = _archive_client(archive)
    buffer = BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        for n, ds in enumerate(client.iter_series(series.study_uid, series.series_uid)):
            part = BytesIO()
            ds.save_as(part, enforce_file_format=True)
            zf.writestr(f"{n}.dcm", part.getvalue())
    uploaded = server.post("/api/volumes", files={"file": ("s.zip", buffer.getvalue(), "application/zip")})
    assert uploaded.status_code == 201, uploaded.text
    job = wait_done(server, server.post("/api/jobs", json={"volume_id": uploaded.json()["id"],
                                                           "prompts": ["liver"]}).json()["id"])
    stored = server.post(f"/api/jobs/{job['id']}/pacs", json={"format": "seg"})
    assert stored.status_code == 201, stored.text
    assert _read_back(archive, series.study_uid, stored.json()["series_uid"]).Modality == "SEG"

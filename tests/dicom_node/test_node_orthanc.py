"""Orthanc as the PACS on both sides of the DICOM node: Orthanc sends a study to the node
(``/modalities/{id}/store``, DIMSE C-STORE), the node runs the rule's protocol and stores the
RTSTRUCT back into Orthanc by C-STORE, where QIDO-RS finds it in the source study."""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pydicom
import pytest
from fastapi.testclient import TestClient

from backend.app import create_app
from backend.settings import Settings
from tests.backend.conftest import FakePredictor
from tests.backend.people import ADMIN, KEY
from tests.dicom_node.helpers import ct_series, wait_for
from tests.dicom_node.test_node_flow import configure, node_port, worklist
from tests.pacs.orthanc import Orthanc, free_port, orthanc_available

if not orthanc_available():
    pytest.skip("Orthanc is not installed (make orthanc)", allow_module_level=True)


@pytest.fixture()
def server(tmp_path: Path) -> Iterator[TestClient]:
    settings = Settings(data_dir=tmp_path / "data", static_dir=tmp_path / "none", api_key=KEY, dicom_port=0,
                        dicom_allowed_callers=["ORTHANC@127.0.0.1"], dicom_quiet_s=1.0)
    with TestClient(create_app(settings, lambda _: FakePredictor(patches=1))) as client:
        yield client


def test_orthanc_sends_a_study_and_finds_the_rtstruct_in_it(server: TestClient, tmp_path: Path) -> None:
    pacs_dicom = free_port()
    with Orthanc(tmp_path / "orthanc", dicom_port=pacs_dicom,
                 modalities={"voxtell": ["VOXTELL", "127.0.0.1", node_port(server)]}) as pacs:
        configure(server, [{"name": "pacs", "ae_title": "ORTHANC", "host": "127.0.0.1", "port": pacs_dicom}],
                  [{"id": "ct", "match": {"modality": "CT"}, "protocol": "thorax-rt",
                    "send": [{"destination": "pacs", "format": "rtstruct"}]}])
        files = ct_series(tmp_path / "ct", slices=8)
        pacs.upload(files)
        [study] = pacs.get("/studies")  # type: ignore[misc]
        job = pacs.post("/modalities/voxtell/store", {"Resources": [study], "Synchronous": True})
        assert isinstance(job, dict)
        wait_for(lambda: [s["state"] for s in worklist(server)] == ["done"], 60,
                 f"the series sent back: {worklist(server)}")
        source = pydicom.dcmread(files[0], stop_before_pixels=True)
        with urllib.request.urlopen(f"{pacs.dicomweb}/studies/{source.StudyInstanceUID}/series"
                                    "?Modality=RTSTRUCT", timeout=30) as answer:
            found = json.loads(answer.read())
        assert len(found) == 1, "QIDO finds the RTSTRUCT in the source study"
        [series] = worklist(server)
        assert series["calling_ae"] == "ORTHANC" and series["instances"] == 8
        assert server.get(f"/api/jobs/{series['job_id']}", headers=ADMIN).json()["protocol"] == "thorax-rt"

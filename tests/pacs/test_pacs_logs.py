"""The PACS routes hand patient fields to their caller and never to the log: no record at any
level, from our code or a library, carries a patient's name, id or accession number — in
searches by those very fields, series listings, imports, stores, and when the archive fails."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator

import pytest
from fastapi.testclient import TestClient

from tests.backend.conftest import wait_done
from tests.pacs.conftest import PASSWORD, USER, Archive
from voxtell.logs import LIBRARIES_LOGGING_IDENTIFIERS, keep_identifiers_out_of_logs

# The archive's patients (tests/pacs/conftest.py), also as DICOM writes a name without its caret.
PATIENT_FIELDS = ("Doe^Jane", "Doe Jane", "Doe", "Jane", "PHI-123", "ACC1",
                  "Roe^Richard", "Roe", "Richard", "PHI-456", "ACC2",
                  "Poe^Edgar", "Poe", "Edgar", "PHI-789", "ACC3")
_FORMAT = logging.Formatter("%(name)s %(levelname)s %(message)s")


@pytest.fixture()
def every_record(caplog: pytest.LogCaptureFixture) -> Iterator[Callable[[], list[str]]]:
    """Every log record at DEBUG and above, with the logging policy of the server process
    (``voxtell-web serve`` calls ``keep_identifiers_out_of_logs``): each record as text, its
    arguments, extras and exception included. The test client's own request lines are left out:
    they are the test's logs (its URL names the patient), not the server's."""
    levels = {name: logging.getLogger(name).level for name in LIBRARIES_LOGGING_IDENTIFIERS}
    keep_identifiers_out_of_logs()
    caplog.set_level(logging.DEBUG)

    def records() -> list[str]:
        return [_FORMAT.format(r) + " " + repr(vars(r)) for r in caplog.records
                if not (r.name.startswith("httpx") and "http://testserver/" in r.getMessage())]

    try:
        yield records
    finally:
        for name, level in levels.items():
            logging.getLogger(name).setLevel(level)


def _leaks(records: list[str]) -> list[tuple[str, str]]:
    return [(field, text) for text in records for field in PATIENT_FIELDS if field in text]


def test_searches_listings_imports_and_stores_log_no_patient_field(
        server: TestClient, archive: Archive, every_record: Callable[[], list[str]]) -> None:
    found = server.get("/api/pacs/studies")
    assert found.status_code == 200
    assert {"Doe^Jane", "Roe^Richard"} <= {s["patient_name"] for s in found.json()}, "the caller gets them"
    assert server.get("/api/pacs/studies", params={"patient_name": "Doe^Jane"}).status_code == 200
    for query in ({"patient_name": "Doe"}, {"patient_id": "PHI-123"}, {"accession": "ACC1"},
                  {"patient_name": "Roe*", "patient_id": "PHI-456"}):
        answer = server.get("/api/pacs/studies", params=query)
        assert answer.status_code == 200 and len(answer.json()) == 1, (query, answer.text)
    two = archive.series["axial"]
    listed = server.get(f"/api/pacs/studies/{two.study_uid}/series")
    # (the archive is shared by the session: other tests may have stored SEG/RTSTRUCT series in it)
    assert listed.status_code == 200
    assert {two.series_uid, archive.series["sagittal"].series_uid} <= {s["series_uid"] for s in listed.json()}
    imported = server.post("/api/pacs/import", json={"study_uid": two.study_uid, "series_uid": two.series_uid})
    assert imported.status_code == 201, imported.text
    again = server.post("/api/pacs/import", json={"study_uid": two.study_uid, "series_uid": two.series_uid})
    assert again.status_code == 200
    job = wait_done(server, server.post("/api/jobs", json={"volume_id": imported.json()["id"],
                                                           "prompts": ["liver"]}).json()["id"])
    assert job["status"] == "done"
    for fmt in ("seg", "rtstruct"):
        stored = server.post(f"/api/jobs/{job['id']}/pacs", json={"format": fmt})
        assert stored.status_code == 201, stored.text
    # Refused by the archive: the locked study's store is forbidden, the oblique RTSTRUCT dropped.
    for name, fmt in (("locked", "seg"), ("oblique", "rtstruct")):
        series = archive.series[name]
        volume = server.post("/api/pacs/import", json={"study_uid": series.study_uid,
                                                       "series_uid": series.series_uid}).json()
        done = wait_done(server, server.post("/api/jobs", json={"volume_id": volume["id"],
                                                                "prompts": ["liver"]}).json()["id"])
        assert server.post(f"/api/jobs/{done['id']}/pacs", json={"format": fmt}).status_code == 502
    records = every_record()
    assert any("job" in text for text in records), "the log was captured"
    assert _leaks(records) == []


@pytest.mark.parametrize("where", ["unreachable", "silent", "wrong password"])
def test_a_failing_archive_logs_no_patient_field(archive: Archive, make_server: Callable[..., TestClient],
                                                 closed_port_url: str, silent_archive: str, where: str,
                                                 every_record: Callable[[], list[str]]) -> None:
    """The archive's failures name the request that failed (its query names the patient)."""
    settings = {"unreachable": {"dicomweb_url": closed_port_url},
                "silent": {"dicomweb_url": silent_archive, "dicomweb_timeout_s": 0.5},
                "wrong password": {"dicomweb_url": archive.url, "dicomweb_user": USER,
                                   "dicomweb_password": PASSWORD + "x"}}[where]
    client = make_server(**settings)
    for query in ({"patient_name": "Doe^Jane"}, {"patient_id": "PHI-123", "accession": "ACC1"}):
        failed = client.get("/api/pacs/studies", params=query)
        assert failed.status_code in (502, 504), failed.text
        assert not any(field in failed.text for field in PATIENT_FIELDS), failed.text
    assert _leaks(every_record()) == []

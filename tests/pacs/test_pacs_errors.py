"""What the PACS routes answer when the archive is away, slow, refuses us, or lacks what is asked;
in every case nothing is stored on our side."""

from __future__ import annotations

import http.server
import threading
from collections.abc import Callable, Iterator

import pytest
from fastapi.testclient import TestClient

from tests.backend.conftest import upload, wait_done
from tests.pacs.conftest import USER, Archive, stored_files


def _import(client: TestClient, archive: Archive, name: str = "axial") -> object:
    series = archive.series[name]
    return client.post("/api/pacs/import", json={"study_uid": series.study_uid, "series_uid": series.series_uid})


def test_no_archive_configured_answers_404_everywhere(make_server: Callable[..., TestClient]) -> None:
    client = make_server()
    for response in (client.get("/api/pacs/studies"), client.get("/api/pacs/studies/1.2.3/series"),
                     client.post("/api/pacs/import", json={"study_uid": "1.2", "series_uid": "1.3"}),
                     client.post("/api/jobs/abc/pacs", json={"format": "seg"})):
        assert response.status_code == 404
        assert "no PACS is configured" in response.json()["detail"]


def test_the_api_key_guards_the_pacs_routes(archive: Archive, make_server: Callable[..., TestClient]) -> None:
    client = make_server(dicomweb_url=archive.url, api_key="k3y")
    assert client.get("/api/pacs/studies").status_code == 401
    assert client.get("/api/info", headers={"Authorization": "Bearer k3y"}).json()["pacs"] is True


def test_unreachable_archive_is_502(archive: Archive, closed_port_url: str,
                                    make_server: Callable[..., TestClient]) -> None:
    client = make_server(dicomweb_url=closed_port_url)
    search = client.get("/api/pacs/studies")
    assert search.status_code == 502
    assert "cannot be reached" in search.json()["detail"]
    imported = _import(client, archive)
    assert imported.status_code == 502  # type: ignore[attr-defined]
    assert stored_files(client) == []


def test_archive_that_does_not_answer_is_504(archive: Archive, silent_archive: str,
                                             make_server: Callable[..., TestClient]) -> None:
    client = make_server(dicomweb_url=silent_archive, dicomweb_timeout_s=0.5)
    search = client.get("/api/pacs/studies")
    assert search.status_code == 504
    assert search.json()["detail"] == "the PACS did not answer in time (searching studies)"
    assert _import(client, archive).status_code == 504  # type: ignore[attr-defined]
    assert stored_files(client) == []


@pytest.mark.parametrize("credentials", [{"dicomweb_user": USER, "dicomweb_password": "wrong"}, {}],
                         ids=["wrong-password", "none"])
def test_wrong_credentials_are_502_naming_them(archive: Archive, make_server: Callable[..., TestClient],
                                               credentials: dict[str, str]) -> None:
    client = make_server(dicomweb_url=archive.url, **credentials)
    search = client.get("/api/pacs/studies")
    assert search.status_code == 502
    assert "refused our credentials" in search.json()["detail"] and "HTTP 401" in search.json()["detail"]
    assert _import(client, archive).status_code == 502  # type: ignore[attr-defined]
    assert stored_files(client) == []


def test_unknown_study_and_series_are_404(server: TestClient, archive: Archive) -> None:
    missing = server.get("/api/pacs/studies/1.2.3.4.5/series")
    assert missing.status_code == 404 and missing.json()["detail"] == "the PACS has no study 1.2.3.4.5"
    axial = archive.series["axial"]
    imported = server.post("/api/pacs/import", json={"study_uid": axial.study_uid, "series_uid": "1.2.3.4.5"})
    assert imported.status_code == 404
    assert imported.json()["detail"] == f"the PACS has no series 1.2.3.4.5 in study {axial.study_uid}"
    assert stored_files(server) == []


class _RecordingArchive(http.server.ThreadingHTTPServer):
    """A DICOMweb "archive" that answers every request with an empty list and records it."""

    def __init__(self) -> None:
        self.requests: list[tuple[str, str]] = []
        archive = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def _answer(self) -> None:
                archive.requests.append((self.command, self.path))
                self.send_response(200)
                self.send_header("Content-Type", "application/dicom+json")
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"[]")

            do_GET = do_POST = _answer

            def log_message(self, *args: object) -> None:
                pass

        super().__init__(("127.0.0.1", 0), Handler)  # bound here, once: no free-port race

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/dicom-web"


@pytest.fixture()
def recording_archive() -> Iterator[_RecordingArchive]:
    archive = _RecordingArchive()
    thread = threading.Thread(target=archive.serve_forever, daemon=True)
    thread.start()
    try:
        yield archive
    finally:
        archive.shutdown()
        archive.server_close()
        thread.join(10)


def test_uids_are_checked_before_the_archive_is_asked(recording_archive: _RecordingArchive,
                                                      make_server: Callable[..., TestClient]) -> None:
    server = make_server(dicomweb_url=recording_archive.url)
    # A %2F is decoded before routing: "1.2.3/../x" is more than one path segment, no route has it.
    traversal = server.get("/api/pacs/studies/1.2.3%2F..%2Fx/series")
    assert (traversal.status_code, traversal.json()) == (404, {"detail": "Not Found"})
    for uid in ("1.2.3..x", "1.2%3Fx=1", "x", ".1.2", "1" * 65):
        refused = server.get(f"/api/pacs/studies/{uid}/series")
        assert refused.status_code == 422 and refused.json()["detail"].startswith("path.study_uid: "), uid
    for body, field in (({"study_uid": "1.2?x=1", "series_uid": "1.3"}, "study_uid"),
                        ({"study_uid": "1.2", "series_uid": "1.3/../4"}, "series_uid")):
        bad = server.post("/api/pacs/import", json=body)
        assert bad.status_code == 422 and bad.json()["detail"].startswith(f"{field}: "), bad.text
    for query in ({"study_date": "last week"}, {"modality": "CT&x=1"}, {"limit": "0"}):
        bad = server.get("/api/pacs/studies", params=query)
        assert bad.status_code == 422 and bad.json()["detail"].startswith(f"query.{next(iter(query))}: "), bad.text
    assert recording_archive.requests == [], "a refused request reached the archive"
    assert stored_files(server) == []
    # The same server does ask the archive for well-formed ones (the recorder sees them).
    missing = server.get("/api/pacs/studies/1.2.3/series")
    assert (missing.status_code, missing.json()["detail"]) == (404, "the PACS has no study 1.2.3")
    assert [path.split("?")[0] for _, path in recording_archive.requests] == ["/dicom-web/studies/1.2.3/series"]


def test_archive_that_refuses_the_store_is_502(server: TestClient, archive: Archive) -> None:
    locked = archive.series["locked"]
    before = archive.orthanc.instance_count()
    imported = server.post("/api/pacs/import", json={"study_uid": locked.study_uid, "series_uid": locked.series_uid})
    job = wait_done(server, server.post("/api/jobs", json={"volume_id": imported.json()["id"],
                                                           "prompts": ["liver"]}).json()["id"])
    for fmt in ("seg", "rtstruct"):
        refused = server.post(f"/api/jobs/{job['id']}/pacs", json={"format": fmt})
        assert refused.status_code == 502, refused.text
        assert refused.json()["detail"] == "the PACS does not allow this (storing the result: HTTP 403 Forbidden)"
    assert archive.orthanc.instance_count() == before


def test_archive_that_drops_the_object_after_success_is_502(server: TestClient, archive: Archive) -> None:
    oblique = archive.series["oblique"]
    before = archive.orthanc.instance_count()
    imported = server.post("/api/pacs/import", json={"study_uid": oblique.study_uid, "series_uid": oblique.series_uid})
    job = wait_done(server, server.post("/api/jobs", json={"volume_id": imported.json()["id"],
                                                           "prompts": ["liver"]}).json()["id"])
    dropped = server.post(f"/api/jobs/{job['id']}/pacs", json={"format": "rtstruct"})
    assert dropped.status_code == 502, dropped.text
    assert "does not list it" in dropped.json()["detail"]
    assert archive.orthanc.instance_count() == before


@pytest.mark.parametrize("limit", [{"max_voxels": 1000}, {"max_upload_bytes": 5_000}], ids=["voxels", "bytes"])
def test_series_over_the_limits_is_refused_and_not_kept(archive: Archive, make_server: Callable[..., TestClient],
                                                       limit: dict[str, int]) -> None:
    from tests.pacs.conftest import PASSWORD

    client = make_server(dicomweb_url=archive.url, dicomweb_user=USER, dicomweb_password=PASSWORD, **limit)
    refused = _import(client, archive)
    assert refused.status_code == 422  # type: ignore[attr-defined]
    detail = refused.json()["detail"]  # type: ignore[attr-defined]
    assert "this server's limit" in detail and ("voxels" in detail if "max_voxels" in limit else "bytes" in detail)
    assert stored_files(client) == []


def test_a_volume_not_from_dicom_cannot_be_sent(server: TestClient) -> None:
    volume = upload(server).json()
    job = wait_done(server, server.post("/api/jobs", json={"volume_id": volume["id"], "prompts": ["liver"]}).json()["id"])
    refused = server.post(f"/api/jobs/{job['id']}/pacs", json={"format": "seg"})
    assert refused.status_code == 409
    assert refused.json()["detail"] == "DICOM SEG export needs a volume uploaded as DICOM"
    assert server.post("/api/jobs/nope/pacs", json={"format": "rtstruct"}).status_code == 404
    assert server.post(f"/api/jobs/{job['id']}/pacs", json={"format": "png"}).status_code == 422

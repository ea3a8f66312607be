"""Each person's data their own: a volume or job is seen by its owner, its project's members and
administrators; anyone else gets 404 — the same answer as for an id that does not exist — on
every route (walked from the app: a route added later with an object in its path fails here
until it is in the table below), and the list routes never show it. Data stored before owners
existed belongs to the bootstrap administrator."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from backend.http.admission import flat_routes
from backend.storage.store import Store
from tests.backend.conftest import FakePredictor, data_dir_at_revision, nifti_bytes, wait_done
from tests.backend.people import ADMIN, KEY, cli_ok, person

OBJECT_PARAMS = ("{job_id}", "{volume_id}", "{image_id}")








@pytest.fixture()
def keyed(make_client: Callable[..., TestClient], tmp_path: Path) -> TestClient:
    # An archive URL nobody answers: the PACS routes exist (their lookups come before any call).
    return make_client(FakePredictor(), api_key=KEY, data_dir=tmp_path / "data",
                       dicomweb_url="http://127.0.0.1:9/dicom-web")


def _finished_job(client: TestClient, who: dict[str, str], data: dict[str, str] | None = None) -> tuple[str, str]:
    volume = client.post("/api/volumes", files={"file": ("scan.nii.gz", nifti_bytes())}, data=data or {},
                         headers=who)
    assert volume.status_code == 201, volume.text
    job = client.post("/api/jobs", json={"volume_id": volume.json()["id"], "prompts": ["liver", "spleen"]},
                      headers=who)
    assert job.status_code == 201, job.text
    wait_done(client, job.json()["id"], headers=who)
    return volume.json()["id"], job.json()["id"]


# Every route with an object in its path, and a request that would be valid for the object's
# owner (so that nothing but the lookup can refuse it).
_EDITED_MASK = {"files": {"file": ("edit.nii.gz", nifti_bytes(dtype=np.uint8))}, "data": {"name": "edited"}}
REQUESTS: dict[tuple[str, str], dict[str, Any]] = {
    ("GET", "/api/volumes/{volume_id}"): {},
    ("GET", "/api/volumes/{volume_id}/image"): {},
    ("DELETE", "/api/volumes/{volume_id}"): {},
    # the case export looks the volume up first (then each job named in the body)
    ("POST", "/api/volumes/{volume_id}/export"): {"json": {"format": "zip", "masks": [{"job": "any", "mask": 0}]}},
    ("GET", "/api/jobs/{job_id}"): {},
    ("GET", "/api/jobs/{job_id}/events"): {},
    ("POST", "/api/jobs/{job_id}/cancel"): {},
    ("GET", "/api/jobs/{job_id}/masks/{index}.nii.gz"): {},
    ("DELETE", "/api/jobs/{job_id}/masks/{index}"): {},
    ("PATCH", "/api/jobs/{job_id}/masks/{index}"): {"json": {"name": "renamed by someone else"}},
    ("POST", "/api/jobs/{job_id}/masks"): _EDITED_MASK,
    ("GET", "/api/jobs/{job_id}/masks.zip"): {},
    ("GET", "/api/jobs/{job_id}/labelmap.nii.gz"): {},
    ("GET", "/api/jobs/{job_id}/seg.dcm"): {},
    ("GET", "/api/jobs/{job_id}/rtstruct.dcm"): {},
    ("GET", "/api/jobs/{job_id}/labels.json"): {},
    ("GET", "/api/jobs/{job_id}/labels.txt"): {},
    ("POST", "/api/jobs/{job_id}/pacs"): {"json": {"format": "seg"}},
    ("GET", "/jobs/{job_id}/events"): {},
    ("GET", "/jobs/{job_id}/result"): {},
    ("POST", "/jobs/{job_id}/cancel"): {},
    ("POST", "/images/{image_id}/export"): {"content": b"\0" * 64, "headers": {"Content-Type": "application/octet-stream"}},
}


def _object_routes(client: TestClient) -> set[tuple[str, str]]:
    return {(method, route.path.replace("{index:int}", "{index}"))  # type: ignore[attr-defined]
            for route in flat_routes(client.app.router.routes)  # type: ignore[attr-defined]
            if any(p in getattr(route, "path", "") for p in OBJECT_PARAMS)
            for method in getattr(route, "methods", ()) if method != "HEAD"}


def _ask(client: TestClient, who: dict[str, str], method: str, path: str, volume_id: str, job_id: str,
         **request: Any) -> Any:
    url = (path.replace("{job_id}", job_id).replace("{volume_id}", volume_id).replace("{image_id}", volume_id)
           .replace("{index}", "0"))
    headers = {**request.pop("headers", {}), **who}
    return client.request(method, url, headers=headers, **request)


def test_nobody_else_reads_lists_streams_downloads_edits_cancels_or_deletes_a_persons_objects(
        keyed: TestClient, tmp_path: Path) -> None:
    data = tmp_path / "data"
    alice, bob = person(data, "alice"), person(data, "bob")
    volume_id, job_id = _finished_job(keyed, alice)
    before = keyed.get(f"/api/jobs/{job_id}", headers=alice).json()
    assert _object_routes(keyed) == set(REQUESTS), "a route with an object in its path: add it to REQUESTS"

    answers = {route: _ask(keyed, bob, *route, volume_id, job_id, **dict(request))
               for route, request in REQUESTS.items()}
    answers[("POST", "/api/jobs")] = keyed.post("/api/jobs", json={"volume_id": volume_id, "prompts": ["liver"]},
                                                headers=bob)
    answers[("POST", "/jobs")] = keyed.post("/jobs", json={"image_id": volume_id, "prompts": ["liver"]}, headers=bob)
    not_hidden = {route: (r.status_code, r.text[:80]) for route, r in answers.items() if r.status_code != 404}
    assert not_hidden == {}, "someone else's object must answer 404"
    assert all(isinstance(r.json().get("detail", r.json().get("error")), str) for r in answers.values())

    listed = [*keyed.get("/api/volumes", headers=bob).json(), *keyed.get("/api/jobs", headers=bob).json(),
              *keyed.get(f"/api/jobs?volume_id={volume_id}", headers=bob).json()]
    assert listed == [], "the list routes show nobody else's objects"
    assert [v["id"] for v in keyed.get("/api/volumes", headers=alice).json()] == [volume_id]
    assert [j["id"] for j in keyed.get(f"/api/jobs?volume_id={volume_id}", headers=alice).json()] == [job_id]

    after = keyed.get(f"/api/jobs/{job_id}", headers=alice).json()
    assert after == before, "nothing someone else sent changed the job (no cancel, rename, new or deleted mask)"
    assert keyed.get(f"/api/volumes/{volume_id}/image", headers=alice).status_code == 200, "nor deleted the volume"
    # The owner reaches every read route (the lookups above were right, not merely failing).
    for (method, path), request in REQUESTS.items():
        if method == "GET":
            answer = _ask(keyed, alice, method, path, volume_id, job_id, **dict(request))
            assert answer.status_code != 404, (path, answer.text)
    # An administrator may see everything (and every such look is audited, as every access is).
    assert keyed.get(f"/api/jobs/{job_id}", headers=ADMIN).status_code == 200
    assert job_id in [j["id"] for j in keyed.get("/api/jobs", headers=ADMIN).json()]


def test_a_projects_members_share_its_volumes_and_jobs_and_nobody_else_does(keyed: TestClient,
                                                                             tmp_path: Path) -> None:
    data = tmp_path / "data"
    resident, attending, bob = person(data, "resident"), person(data, "attending"), person(data, "bob")
    project = cli_ok("projects", "add", "liver-review", "--data-dir", str(data))
    for member in ("resident", "attending"):
        cli_ok("projects", "add-member", "liver-review", member, "--data-dir", str(data))
    refused = keyed.post("/api/volumes", files={"file": ("scan.nii.gz", nifti_bytes())}, data={"project": project},
                         headers=bob)
    assert refused.status_code == 404 and "no project" in refused.json()["detail"]
    volume_id, job_id = _finished_job(keyed, resident, {"project": project})
    assert keyed.get(f"/api/volumes/{volume_id}", headers=attending).json()["project"] == project
    assert keyed.get(f"/api/jobs/{job_id}/masks/0.nii.gz", headers=attending).status_code == 200
    second = keyed.post("/api/jobs", json={"volume_id": volume_id, "prompts": ["aorta"]}, headers=attending)
    assert second.status_code == 201 and second.json()["project"] == project
    wait_done(keyed, second.json()["id"], headers=attending)
    assert {j["id"] for j in keyed.get(f"/api/jobs?volume_id={volume_id}", headers=resident).json()} == {
        job_id, second.json()["id"]}, "the attending's run on the shared case is the resident's to see too"
    assert keyed.get(f"/api/jobs/{second.json()['id']}", headers=bob).status_code == 404
    assert keyed.get("/api/volumes", headers=bob).json() == []
    cli_ok("projects", "remove-member", "liver-review", "attending", "--data-dir", str(data))
    assert keyed.get(f"/api/volumes/{volume_id}", headers=attending).status_code == 404, "membership is read anew"
    assert keyed.get(f"/api/jobs/{second.json()['id']}", headers=attending).status_code == 200, "their own run stays"


def test_data_stored_before_owners_existed_belongs_to_the_bootstrap_administrator(
        make_client: Callable[..., TestClient], tmp_path: Path) -> None:
    data = tmp_path / "data"
    workstation = make_client(FakePredictor(), data_dir=data)  # no key: the implicit local user
    local_volume, local_job = _finished_job(workstation, {})
    workstation.close()
    assert sqlite3.connect(data / "voxtell.sqlite").execute(
        "SELECT owner FROM jobs WHERE id = ?", (local_job,)).fetchone()[0] == "admin", "the local user is admin"
    # A data dir of revision 0007 (before owners) with a volume and a job in it.
    old = tmp_path / "old"
    with data_dir_at_revision(old, "0007") as connection:
        connection.execute(sa.text("INSERT INTO volumes (id, created, file, meta) VALUES ('oldvol', 1.0, 'x.nii', :m)"),
                           {"m": json.dumps({"shape": [2, 2, 2]})})
        connection.execute(sa.text("INSERT INTO jobs (id, volume_id, created, prompts, options, status) "
                                   "VALUES ('oldjob', 'oldvol', 1.0, '[\"liver\"]', '{}', 'failed')"))
    Store(old).close()  # what every start does first
    db = sqlite3.connect(old / "voxtell.sqlite")
    assert db.execute("SELECT owner, project FROM jobs").fetchall() == [("admin", None)]
    assert db.execute("SELECT owner FROM volumes").fetchall() == [("admin",)]
    db.close()
    department = make_client(FakePredictor(), data_dir=old, api_key=KEY)
    alice = person(old, "alice")
    assert department.get("/api/jobs/oldjob", headers=alice).status_code == 404
    assert department.get("/api/jobs/oldjob", headers=ADMIN).json()["owner"] == "admin"
    assert [j["id"] for j in department.get("/api/jobs", headers=ADMIN).json()] == ["oldjob"]

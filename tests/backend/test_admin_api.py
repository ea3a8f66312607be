"""People over the API: administrators manage users, tokens, projects and read the audit trail
(everyone else: 403 on every ``/api/admin`` route, walked from the app); each person sees who they
are and manages their own tokens (someone else's token: 404); every call is audited."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from backend.http.admission import flat_routes
from tests.backend.conftest import FakePredictor
from tests.backend.people import ADMIN, KEY, bearer, cli_ok


@pytest.fixture()
def keyed(make_client: Callable[..., TestClient], tmp_path: Path) -> TestClient:
    return make_client(FakePredictor(), api_key=KEY, data_dir=tmp_path / "data")


def test_only_administrators_reach_the_admin_routes(keyed: TestClient, tmp_path: Path) -> None:
    cli_ok("users", "add", "alice", "--data-dir", str(tmp_path / "data"))
    alice = bearer(cli_ok("tokens", "create", "alice", "--data-dir", str(tmp_path / "data")))
    routes = [(method, route.path) for route in flat_routes(keyed.app.router.routes)  # type: ignore[attr-defined]
              if getattr(route, "path", "").startswith("/api/admin")
              for method in getattr(route, "methods", ()) if method != "HEAD"]
    assert len(routes) >= 10
    answers = {(m, p): keyed.request(m, p.replace("{user_id}", "u").replace("{token_id}", "t")
                                     .replace("{project_id}", "p"), headers=alice, json={"name": "x"})
               for m, p in routes}
    wrong = {route: r.status_code for route, r in answers.items()
             if r.status_code != 403 or r.json()["detail"] != "administrators only"}
    assert wrong == {}


def test_an_administrator_manages_people_and_reads_the_trail(keyed: TestClient) -> None:
    bob = keyed.post("/api/admin/users", json={"name": "bob"}, headers=ADMIN)
    assert bob.status_code == 201 and bob.json()["role"] == "user"
    assert keyed.post("/api/admin/users", json={"name": "bob"}, headers=ADMIN).status_code == 409
    bob_id = bob.json()["id"]
    made = keyed.post(f"/api/admin/users/{bob_id}/tokens", json={"name": "laptop", "scope": "read"}, headers=ADMIN)
    assert made.status_code == 201 and made.json()["token"].startswith("vxt_")
    token = made.json()["token"]
    me = keyed.get("/api/me", headers=bearer(token)).json()
    assert (me["name"], me["role"], me["scope"], me["via"], me["sign_in_required"]) == ("bob", "user", "read", "token", True)
    listed = keyed.get(f"/api/admin/users/{bob_id}/tokens", headers=ADMIN).json()
    assert [t["name"] for t in listed] == ["laptop"] and "token" not in listed[0], "a secret is shown once only"
    project = keyed.post("/api/admin/projects", json={"name": "liver-review"}, headers=ADMIN).json()
    joined = keyed.put(f"/api/admin/projects/{project['id']}/members/{bob_id}", headers=ADMIN).json()
    assert joined["members"] == [bob_id]
    assert [p["name"] for p in keyed.get("/api/me", headers=bearer(token)).json()["projects"]] == ["liver-review"]
    limited = keyed.patch(f"/api/admin/users/{bob_id}", json={"max_queued": 20}, headers=ADMIN).json()
    assert limited["max_queued"] == 20
    assert keyed.patch(f"/api/admin/users/{bob_id}", json={"disabled": True}, headers=ADMIN).json()["disabled"]
    refused = keyed.get("/api/me", headers=bearer(token))
    assert refused.status_code == 401 and "disabled" in refused.json()["detail"]
    keyed.patch(f"/api/admin/users/{bob_id}", json={"disabled": False}, headers=ADMIN)
    assert keyed.delete(f"/api/admin/tokens/{listed[0]['id']}", headers=ADMIN).status_code == 204
    assert "revoked" in keyed.get("/api/me", headers=bearer(token)).json()["detail"]

    logins = keyed.get(f"/api/admin/audit?user_id={bob_id}&action=login", headers=ADMIN).json()
    assert [e["outcome"] for e in logins] == [200, 200], "bob's two sign-ins, newest first"
    admin_events = keyed.get("/api/admin/audit?action=admin&limit=1000", headers=ADMIN).json()
    assert {e["object_type"] for e in admin_events} >= {"user", "project", "token"}
    assert all(e["user_id"] == "admin" for e in admin_events)
    assert keyed.get("/api/admin/audit?since=32503680000", headers=ADMIN).json() == [], "nothing after 3000-01-01"
    assert keyed.get("/api/admin/audit?action=nonsense", headers=ADMIN).status_code == 422


def test_a_person_manages_their_own_tokens_only(keyed: TestClient, tmp_path: Path) -> None:
    data = tmp_path / "data"
    for name in ("alice", "bob"):
        cli_ok("users", "add", name, "--data-dir", str(data))
    alice = bearer(cli_ok("tokens", "create", "alice", "--data-dir", str(data)))
    bob = bearer(cli_ok("tokens", "create", "bob", "--data-dir", str(data)))
    made = keyed.post("/api/me/tokens", json={"name": "script", "expires_days": 30}, headers=alice)
    assert made.status_code == 201 and made.json()["expires"] is not None
    assert keyed.get("/api/me", headers=bearer(made.json()["token"])).json()["name"] == "alice"
    mine = keyed.get("/api/me/tokens", headers=alice).json()
    assert sorted(t["name"] for t in mine) == ["script", "token"] and all("token" not in t for t in mine)
    stolen = keyed.delete(f"/api/me/tokens/{made.json()['id']}", headers=bob)
    assert stolen.status_code == 404, "someone else's token is not there for bob"
    assert keyed.get("/api/me", headers=bearer(made.json()["token"])).status_code == 200
    assert keyed.delete(f"/api/me/tokens/{made.json()['id']}", headers=alice).status_code == 204
    assert keyed.get("/api/me", headers=bearer(made.json()["token"])).status_code == 401
    bootstrap = keyed.get("/api/me/tokens", headers=ADMIN)
    assert bootstrap.status_code == 403 and "personal tokens belong to people" in bootstrap.json()["detail"]


def test_the_trail_exports_as_valid_fhir_audit_events(keyed: TestClient, tmp_path: Path) -> None:
    import json

    from fhir.resources.R4B.auditevent import AuditEvent

    from tests.backend.conftest import nifti_bytes

    data = tmp_path / "data"
    cli_ok("users", "add", "alice", "--data-dir", str(data))
    alice = bearer(cli_ok("tokens", "create", "alice", "--data-dir", str(data)))
    volume = keyed.post("/api/volumes", files={"file": ("doe.nii.gz", nifti_bytes())}, headers=alice).json()
    assert keyed.get(f"/api/volumes/{volume['id']}", headers=bearer("vxt_nope_nope")).status_code == 401
    lines = cli_ok("audit", "export", "--format", "fhir", "--data-dir", str(data)).splitlines()
    resources = [AuditEvent.model_validate(json.loads(line)) for line in lines]  # FHIR R4(B) AuditEvent
    by_action = {r.subtype[0].code: r for r in resources}
    upload, denied = by_action["upload"], by_action["denied"]
    assert (upload.action, upload.outcome, upload.agent[0].who.identifier.value) == (
        "C", "0", keyed.get("/api/me", headers=alice).json()["id"])
    assert [e.what.identifier.value for e in upload.entity][0] == volume["id"]
    assert (denied.outcome, denied.outcomeDesc, denied.agent[0].who.display) == ("4", "HTTP 401", "not signed in")
    assert "doe" not in "\n".join(lines), "no file names"


@pytest.mark.parametrize("audit_prompts", [False, True])
def test_prompts_reach_the_trail_only_when_the_administrator_asks(make_client: Callable[..., TestClient],
                                                                    tmp_path: Path, audit_prompts: bool) -> None:
    import json

    from fhir.resources.R4B.auditevent import AuditEvent

    from tests.backend.conftest import nifti_bytes, wait_done

    data = tmp_path / "data"
    client = make_client(FakePredictor(), api_key=KEY, data_dir=data, audit_prompts=audit_prompts)
    volume = client.post("/api/volumes", files={"file": ("a.nii.gz", nifti_bytes())}, headers=ADMIN).json()
    job = client.post("/api/jobs", json={"volume_id": volume["id"], "prompts": ["tumour of Mr Doe"]},
                      headers=ADMIN).json()
    wait_done(client, job["id"], headers=ADMIN)
    infer = client.get("/api/admin/audit?action=infer", headers=ADMIN).json()
    assert [e["object_id"] for e in infer] == [job["id"]]
    everything = json.dumps(client.get("/api/admin/audit?limit=1000", headers=ADMIN).json())
    if audit_prompts:
        assert json.loads(infer[0]["detail"]) == ["tumour of Mr Doe"]
        fhir = [json.loads(line) for line in cli_ok("audit", "export", "--format", "fhir", "--data-dir",
                                                   str(data)).splitlines()]
        assert "tumour of Mr Doe" in json.dumps([AuditEvent.model_validate(r).model_dump(mode="json") for r in fhir])
    else:
        assert infer[0]["detail"] is None and "Doe" not in everything, "never by default"
    assert "intact" in cli_ok("audit", "verify", "--data-dir", str(data))

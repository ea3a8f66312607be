"""People, not one shared key (first step): personal API tokens made on the command line sign a
person in; every bad credential answers 401 naming what is wrong, a read-only token 403 when it
tries to change something; only a hash of a token's secret is kept. Every access to patient data
leaves exactly one audit event (a refused one: ``denied``), chained by hashes: an edited row
breaks ``voxtell-web audit verify`` at that row, and the database refuses UPDATE and DELETE."""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from backend.storage.audit import AuditEvent, AuditTrail
from backend.storage.identities import Identities
from backend.storage.store import Store
from tests.backend.conftest import nifti_bytes, wait_done
from tests.backend.people import KEY, bearer, run_cli
from tests.services import postgres_server


@pytest.fixture()
def keyed(make_client: Callable[..., TestClient], tmp_path: Path) -> TestClient:
    return make_client(api_key=KEY, data_dir=tmp_path / "data")


def _token(data: Path, user: str, *extra: str) -> str:
    code, out, _ = run_cli("tokens", "create", user, "--data-dir", str(data), *extra)
    assert code == 0
    return out.strip()


def test_a_personal_token_signs_its_user_in_and_every_bad_credential_says_why(keyed: TestClient,
                                                                              tmp_path: Path) -> None:
    data = tmp_path / "data"
    assert run_cli("users", "add", "alice", "--data-dir", str(data))[0] == 0
    assert run_cli("users", "add", "alice", "--data-dir", str(data))[0] == 2  # the name is taken
    full, read_only = _token(data, "alice"), _token(data, "alice", "--scope", "read")
    assert full.startswith("vxt_") and full != read_only
    volume = keyed.post("/api/volumes", files={"file": ("a.nii.gz", nifti_bytes())}, headers=bearer(full))
    assert volume.status_code == 201
    assert keyed.get(f"/api/volumes/{volume.json()['id']}", headers=bearer(read_only)).status_code == 200
    refused = keyed.post("/api/jobs", json={"volume_id": volume.json()["id"], "prompts": ["liver"]},
                         headers=bearer(read_only))
    assert refused.status_code == 403 and "read-only" in refused.json()["detail"]
    assert keyed.get("/api/info", headers=bearer(KEY)).status_code == 200  # the bootstrap administrator

    token_id, secret = full[4:].split("_", 1)
    cases = {
        "missing credentials": {},
        "wrong API key": bearer("not-the-key"),
        "unknown API token": bearer(f"vxt_{token_id}_{'x' * len(secret)}"),
        "unknown API token ": bearer("vxt_0000_nothing"),
    }
    for words, headers in cases.items():
        answer = keyed.get("/api/info", headers=headers)
        assert answer.status_code == 401 and words.strip() in answer.json()["detail"], (words, answer.text)
        assert answer.headers["www-authenticate"] == "Bearer"

    expiring = _token(data, "alice", "--expires-days", "0.00001")  # about a second
    time.sleep(1.5)
    answer = keyed.get("/api/info", headers=bearer(expiring))
    assert answer.status_code == 401 and "expired on" in answer.json()["detail"]
    assert run_cli("tokens", "revoke", token_id, "--data-dir", str(data))[0] == 0
    answer = keyed.get("/api/info", headers=bearer(full))
    assert answer.status_code == 401 and "revoked" in answer.json()["detail"]
    assert run_cli("users", "disable", "alice", "--data-dir", str(data))[0] == 0
    answer = keyed.get("/api/info", headers=bearer(read_only))
    assert answer.status_code == 401 and "disabled" in answer.json()["detail"]

    secrets_kept = sqlite3.connect(data / "voxtell.sqlite").execute("SELECT secret_hash FROM tokens").fetchall()
    dump = "\n".join(sqlite3.connect(data / "voxtell.sqlite").iterdump())
    assert len(secrets_kept) == 3 and secret not in dump and full not in dump, "only hashes are kept"


def _events(data: Path) -> list[dict[str, object]]:
    store = Store(data)
    try:
        return list(AuditTrail(store).rows())
    finally:
        store.close()


def test_every_access_to_patient_data_leaves_one_event_and_a_refusal_is_denied(keyed: TestClient,
                                                                             tmp_path: Path) -> None:
    data = tmp_path / "data"
    run_cli("users", "add", "bob", "--data-dir", str(data))
    token = _token(data, "bob")
    bob = Identities(Store(data)).user_named("bob")
    assert bob is not None
    volume = keyed.post("/api/volumes", files={"file": ("a.nii.gz", nifti_bytes())}, headers=bearer(token)).json()
    assert keyed.get(f"/api/volumes/{volume['id']}/image", headers=bearer(token)).status_code == 200
    job = keyed.post("/api/jobs", json={"volume_id": volume["id"], "prompts": ["liver"]}, headers=bearer(token)).json()
    wait_done(keyed, job["id"], headers=bearer(KEY))  # the administrator may look (and leaves events)
    before = len(_events(data))
    assert keyed.get(f"/api/jobs/{job['id']}/masks/0.nii.gz", headers=bearer(token)).status_code == 200
    assert keyed.get(f"/api/volumes/{volume['id']}").status_code == 401
    assert keyed.get("/api/info", headers=bearer(token)).status_code == 200  # no patient data: no event
    events = _events(data)
    assert len(events) == before + 2
    upload_event = events[0]
    assert (upload_event["action"], upload_event["outcome"], upload_event["object_type"], upload_event["object_id"],
            upload_event["user_id"], upload_event["via"]) == ("upload", 201, "volume", volume["id"], bob.id, "token")
    assert upload_event["token_id"] == token[4:].split("_", 1)[0] and upload_event["request_id"]
    assert (events[1]["action"], events[1]["object_id"], events[1]["outcome"]) == ("download", volume["id"], 200)
    assert (events[2]["action"], events[2]["object_type"], events[2]["object_id"], events[2]["user_id"],
            events[2]["via"]) == ("infer", "job", job["id"], bob.id, "token")
    download, denied = events[-2], events[-1]
    assert (download["action"], download["object_id"], download["user_id"]) == ("download", job["id"], bob.id)
    assert (denied["action"], denied["outcome"], denied["user_id"], denied["via"], denied["object_id"]) == (
        "denied", 401, None, "none", volume["id"])
    assert not any(str(v).endswith(".nii.gz") for e in events for v in e.values()), "no file names"
    code, out, _ = run_cli("audit", "verify", "--data-dir", str(data))
    assert code == 0 and f"{len(events)} events" in out


def test_an_edited_event_breaks_the_chain_there_and_the_database_refuses_changes(tmp_path: Path) -> None:
    data = tmp_path / "data"
    store = Store(data)
    trail = AuditTrail(store)
    for n in range(5):
        trail.append(AuditEvent(action="view", outcome=200, via="token", user_id=f"u{n}", object_type="job",
                                object_id=f"j{n}"))
    store.close()
    db = sqlite3.connect(data / "voxtell.sqlite")
    for statement in ("UPDATE audit_events SET outcome = 404 WHERE seq = 3", "DELETE FROM audit_events WHERE seq = 2"):
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            db.execute(statement)
    # Someone with the database file in hand drops the trigger and edits a row.
    db.execute("DROP TRIGGER audit_no_update")
    db.execute("UPDATE audit_events SET user_id = 'someone-else' WHERE seq = 3")
    db.commit()
    db.close()
    code, out, _ = run_cli("audit", "verify", "--data-dir", str(data))
    assert code == 1 and "BROKEN at event 3" in out and "changed" in out


def _append_concurrently(make_store: Callable[[], Store], writers: int = 4, each: int = 15) -> None:
    make_store().close()  # the schema first (as a server's start does), then the writers at once
    start = threading.Barrier(writers, timeout=60)

    def write(n: int) -> None:
        store = make_store()  # each writer its own connections, as separate processes have
        try:
            start.wait()
            for k in range(each):
                AuditTrail(store).append(AuditEvent(action="view", outcome=200, via="token", user_id=f"w{n}",
                                                    object_type="job", object_id=str(k)))
        finally:
            store.close()

    threads = [threading.Thread(target=write, args=(n,)) for n in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)


def test_concurrent_writers_keep_one_chain_on_sqlite(tmp_path: Path) -> None:
    _append_concurrently(lambda: Store(tmp_path / "data"))
    store = Store(tmp_path / "data")
    check = AuditTrail(store).verify()
    store.close()
    assert check.ok and check.events == 60


@pytest.fixture(scope="module")
def postgres() -> Iterator[str]:
    with postgres_server() as server:
        yield server.url


def test_concurrent_writers_keep_one_chain_and_changes_are_refused_on_postgresql(postgres: str,
                                                                                tmp_path: Path) -> None:
    _append_concurrently(lambda: Store(tmp_path / "data", postgres))
    store = Store(tmp_path / "data", postgres)
    try:
        check = AuditTrail(store).verify()
        assert check.ok and check.events == 60
        for statement in ("UPDATE audit_events SET outcome = 500", "DELETE FROM audit_events"):
            with pytest.raises(sa.exc.DBAPIError, match="append-only"), store.engine.begin() as db:
                db.execute(sa.text(statement))
    finally:
        store.close()


def _old_and_new_events(store: Store) -> None:
    trail = AuditTrail(store)
    for n in range(10):
        trail.append(AuditEvent(action="view", outcome=200, via="token", user_id="u", object_type="job",
                                object_id=f"old{n}", at=time.time() - 10 * 86400 + n))
    for n in range(5):
        trail.append(AuditEvent(action="view", outcome=200, via="token", user_id="u", object_type="job",
                                object_id=f"new{n}"))


def test_retention_prune_archives_first_and_the_rest_still_verifies(tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    import json

    data = tmp_path / "data"
    store = Store(data)
    _old_and_new_events(store)
    store.close()
    monkeypatch.setenv("VOXTELL_AUDIT_RETENTION_DAYS", "1")
    archive = tmp_path / "audit-2026.jsonl"
    code, out, _ = run_cli("audit", "prune", "--archive", str(archive), "--data-dir", str(data))
    assert code == 0 and "removed 10 events" in out
    archived = [json.loads(line) for line in archive.read_text().splitlines()]
    assert [e["object_id"] for e in archived] == [f"old{n}" for n in range(10)], "archived before removal"
    code, out, _ = run_cli("audit", "verify", "--data-dir", str(data))
    assert code == 0 and "5 events" in out, "the kept rows verify from the prune's anchor"
    assert run_cli("audit", "prune", "--archive", str(archive), "--data-dir", str(data))[0] == 2, "never over an archive"
    db = sqlite3.connect(data / "voxtell.sqlite")
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        db.execute("DELETE FROM audit_events")
    db.execute("DROP TRIGGER audit_no_delete")  # someone removes a kept row by hand
    db.execute("DELETE FROM audit_events WHERE object_id = 'new0'")
    db.commit()
    code, out, _ = run_cli("audit", "verify", "--data-dir", str(data))
    assert code == 1 and "BROKEN" in out


def test_retention_prune_on_postgresql(postgres: str, tmp_path: Path) -> None:
    store = Store(tmp_path / "pruned", postgres)
    try:
        with store.engine.begin() as db:  # this module's database: start from an empty trail
            db.execute(sa.text("ALTER TABLE audit_events DISABLE TRIGGER audit_no_delete"))
            db.execute(sa.text("DELETE FROM audit_events"))
            db.execute(sa.text("DELETE FROM audit_prunes"))
            db.execute(sa.text("ALTER TABLE audit_events ENABLE TRIGGER audit_no_delete"))
        _old_and_new_events(store)
        trail = AuditTrail(store)
        assert trail.prune(time.time() - 86400, tmp_path / "archive.jsonl") == 10
        check = trail.verify()
        assert check.ok and check.events == 5
        with pytest.raises(sa.exc.DBAPIError, match="append-only"), store.engine.begin() as db:
            db.execute(sa.text("DELETE FROM audit_events"))
    finally:
        store.close()

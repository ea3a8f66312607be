"""The DICOM node in the server, end to end with real dcmtk peers: a scanner sends a CT series
(storescu), the node's rule picks a protocol, the job runs in the ordinary queue as the node's
service account, and the RTSTRUCT arrives at the planning system (storescp) with the protocol's
structure names; a destination that is down is retried, then failed, then re-sent by hand; a
review rule holds the drafts until someone approves; a series no rule matches is kept, listed,
not processed."""

from __future__ import annotations

import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pydicom
import pytest
from fastapi.testclient import TestClient

from backend.app import create_app
from backend.settings import Settings
from tests.backend.conftest import FakePredictor
from tests.backend.people import ADMIN, KEY, person
from tests.dicom_node.helpers import NODE_AE, SCANNER_AE, ct_series, storescu, wait_for

TPS_AE = "TPS"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Storescp:
    """dcmtk's storescp as the planning system: every file it receives lands in ``folder``."""

    def __init__(self, folder: Path, port: int | None = None) -> None:
        self.folder, self.port = folder, port or free_port()
        folder.mkdir(parents=True, exist_ok=True)
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> Storescp:
        self.process = subprocess.Popen(["storescp", "-aet", TPS_AE, "-od", str(self.folder), "+xa",
                                         str(self.port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while subprocess.run(["echoscu", "-aec", TPS_AE, "127.0.0.1", str(self.port)],
                             capture_output=True).returncode != 0:
            assert time.monotonic() < deadline, "storescp did not start"
            time.sleep(0.1)
        return self

    def stop(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait()

    def received(self) -> list[pydicom.Dataset]:
        return [pydicom.dcmread(p) for p in sorted(self.folder.iterdir()) if p.is_file()]


@pytest.fixture()
def server(tmp_path: Path) -> Iterator[TestClient]:
    settings = Settings(data_dir=tmp_path / "data", static_dir=tmp_path / "none", api_key=KEY, dicom_port=0,
                        dicom_allowed_callers=[SCANNER_AE], dicom_quiet_s=1.0, dicom_send_retries=2,
                        dicom_send_backoff_s=0.3)
    with TestClient(create_app(settings, lambda _: FakePredictor(patches=1))) as client:
        yield client


@pytest.fixture()
def tps(tmp_path: Path) -> Iterator[Storescp]:
    peer = Storescp(tmp_path / "tps").start()
    yield peer
    peer.stop()


def configure(client: TestClient, destinations: list[dict[str, Any]], rules: list[dict[str, Any]]) -> None:
    answer = client.put("/api/dicom/config", json={"destinations": destinations, "rules": rules}, headers=ADMIN)
    assert answer.status_code == 200, answer.text


def node_port(client: TestClient) -> int:
    status = client.get("/api/dicom/node", headers=ADMIN).json()
    assert status["enabled"] and status["ae_title"] == NODE_AE
    return int(status["port"])


def worklist(client: TestClient) -> list[dict[str, Any]]:
    answer = client.get("/api/dicom/series", headers=ADMIN)
    assert answer.status_code == 200
    return list(answer.json())


def wait_state(client: TestClient, state: str, timeout: float = 30) -> dict[str, Any]:
    found: list[dict[str, Any]] = []

    def reached() -> bool:
        found[:] = [s for s in worklist(client) if s["state"] == state]
        return bool(found)

    wait_for(reached, timeout, f"a series {state}: {worklist(client)}")
    return found[0]


def test_a_series_sent_by_the_scanner_comes_back_as_an_rtstruct_at_the_planning_system(
        server: TestClient, tps: Storescp, tmp_path: Path) -> None:
    configure(server, [{"name": "tps", "ae_title": TPS_AE, "host": "127.0.0.1", "port": tps.port}],
              [{"id": "pelvis-ct", "match": {"modality": "CT", "orientation": "axial"}, "protocol": "pelvis-rt",
                "send": [{"destination": "tps", "format": "rtstruct"}]}])
    files = ct_series(tmp_path / "ct", slices=8)
    sent = storescu(node_port(server), *files)
    assert sent.returncode == 0, sent.stderr
    done = wait_state(server, "done")
    assert (done["rule"], done["protocol"], done["instances"], done["calling_ae"]) == \
        ("pelvis-ct", "pelvis-rt", 8, SCANNER_AE)
    assert [(s["destination"], s["state"], s["attempts"]) for s in done["sends"]] == [("tps", "sent", 1)]
    [rtstruct] = tps.received()
    source = pydicom.dcmread(files[0], stop_before_pixels=True)
    assert rtstruct.Modality == "RTSTRUCT" and rtstruct.StudyInstanceUID == source.StudyInstanceUID
    protocol = server.get("/api/protocols/pelvis-rt", headers=ADMIN).json()
    assert [r.ROIName for r in rtstruct.StructureSetROISequence] == [s["name"] for s in protocol["structures"]]
    referenced = rtstruct.ReferencedFrameOfReferenceSequence[0].RTReferencedStudySequence[0] \
        .RTReferencedSeriesSequence[0]
    assert referenced.SeriesInstanceUID == source.SeriesInstanceUID
    job = server.get(f"/api/jobs/{done['job_id']}", headers=ADMIN).json()
    assert job["owner"] != "admin" and job["protocol"] == "pelvis-rt", "the node's service account runs it"
    # Someone outside the node's project sees none of it.
    alice = person(tmp_path / "data", "alice")
    assert server.get("/api/dicom/series", headers=alice).json() == []
    assert server.get(f"/api/jobs/{done['job_id']}", headers=alice).status_code == 404
    # The same series sent again: no new instance arrived, so nothing is processed or sent twice.
    storescu(node_port(server), *files)
    time.sleep(2.5)
    assert len(worklist(server)) == 1 and len(tps.received()) == 1


def test_a_destination_down_is_retried_then_failed_then_resent_by_hand(
        server: TestClient, tmp_path: Path) -> None:
    down = Storescp(tmp_path / "tps")  # not started yet: nothing listens on its port
    configure(server, [{"name": "tps", "ae_title": TPS_AE, "host": "127.0.0.1", "port": down.port}],
              [{"id": "any-ct", "match": {"modality": "CT"}, "protocol": "thorax-rt",
                "send": [{"destination": "tps", "format": "rtstruct"}]}])
    assert storescu(node_port(server), *ct_series(tmp_path / "ct", slices=6)).returncode == 0
    failed = wait_state(server, "failed")
    [send] = failed["sends"]
    assert send["state"] == "failed" and send["attempts"] == 2 and send["tries"] == 2, send
    assert "cannot reach" in send["last_error"] or "no association" in send["last_error"], send
    assert failed["reason"] == "1 send(s) failed"
    try:
        down.start()
        assert server.post(f"/api/dicom/sends/{send['id']}/resend", headers=ADMIN).status_code == 202
        done = wait_state(server, "done")
        assert done["sends"][0]["state"] == "sent"
        assert [ds.Modality for ds in down.received()] == ["RTSTRUCT"]
        again = server.post(f"/api/dicom/sends/{send['id']}/resend", headers=ADMIN)
        assert again.status_code == 409 and "only a failed send" in again.json()["detail"]
    finally:
        down.stop()


def test_a_review_rule_holds_the_drafts_until_approved(server: TestClient, tps: Storescp, tmp_path: Path) -> None:
    configure(server, [{"name": "tps", "ae_title": TPS_AE, "host": "127.0.0.1", "port": tps.port}],
              [{"id": "review-ct", "match": {"modality": "CT"}, "protocol": "abdomen-ct", "review": "review",
                "send": [{"destination": "tps", "format": "seg"}]}])
    assert storescu(node_port(server), *ct_series(tmp_path / "ct", slices=6)).returncode == 0
    held = wait_state(server, "review")
    time.sleep(1.5)
    assert tps.received() == [], "nothing is sent before approval"
    # The reviewer edits a draft (renames it), then approves: the edited version is sent.
    renamed = server.patch(f"/api/jobs/{held['job_id']}/masks/0", json={"name": "Liver_edited"}, headers=ADMIN)
    assert renamed.status_code == 200, renamed.text
    approved = server.post(f"/api/dicom/series/{held['id']}/approve", headers=ADMIN)
    assert approved.status_code == 200 and approved.json()["approved_by"] == "admin"
    wait_state(server, "done")
    [seg] = tps.received()
    assert seg.Modality == "SEG" and seg.SegmentSequence[0].SegmentLabel == "Liver_edited"
    twice = server.post(f"/api/dicom/series/{held['id']}/approve", headers=ADMIN)
    assert twice.status_code == 409


def test_a_series_no_rule_matches_is_kept_and_listed_not_processed(server: TestClient, tmp_path: Path) -> None:
    configure(server, [], [{"id": "mr-only", "match": {"modality": "MR"}, "protocol": "brain-mr"}])
    assert storescu(node_port(server), *ct_series(tmp_path / "ct", slices=6)).returncode == 0
    kept = wait_state(server, "unmatched")
    assert kept["job_id"] is None and kept["volume_id"] is not None and kept["rule"] is None
    assert server.get(f"/api/volumes/{kept['volume_id']}", headers=ADMIN).status_code == 200
    assert server.get("/api/jobs", headers=ADMIN).json() == []


def test_a_configuration_is_checked_before_anything_changes(server: TestClient) -> None:
    good = {"destinations": [{"name": "tps", "ae_title": TPS_AE, "host": "127.0.0.1", "port": 104}],
            "rules": [{"id": "r1", "match": {"modality": "CT"}, "protocol": "pelvis-rt",
                       "send": [{"destination": "tps"}]}]}
    assert server.put("/api/dicom/config", json=good, headers=ADMIN).status_code == 200
    for bad, status, detail in [
        ({**good, "rules": [{**good["rules"][0], "protocol": "nope"}]}, 409, "rule r1: protocol 'nope' does not exist"),
        ({**good, "rules": [{**good["rules"][0], "send": [{"destination": "pacs"}]}]}, 409,
         "rule r1: destination 'pacs' is not configured"),
        ({**good, "rules": [{**good["rules"][0], "match": {"series_description": "(unclosed"}}]}, 409,
         "rule r1: match.series_description is not a regular expression"),
        ({**good, "destinations": [{"name": "tps", "ae_title": "A" * 17, "host": "h", "port": 1}]}, 422,
         "destinations.0.ae_title: String should have at most 16 characters"),
        ({**good, "rules": [{**good["rules"][0], "match": {"orientation": "oblique"}}]}, 422,
         "rules.0.match.orientation: Input should be 'axial', 'coronal' or 'sagittal'"),
    ]:
        answer = server.put("/api/dicom/config", json=bad, headers=ADMIN)
        assert answer.status_code == status and answer.json()["detail"].startswith(detail), answer.text
    assert server.get("/api/dicom/config", headers=ADMIN).json()["rules"][0]["protocol"] == "pelvis-rt"


def test_the_node_configuration_from_a_yaml_file_on_the_command_line(tmp_path: Path) -> None:
    from tests.backend.people import run_cli

    data = str(tmp_path / "data")
    good = tmp_path / "node.yaml"
    good.write_text("destinations:\n  - {name: eclipse, ae_title: ECLIPSE, host: 10.0.0.5, port: 104}\n"
                    "  - {name: archive, dicomweb: true}\n"
                    "rules:\n  - id: prostate\n    match: {modality: CT, series_description: '(?i)pelvis|prostate',"
                    " slice_thickness: [1, 3]}\n    protocol: pelvis-rt\n    review: review\n"
                    "    send: [{destination: eclipse, format: rtstruct}, {destination: archive, format: seg}]\n")
    code, out, _ = run_cli("dicom", "import", str(good), "--data-dir", data)
    assert (code, out) == (0, "2 destinations, 1 rules\n")
    bad = tmp_path / "bad.yaml"
    bad.write_text("rules:\n  - {id: x, protocol: pelvis-rt, send: [{destination: nowhere}]}\n")
    code, out, err = run_cli("dicom", "import", str(bad), "--data-dir", data)
    assert code == 2 and err == f"voxtell-web: error: {bad}: rule x: destination 'nowhere' is not configured\n"
    code, out, _ = run_cli("dicom", "export", "--data-dir", data)
    assert code == 0 and "id: prostate" in out and "ae_title: ECLIPSE" in out and "review: review" in out


def test_a_gantry_tilted_series_is_refused_with_its_reason_on_the_worklist(server: TestClient,
                                                                            tmp_path: Path) -> None:
    import numpy as np

    from tests.dicom.series import write_series

    configure(server, [], [{"id": "ct", "match": {"modality": "CT"}, "protocol": "pelvis-rt"}])
    volume = np.random.default_rng(1).integers(-500, 500, (16, 16, 6)).astype(np.int16)
    files, _ = write_series(tmp_path / "tilted", volume, np.array([1.0, 0, 0]), np.array([0, 1.0, 0]),
                            (0.8, 0.8, 2.5), np.zeros(3), in_plane_shift=0.7)
    assert storescu(node_port(server), *files).returncode == 0
    refused = wait_state(server, "refused")
    assert "gantry tilt" in refused["reason"] and refused["job_id"] is None and refused["volume_id"] is None
    assert server.get("/api/jobs", headers=ADMIN).json() == [], "never read with a wrong geometry"


def test_a_restart_loses_no_pending_send(tmp_path: Path) -> None:
    """The planning system is down; the server stops with the send pending (its retry a minute
    away) and starts again after the planning system is back: the send goes out once."""
    down = Storescp(tmp_path / "tps")
    settings = Settings(data_dir=tmp_path / "data", static_dir=tmp_path / "none", api_key=KEY, dicom_port=0,
                        dicom_allowed_callers=[SCANNER_AE], dicom_quiet_s=1.0, dicom_send_retries=3,
                        dicom_send_backoff_s=60)
    with TestClient(create_app(settings, lambda _: FakePredictor(patches=1))) as first:
        configure(first, [{"name": "tps", "ae_title": TPS_AE, "host": "127.0.0.1", "port": down.port}],
                  [{"id": "ct", "match": {"modality": "CT"}, "protocol": "thorax-rt",
                    "send": [{"destination": "tps"}]}])
        assert storescu(node_port(first), *ct_series(tmp_path / "ct", slices=6)).returncode == 0
        wait_for(lambda: any(s["sends"] and s["sends"][0]["attempts"] == 1 for s in worklist(first)), 30,
                 "the first try")
        [pending] = worklist(first)
        assert pending["state"] == "sending" and pending["sends"][0]["state"] == "pending"
    down.start()
    try:
        soon = settings.model_copy(update={"dicom_send_backoff_s": 0.2})  # the next try is due at once now
        from backend.storage.dicom_node import NodeRows
        from backend.storage.store import Store

        store = Store(settings.data_dir)
        NodeRows(store).update_send(pending["sends"][0]["id"], next_at=0.0)
        store.close()
        with TestClient(create_app(soon, lambda _: FakePredictor(patches=1))) as second:
            done = wait_state(second, "done")
            assert [(s["state"], s["attempts"]) for s in done["sends"]] == [("sent", 2)]
        assert [ds.Modality for ds in down.received()] == ["RTSTRUCT"]
    finally:
        down.stop()


def _self_signed(folder: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 (its own CA) and its key, PEM."""
    import datetime as dt
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "planning system")])
    now = dt.datetime.now(dt.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(minutes=5))
            .not_valid_after(now + dt.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
            .sign(key, hashes.SHA256()))
    folder.mkdir(parents=True, exist_ok=True)
    cert_file, key_file = folder / "cert.pem", folder / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL,
                                           serialization.NoEncryption()))
    return cert_file, key_file


def test_results_go_over_tls_to_a_planning_system_whose_certificate_is_trusted(
        server: TestClient, tmp_path: Path) -> None:
    cert, key = _self_signed(tmp_path / "pki")
    folder, port = tmp_path / "tls-tps", free_port()
    folder.mkdir()
    scp = subprocess.Popen(["storescp", "-aet", TPS_AE, "-od", str(folder), "+xa", "+tls", str(key), str(cert),
                            "-ic", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        time.sleep(1.0)  # echoscu without TLS cannot probe it
        configure(server, [
            {"name": "tps", "ae_title": TPS_AE, "host": "127.0.0.1", "port": port, "tls": True, "ca_file": str(cert)},
            {"name": "untrusted", "ae_title": TPS_AE, "host": "127.0.0.1", "port": port, "tls": True}],
            [{"id": "ct", "match": {"modality": "CT"}, "protocol": "thorax-rt",
              "send": [{"destination": "tps"}, {"destination": "untrusted"}]}])
        assert storescu(node_port(server), *ct_series(tmp_path / "ct", slices=6)).returncode == 0
        failed = wait_state(server, "failed")
        sends = {s["destination"]: s for s in failed["sends"]}
        assert sends["tps"]["state"] == "sent"
        assert sends["untrusted"]["state"] == "failed" and "over TLS" in sends["untrusted"]["last_error"]
        assert [ds.Modality for ds in (pydicom.dcmread(p) for p in folder.iterdir())] == ["RTSTRUCT"]
    finally:
        scp.kill()
        scp.wait()
    refused = server.put("/api/dicom/config", headers=ADMIN, json={"destinations": [
        {"name": "x", "ae_title": "X", "host": "h", "port": 1, "ca_file": "/etc/ca.pem"}], "rules": []})
    assert refused.status_code == 409 and refused.json()["detail"] == \
        "destination x: ca_file, cert_file and key_file go with tls: true"


def test_a_rule_sets_its_own_quiet_time(tmp_path: Path) -> None:
    """The node waits a minute by default; the CT rule says one second: a CT series is processed
    at once, an MR series (another rule, the default) is still waiting."""
    settings = Settings(data_dir=tmp_path / "data", static_dir=tmp_path / "none", api_key=KEY, dicom_port=0,
                        dicom_allowed_callers=[SCANNER_AE], dicom_quiet_s=60.0)
    with TestClient(create_app(settings, lambda _: FakePredictor(patches=1))) as client:
        configure(client, [], [
            {"id": "ct", "match": {"modality": "CT"}, "protocol": "thorax-rt", "quiet_s": 1},
            {"id": "mr", "match": {"modality": "MR"}, "protocol": "brain-mr"}])
        assert client.get("/api/dicom/config", headers=ADMIN).json()["rules"][0]["quiet_s"] == 1
        mr = ct_series(tmp_path / "mr", slices=6, seed=2)
        for path in mr:
            ds = pydicom.dcmread(path)
            ds.Modality = "MR"
            ds.save_as(path, enforce_file_format=True)
        assert storescu(node_port(client), *mr).returncode == 0
        assert storescu(node_port(client), *ct_series(tmp_path / "ct", slices=6)).returncode == 0
        done = wait_state(client, "done", timeout=20)
        assert done["rule"] == "ct" and done["modality"] == "CT"
        assert [s["modality"] for s in worklist(client)] == ["CT"], "the MR series still waits its minute"

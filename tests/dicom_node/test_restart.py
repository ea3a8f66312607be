"""What survives a restart: a node killed (kill -9) mid-series, a callback that keeps failing,
the quiet time, the ceiling and an association still adding to a series."""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from pathlib import Path

import pydicom
import pytest
from pydicom.uid import CTImageStorage, ExplicitVRLittleEndian
from pynetdicom import AE

from backend.integrations.dicom_node.receiver import DicomNode
from backend.integrations.dicom_node.records import ReceivedSeries
from backend.integrations.dicom_node.spool import SpoolBusy
from tests.dicom_node.conftest import NodeFactory
from tests.dicom_node.helpers import (
    NODE_AE,
    SCANNER_AE,
    ct_series,
    pending,
    series_records,
    spooled,
    storescu,
    wait_for,
)

REPO = Path(__file__).resolve().parents[2]


def _committed(node_spool: Path, count: int, node: DicomNode | None = None) -> None:
    wait_for(lambda: len(spooled(node_spool)) == count and not pending(node_spool)
             and not (node and node.busy_series()), what=f"{count} instances spooled")


def _uids(blobs: list[bytes]) -> set[str]:
    return {str(pydicom.dcmread(pydicom.filebase.DicomBytesIO(b), stop_before_pixels=True).SOPInstanceUID)
            for b in blobs}


def _copy(files: list[Path], folder: Path) -> Path:
    folder.mkdir()
    for path in files:
        shutil.copy(path, folder / path.name)
    return folder


def test_a_node_killed_mid_series_completes_it_once_after_restart(start_node: NodeFactory, tmp_path: Path) -> None:
    spool = tmp_path / "spool"
    files = ct_series(tmp_path / "ct", 10)
    process = subprocess.Popen([sys.executable, "-m", "tests.dicom_node.node_process", str(spool)],
                               cwd=REPO, stdout=subprocess.PIPE, text=True)
    assoc = None
    try:
        assert process.stdout is not None
        port = int(process.stdout.readline())
        assert storescu(port, _copy(files[:5], tmp_path / "first")).returncode == 0
        _committed(spool, 5)
        # an association still open when the node dies: what it sent is never delivered
        ae = AE(ae_title=SCANNER_AE)
        ae.add_requested_context(CTImageStorage, ExplicitVRLittleEndian)
        assoc = ae.associate("127.0.0.1", port, ae_title=NODE_AE)
        assert assoc.send_c_store(pydicom.dcmread(files[5])).Status == 0
        process.kill()
        process.wait(timeout=10)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=10)
        if assoc is not None:
            assoc.abort()
    assert len(pending(spool)) == 1  # left by the dead process
    node, received = start_node(spool=spool, quiet_s=1.0)
    assert not pending(spool) and len(spooled(spool)) == 5
    # the rest arrives (with two slices sent again): one series of 10, handed over once
    assert storescu(node.port, _copy(files[3:], tmp_path / "rest")).returncode == 0
    _committed(spool, 10, node)
    assert node.watcher.poll(now=time.time() + 5) == 1
    assert node.watcher.poll(now=time.time() + 3600) == 0
    [series] = received.series
    assert series.instance_count == 10 and series.generation == 1
    assert _uids(received.instances[0]) == {str(pydicom.dcmread(p).SOPInstanceUID) for p in files}
    node.stop()
    # another restart, and the whole series sent again: nothing is handed over twice
    again, received_again = start_node(spool=spool, quiet_s=1.0)
    assert storescu(again.port, tmp_path / "ct").returncode == 0
    wait_for(lambda: not pending(spool) and not again.busy_series())
    assert again.watcher.poll(now=time.time() + 3600) == 0 and not received_again.series


def test_a_failing_callback_is_retried_also_after_a_restart(start_node: NodeFactory, tmp_path: Path) -> None:
    calls: list[ReceivedSeries] = []

    def failing(series: ReceivedSeries) -> None:
        calls.append(series)
        raise RuntimeError("the job queue is away")

    node, _ = start_node(on_complete=failing, retry_s=5.0)
    spool = node.config.spool_dir
    ct_series(tmp_path / "ct", 4)
    assert storescu(node.port, tmp_path / "ct").returncode == 0
    _committed(spool, 4, node)
    now = time.time() + 10
    assert node.watcher.poll(now) == 0 and len(calls) == 1
    assert node.watcher.poll(now + 1) == 0 and len(calls) == 1  # not before retry_s
    assert node.watcher.poll(now + 6) == 0 and len(calls) == 2
    assert all(path.exists() for path in calls[-1].files)  # kept for the next try
    # more of the same series meanwhile: a second generation, held back behind the first
    first = pydicom.dcmread(calls[0].files[0])
    ct_series(tmp_path / "more", 2, seed=7, study_uid=first.StudyInstanceUID, series_uid=first.SeriesInstanceUID)
    assert storescu(node.port, tmp_path / "more").returncode == 0
    _committed(spool, 2, node)
    assert node.watcher.poll(now + 7) == 0 and len(calls) == 2
    node.stop()
    restarted, received = start_node(spool=spool)
    assert restarted.watcher.poll() == 2
    assert [(s.key, s.generation, s.instance_count) for s in received.series] == [
        (calls[0].key, 1, 4), (calls[0].key, 2, 2)]
    assert restarted.watcher.poll(now=time.time() + 3600) == 0


def test_quiet_time_ceiling_and_an_open_association(start_node: NodeFactory, tmp_path: Path) -> None:
    node, received = start_node(quiet_s=100.0, ceiling_s=300.0)
    spool = node.config.spool_dir
    files = ct_series(tmp_path / "ct", 4)
    assert storescu(node.port, _copy(files[:2], tmp_path / "first")).returncode == 0
    _committed(spool, 2, node)
    [record] = series_records(spool)
    first, last = float(record["first_arrival"]), float(record["last_arrival"])  # type: ignore[arg-type]
    assert node.watcher.due(now=last + 99) == []
    assert len(node.watcher.due(now=last + 100)) == 1
    ae = AE(ae_title=SCANNER_AE)
    ae.add_requested_context(CTImageStorage, ExplicitVRLittleEndian)
    assoc = ae.associate("127.0.0.1", node.port, ae_title=NODE_AE)
    try:
        assert assoc.send_c_store(pydicom.dcmread(files[2])).Status == 0
        # still adding to it: not complete however quiet, until the ceiling
        assert node.watcher.due(now=last + 100) == []
        assert len(node.watcher.due(now=first + 300)) == 1
    finally:
        assoc.release()
    _committed(spool, 3, node)
    assert node.watcher.poll(now=time.time() + 100) == 1
    assert received.series[0].instance_count == 3


def test_one_node_per_spool_directory(start_node: NodeFactory, tmp_path: Path) -> None:
    node, _ = start_node()
    with pytest.raises(SpoolBusy):
        start_node(spool=node.config.spool_dir)
    node.stop()
    again, _ = start_node(spool=node.config.spool_dir)  # the lock went with the first node
    assert again.port > 0

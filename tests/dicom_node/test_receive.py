"""The DICOM node against the real dcmtk tools (echoscu, storescu) and a pynetdicom sender."""

from __future__ import annotations

import json
import logging
import shutil
import socket
import subprocess
import time
from pathlib import Path

import numpy as np
import pydicom
import pytest
from pydicom.uid import (
    JPEG2000,
    CTImageStorage,
    DeflatedExplicitVRLittleEndian,
    ExplicitVRBigEndian,
    ExplicitVRLittleEndian,
    ImplicitVRLittleEndian,
    JPEG2000Lossless,
    JPEGLosslessSV1,
    JPEGLSLossless,
    RLELossless,
    generate_uid,
)
from pynetdicom import AE

from backend.integrations.dicom_node.receiver import DicomNode
from tests.dicom_node.conftest import NodeFactory
from tests.dicom_node.helpers import (
    NODE_AE,
    RTSTRUCT,
    SCANNER_AE,
    SEG,
    ct_series,
    echoscu,
    non_image,
    pending,
    scu,
    series_records,
    spooled,
    storescu,
    wait_for,
)


def _committed(node: DicomNode, count: int) -> None:
    """Wait until ``count`` instances are in series/ and no association is open or pending."""
    spool = node.config.spool_dir
    wait_for(lambda: len(spooled(spool)) == count and not pending(spool) and not node.busy_series(),
             what=f"{count} instances spooled")


def _sop_uids(paths: list[Path]) -> set[str]:
    return {str(pydicom.dcmread(p, stop_before_pixels=True).SOPInstanceUID) for p in paths}


def test_echo_answers_allowed_callers_and_refuses_the_others(start_node: NodeFactory, tmp_path: Path) -> None:
    node, _ = start_node(allowed_callers=[(SCANNER_AE, None), ("PACS", "10.255.0.1")])
    spool = node.config.spool_dir
    assert echoscu(node.port).returncode == 0
    refused = echoscu(node.port, calling="INTRUDER")
    assert refused.returncode != 0 and "Calling AE Title Not Recognized" in refused.stderr
    # allowed by title, but only from another address
    refused = echoscu(node.port, calling="PACS")
    assert refused.returncode != 0 and "Calling AE Title Not Recognized" in refused.stderr
    refused = echoscu(node.port, called="SOMEONE_ELSE")
    assert refused.returncode != 0 and "Called AE Title Not Recognized" in refused.stderr
    ct_series(tmp_path / "ct", 3)
    assert storescu(node.port, tmp_path / "ct", calling="INTRUDER").returncode != 0
    time.sleep(0.2)
    assert not spooled(spool) and not pending(spool)


def test_nobody_is_allowed_without_a_list_unless_allow_any(start_node: NodeFactory, tmp_path: Path) -> None:
    closed, _ = start_node(allowed_callers=[])
    assert echoscu(closed.port).returncode != 0
    open_node, _ = start_node(spool=tmp_path / "open", allowed_callers=[], allow_any=True)
    assert echoscu(open_node.port, calling="ANYONE").returncode == 0


def test_a_series_completes_once_after_the_quiet_time(start_node: NodeFactory, tmp_path: Path) -> None:
    node, received = start_node(watch=True, quiet_s=1.0)
    spool = node.config.spool_dir
    files = ct_series(tmp_path / "ct", 10)
    sent = storescu(node.port, tmp_path / "ct")
    assert sent.returncode == 0, sent.stderr
    wait_for(lambda: received.series, timeout=20, what="the series handed over")
    time.sleep(1.5)  # several more polls: nothing is handed over a second time
    assert len(received.series) == 1
    series = received.series[0]
    assert series.instance_count == 10 and series.generation == 1
    assert (series.calling_ae, series.called_ae, series.caller_address) == (SCANNER_AE, NODE_AE, "127.0.0.1")
    assert series.header.modality == "CT" and series.header.sop_class_uid == CTImageStorage
    assert series.header.image_orientation_patient == (1.0, 0.0, 0.0, 0.0, 1.0, 0.0)
    assert series.first_arrival <= series.last_arrival
    got = {pydicom.dcmread(pydicom.filebase.DicomBytesIO(b)).SOPInstanceUID: b for b in received.instances[0]}
    for path in files:  # every slice, with its pixels as sent
        original = pydicom.dcmread(path)
        copy = pydicom.dcmread(pydicom.filebase.DicomBytesIO(got[original.SOPInstanceUID]))
        assert np.array_equal(copy.pixel_array, original.pixel_array)
    # handed over: the files are gone, only the record of what was handed over stays
    assert not spooled(spool) and not list((spool / "handover").iterdir())
    assert [p.stem for p in (spool / "complete").iterdir()] == [series.key]


def test_resending_a_series_never_duplicates_it(start_node: NodeFactory, tmp_path: Path) -> None:
    node, received = start_node(quiet_s=30.0)
    spool = node.config.spool_dir
    files = ct_series(tmp_path / "ct", 10)
    for _ in range(2):
        assert storescu(node.port, tmp_path / "ct").returncode == 0
    _committed(node, 10)
    [record] = series_records(spool)
    assert record["instance_count"] == 10
    text = json.dumps(record)  # the record keeps no patient field and no UID
    ds = pydicom.dcmread(files[0])
    for secret in ("Doe", "PHI-123", ds.StudyInstanceUID, ds.SeriesInstanceUID, ds.SOPInstanceUID):
        assert secret not in text
    assert node.watcher.due() == []  # not quiet yet
    assert node.watcher.poll(now=time.time() + 31) == 1
    assert received.series[0].instance_count == 10
    # resent after the handover: dropped, never handed over again
    assert storescu(node.port, tmp_path / "ct").returncode == 0
    wait_for(lambda: not node.busy_series() and not pending(spool), what="the resend released")
    time.sleep(0.2)
    assert not spooled(spool)
    assert node.watcher.poll(now=time.time() + 31) == 0
    # new slices of the same series arriving later: the next generation, only the new ones
    more = ct_series(tmp_path / "more", 2, seed=5, study_uid=ds.StudyInstanceUID, series_uid=ds.SeriesInstanceUID)
    assert storescu(node.port, tmp_path / "more").returncode == 0
    _committed(node, 2)
    assert node.watcher.poll(now=time.time() + 31) == 1
    late = received.series[1]
    assert (late.key, late.generation, late.instance_count) == (received.series[0].key, 2, 2)
    assert {pydicom.dcmread(pydicom.filebase.DicomBytesIO(b)).SOPInstanceUID for b in received.instances[1]} \
        == _sop_uids(more)


@pytest.mark.parametrize(("encode", "propose", "syntax"), [
    (["dcmcjpls"], "-xt", JPEGLSLossless),
    (["dcmcjpeg"], "-xs", JPEGLosslessSV1),
    (["dcmcrle"], "-xr", RLELossless),
    (["dcmconv", "+td"], "-xd", DeflatedExplicitVRLittleEndian),
    (["cp"], "-xi", ImplicitVRLittleEndian),  # storescu converts to what it proposes
], ids=["jpeg-ls", "jpeg-lossless", "rle", "deflated", "implicit"])
def test_a_compressed_series_is_spooled_as_sent(start_node: NodeFactory, tmp_path: Path, encode: list[str],
                                                 propose: str, syntax: str) -> None:
    if shutil.which(encode[0]) is None:
        pytest.skip(f"{encode[0]} is not installed")
    node, received = start_node(quiet_s=30.0)
    files = ct_series(tmp_path / "ct", 4)
    (tmp_path / "enc").mkdir()
    for path in files:
        subprocess.run([*encode, str(path), str(tmp_path / "enc" / path.name)], check=True, capture_output=True)
    sent = storescu(node.port, tmp_path / "enc", options=(propose,))
    assert sent.returncode == 0, sent.stderr
    _committed(node, 4)
    originals = {pydicom.dcmread(p).SOPInstanceUID: pydicom.dcmread(p).pixel_array for p in files}
    for path in spooled(node.config.spool_dir):
        ds = pydicom.dcmread(path)
        assert ds.file_meta.TransferSyntaxUID == syntax
        assert np.array_equal(ds.pixel_array, originals[ds.SOPInstanceUID])
    assert node.watcher.poll(now=time.time() + 31) == 1


def test_jpeg_2000_lossless_and_lossy_are_spooled_as_sent(start_node: NodeFactory, tmp_path: Path) -> None:
    node, _ = start_node(quiet_s=30.0)
    lossless, lossy = (pydicom.dcmread(p) for p in ct_series(tmp_path / "ct", 2, size=64))
    original = lossless.pixel_array.copy()
    lossless.compress(JPEG2000Lossless)
    lossy.compress(JPEG2000, j2k_psnr=[80])
    assert scu(node.port, [lossless, lossy]) == [0x0000, 0x0000]
    _committed(node, 2)
    stored = {str(ds.SOPInstanceUID): ds for ds in map(pydicom.dcmread, spooled(node.config.spool_dir))}
    assert stored[lossless.SOPInstanceUID].file_meta.TransferSyntaxUID == JPEG2000Lossless
    assert np.array_equal(stored[lossless.SOPInstanceUID].pixel_array, original)
    assert stored[lossy.SOPInstanceUID].file_meta.TransferSyntaxUID == JPEG2000
    assert stored[lossy.SOPInstanceUID].PixelData == lossy.PixelData  # the bytes as sent


def test_explicit_big_endian_is_spooled_as_sent(start_node: NodeFactory, tmp_path: Path) -> None:
    node, _ = start_node(quiet_s=30.0)
    [path] = ct_series(tmp_path / "ct", 1)
    subprocess.run(["dcmconv", "+tb", str(path), str(tmp_path / "be.dcm")], check=True, capture_output=True)
    big_endian = pydicom.dcmread(tmp_path / "be.dcm")
    assert scu(node.port, [big_endian]) == [0x0000]  # proposes big endian only
    _committed(node, 1)
    [stored] = map(pydicom.dcmread, spooled(node.config.spool_dir))
    assert stored.file_meta.TransferSyntaxUID == ExplicitVRBigEndian
    assert np.array_equal(stored.pixel_array, pydicom.dcmread(path).pixel_array)


def test_non_image_objects_are_answered_but_never_spooled(start_node: NodeFactory, tmp_path: Path) -> None:
    node, received = start_node(quiet_s=30.0)
    spool = node.config.spool_dir
    study = generate_uid()
    ct_series(tmp_path / "ct", 3, study_uid=study)
    rtstruct = non_image(tmp_path / "ct", *RTSTRUCT, study_uid=study)
    seg = non_image(tmp_path / "ct", *SEG, study_uid=study)
    sent = storescu(node.port, tmp_path / "ct", options=("-R",))  # propose the classes of the files
    assert sent.returncode == 0, sent.stderr
    _committed(node, 3)
    assert {pydicom.dcmread(p).SOPClassUID for p in spooled(spool)} == {CTImageStorage}
    # answered success, one association of them alone spools nothing and completes nothing
    assert scu(node.port, [pydicom.dcmread(rtstruct), pydicom.dcmread(seg)]) == [0x0000, 0x0000]
    wait_for(lambda: not node.busy_series() and not pending(spool))
    assert len(series_records(spool)) == 1
    assert node.watcher.poll(now=time.time() + 31) == 1
    assert received.series[0].instance_count == 3


def test_above_the_high_water_mark_associations_are_refused(start_node: NodeFactory, tmp_path: Path) -> None:
    node, _ = start_node(min_free_bytes=2**62)
    ct_series(tmp_path / "ct", 3)
    refused = echoscu(node.port)
    assert refused.returncode != 0 and "Rejected Transient" in refused.stderr
    assert storescu(node.port, tmp_path / "ct").returncode != 0
    full, _ = start_node(spool=tmp_path / "full", high_water=1e-12)
    assert echoscu(full.port).returncode != 0
    time.sleep(0.2)
    for spool in (node.config.spool_dir, full.config.spool_dir):
        assert not spooled(spool) and not pending(spool)


def test_an_aborted_association_leaves_nothing(start_node: NodeFactory, tmp_path: Path) -> None:
    node, received = start_node()
    spool = node.config.spool_dir
    files = ct_series(tmp_path / "ct", 3)
    ae = AE(ae_title=SCANNER_AE)
    ae.add_requested_context(CTImageStorage, ExplicitVRLittleEndian)
    assoc = ae.associate("127.0.0.1", node.port, ae_title=NODE_AE)
    try:
        for i, path in enumerate(files, start=1):
            assert assoc.send_c_store(pydicom.dcmread(path)).Status == 0x0000
            assert len(pending(spool)) == i  # on disk before the success was answered
    finally:
        assoc.abort()
    wait_for(lambda: not pending(spool) and not node.busy_series(), what="the aborted association dropped")
    assert not spooled(spool)
    assert node.watcher.poll(now=time.time() + 3600) == 0 and not received.series


def test_a_connection_lost_mid_association_leaves_nothing(start_node: NodeFactory, tmp_path: Path) -> None:
    node, _ = start_node()
    spool = node.config.spool_dir
    files = ct_series(tmp_path / "ct", 2)
    ae = AE(ae_title=SCANNER_AE)
    ae.add_requested_context(CTImageStorage, ExplicitVRLittleEndian)
    assoc = ae.associate("127.0.0.1", node.port, ae_title=NODE_AE)
    try:
        for path in files:
            assert assoc.send_c_store(pydicom.dcmread(path)).Status == 0x0000
        assert len(pending(spool)) == 2
        raw = assoc.dul.socket.socket  # the TCP connection drops: no A-RELEASE, no A-ABORT sent
        raw.shutdown(socket.SHUT_RDWR)
        raw.close()
        wait_for(lambda: not pending(spool) and not node.busy_series(), what="the lost association dropped")
    finally:
        assoc.kill()
    assert not spooled(spool) and node.watcher.poll(now=time.time() + 3600) == 0


def test_a_failed_write_answers_out_of_resources(start_node: NodeFactory, tmp_path: Path) -> None:
    node, _ = start_node()
    spool = node.config.spool_dir
    [path] = ct_series(tmp_path / "ct", 1)
    (spool / "pending").rmdir()
    (spool / "pending").write_text("not a folder: every write under it fails")
    assert scu(node.port, [pydicom.dcmread(path)]) == [0xA700]
    (spool / "pending").unlink()
    (spool / "pending").mkdir()
    assert scu(node.port, [pydicom.dcmread(path)]) == [0x0000]
    _committed(node, 1)


def test_two_series_on_concurrent_associations_both_complete(start_node: NodeFactory, tmp_path: Path) -> None:
    node, received = start_node(watch=True, quiet_s=1.0)
    a = ct_series(tmp_path / "a", 4, seed=1)
    b = ct_series(tmp_path / "b", 6, seed=2)
    shared = ct_series(tmp_path / "shared", 4, seed=3)  # one series split over both associations
    ae = AE(ae_title=SCANNER_AE)
    ae.add_requested_context(CTImageStorage, ExplicitVRLittleEndian)
    first = ae.associate("127.0.0.1", node.port, ae_title=NODE_AE)
    second = ae.associate("127.0.0.1", node.port, ae_title=NODE_AE)
    try:
        assert first.is_established and second.is_established
        for one, two in zip(a + shared[:2], b + shared[2:], strict=False):
            assert first.send_c_store(pydicom.dcmread(one)).Status == 0
            assert second.send_c_store(pydicom.dcmread(two)).Status == 0
        for path in (b + shared[2:])[len(a) + 2:]:
            assert second.send_c_store(pydicom.dcmread(path)).Status == 0
    finally:
        first.release()
        second.release()
    wait_for(lambda: len(received.series) == 3, timeout=20, what="three series handed over")
    assert sorted(s.instance_count for s in received.series) == [4, 4, 6]
    assert len({s.key for s in received.series}) == 3


def test_logs_carry_counts_and_ae_titles_only(start_node: NodeFactory, tmp_path: Path,
                                              caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)

    def failing(series: object) -> None:
        raise RuntimeError("archive away")

    node, _ = start_node(on_complete=failing)
    files = ct_series(tmp_path / "ct", 3)
    ds = pydicom.dcmread(files[0])
    non_image(tmp_path / "ct", *RTSTRUCT, study_uid=ds.StudyInstanceUID)
    assert storescu(node.port, tmp_path / "ct").returncode == 0
    echoscu(node.port, calling="INTRUDER")
    _committed(node, 3)
    node.watcher.poll(now=time.time() + 100)
    text = caplog.text
    assert "released: 3 instance(s)" in text and "INTRUDER" in text and "RuntimeError" in text
    for secret in ("Doe", "PHI-123", ds.StudyInstanceUID, ds.SeriesInstanceUID, ds.SOPInstanceUID,
                   str(tmp_path), ".dcm"):
        assert secret not in text

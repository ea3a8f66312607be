"""Helpers for the DICOM node tests: synthetic series, the dcmtk tools, a pynetdicom sender."""

from __future__ import annotations

import json
import os
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pydicom
from pydicom.dataset import FileDataset, FileMetaDataset
from pydicom.uid import ExplicitVRLittleEndian, RTStructureSetStorage, SegmentationStorage, generate_uid
from pynetdicom import AE

from tests.dicom.series import write_series

NODE_AE = "VOXTELL"
SCANNER_AE = "CT1"
TOOL_TIMEOUT_S = 30


def ct_series(folder: Path, slices: int = 10, *, seed: int = 0, study_uid: str | None = None,
              series_uid: str | None = None, size: int = 16) -> list[Path]:
    """A small CT series (``size`` x ``size`` x ``slices``, random HU) in ``folder``, one file per slice."""
    volume = np.random.default_rng(seed).integers(-1000, 1000, size=(size, size, slices)).astype(np.int16)
    files, _ = write_series(folder, volume, np.array([1.0, 0.0, 0.0]), np.array([0.0, 1.0, 0.0]),
                            (0.8, 0.8, 2.5), np.zeros(3), series_uid=series_uid, shuffle=False)
    if study_uid is not None:
        for path in files:
            ds = pydicom.dcmread(path)
            ds.StudyInstanceUID = study_uid
            ds.save_as(path, enforce_file_format=True)
    return files


def non_image(folder: Path, sop_class: str, modality: str, study_uid: str) -> Path:
    """A minimal object of a non-image SOP class (RTSTRUCT, SEG) in a study."""
    folder.mkdir(parents=True, exist_ok=True)
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = sop_class
    meta.MediaStorageSOPInstanceUID = generate_uid()
    meta.TransferSyntaxUID = ExplicitVRLittleEndian
    path = folder / f"{modality.lower()}.dcm"
    ds = FileDataset(str(path), {}, file_meta=meta, preamble=b"\0" * 128)
    ds.SOPClassUID, ds.SOPInstanceUID = sop_class, meta.MediaStorageSOPInstanceUID
    ds.StudyInstanceUID, ds.SeriesInstanceUID = study_uid, generate_uid()
    ds.Modality, ds.PatientName, ds.PatientID = modality, "Doe^Jane", "PHI-123"
    ds.save_as(str(path), enforce_file_format=True)
    return path


RTSTRUCT = (RTStructureSetStorage, "RTSTRUCT")
SEG = (SegmentationStorage, "SEG")


def echoscu(port: int, calling: str = SCANNER_AE, called: str = NODE_AE) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["echoscu", "-aet", calling, "-aec", called, "127.0.0.1", str(port)],
                          capture_output=True, text=True, timeout=TOOL_TIMEOUT_S)


def storescu(port: int, *paths: Path, calling: str = SCANNER_AE, options: tuple[str, ...] = ()
             ) -> subprocess.CompletedProcess[str]:
    """dcmtk's storescu sending files and folders (``+sd``) in one association."""
    return subprocess.run(["storescu", "-aet", calling, "-aec", NODE_AE, "+sd", *options, "127.0.0.1", str(port),
                           *map(str, paths)], capture_output=True, text=True, timeout=TOOL_TIMEOUT_S)


def scu(port: int, datasets: list[pydicom.Dataset], *, then: str = "release") -> list[int]:
    """Send ``datasets`` with pynetdicom in one association (in their own transfer syntaxes),
    then release or abort it."""
    ae = AE(ae_title=SCANNER_AE)
    for ds in datasets:
        ae.add_requested_context(ds.SOPClassUID, ds.file_meta.get("TransferSyntaxUID", ExplicitVRLittleEndian))
    assoc = ae.associate("127.0.0.1", port, ae_title=NODE_AE)
    assert assoc.is_established
    statuses = [int(assoc.send_c_store(ds).Status) for ds in datasets]
    assoc.abort() if then == "abort" else assoc.release()
    return statuses


def wait_for(predicate: Callable[[], object], timeout: float = 15.0, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def _names(folder: Path) -> list[str]:
    try:
        return os.listdir(folder)
    except (FileNotFoundError, NotADirectoryError):  # renamed or removed by the node meanwhile
        return []


def spooled(spool: Path) -> list[Path]:
    """Instance files of series being received (``series/``)."""
    folders = [spool / "series" / name for name in _names(spool / "series")]
    return sorted(folder / name for folder in folders for name in _names(folder) if name.endswith(".dcm"))


def pending(spool: Path) -> list[Path]:
    """Files under ``pending/`` (os.walk: folders the node removes meanwhile are skipped)."""
    return sorted(Path(root) / name for root, _, names in os.walk(spool / "pending") for name in names)


def series_records(spool: Path) -> list[dict[str, object]]:
    folders = sorted(spool / "series" / name for name in _names(spool / "series") if not name.startswith("."))
    return [json.loads((folder / "series.json").read_text()) for folder in folders]

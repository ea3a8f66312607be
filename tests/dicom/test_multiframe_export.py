"""Exports for a volume read from one multi-frame image reference its frames and land on them."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import numpy as np
import pydicom
import pytest
from skimage.draw import polygon

from tests.dicom.series import write_series
from tests.dicom.test_transfer_syntaxes import SHAPE, _multiframe
from voxtell.io.dicom import load_series, scan_series
from voxtell.io.dicom_export import save_source_headers, write_dicom_seg
from voxtell.io.rtstruct import write_rtstruct


@pytest.fixture(scope="module")
def multiframe(tmp_path_factory: pytest.TempPathFactory) -> tuple[list[Path], np.ndarray, list[np.ndarray]]:
    tmp = tmp_path_factory.mktemp("mf")
    files, _ = write_series(tmp / "s", np.zeros(SHAPE, np.int16), np.array([1.0, 0, 0]), np.array([0, -1.0, 0]),
                            (0.6, 0.8, 1.5), np.array([12.0, -40.0, 77.0]))
    target = _multiframe(files, tmp, None)
    loaded = load_series(scan_series([target])[0], max_voxels=10**6)
    headers = save_source_headers(loaded.source_files, tmp / "headers")
    assert len(headers) == 1
    i, j, k = np.indices(SHAPE)
    mask = ((i - 20) ** 2 / 100 + (j - 17) ** 2 / 64 + (k - 2) ** 2 / 4) < 1
    positions = np.asarray([loaded.image.affine @ [0, 0, n, 1] for n in range(SHAPE[2])])[:, :3] * [-1, -1, 1]
    return headers, mask, list(positions)  # positions: LPS of each sorted plane's first pixel


def _plane_of(positions: list[np.ndarray], point: np.ndarray) -> int:
    return int(np.argmin([np.linalg.norm(np.asarray(point, float) - p) for p in positions]))


def test_rtstruct_on_a_multiframe_image(tmp_path: Path, multiframe) -> None:  # type: ignore[no-untyped-def]
    headers, mask, positions = multiframe
    out = write_rtstruct([mask.astype(np.uint8)], ["organ"], headers, tmp_path / "rt.dcm")
    rt = pydicom.dcmread(str(out))
    refs = rt.ReferencedFrameOfReferenceSequence[0].RTReferencedStudySequence[0].RTReferencedSeriesSequence[0]
    assert sorted(int(i.ReferencedFrameNumber) for i in refs.ContourImageSequence) == list(range(1, SHAPE[2] + 1))
    source = pydicom.dcmread(str(headers[0]))
    frame_positions = [np.asarray(f.PlanePositionSequence[0].ImagePositionPatient, float)
                       for f in source.PerFrameFunctionalGroupsSequence]
    rebuilt = np.zeros(SHAPE, bool)
    for contour in rt.ROIContourSequence[0].ContourSequence:
        frame = int(contour.ContourImageSequence[0].ReferencedFrameNumber)
        k = _plane_of(positions, frame_positions[frame - 1])
        points = np.asarray(contour.ContourData, float).reshape(-1, 3) - positions[k]
        assert np.abs(points[:, 2]).max() < 1e-3, "on the plane of the frame it references"
        cols, rows = points[:, 0] / 0.6, -points[:, 1] / 0.8
        rr, cc = polygon(rows, cols, (SHAPE[1], SHAPE[0]))
        rebuilt[cc, rr, k] ^= True
    np.testing.assert_array_equal(rebuilt, mask)
    if shutil.which("dciodvfy"):
        run = subprocess.run(["dciodvfy", str(out)], capture_output=True, text=True, timeout=120)
        assert [x for x in (run.stdout + run.stderr).splitlines() if x.startswith("Error")] == []


def test_seg_on_a_multiframe_image(tmp_path: Path, multiframe) -> None:  # type: ignore[no-untyped-def]
    headers, mask, positions = multiframe
    seg = pydicom.dcmread(str(write_dicom_seg([mask.astype(np.uint8)], ["organ"], headers, tmp_path / "seg.dcm")))
    pixels = seg.pixel_array.reshape(-1, SHAPE[1], SHAPE[0])
    rebuilt = np.zeros(SHAPE, bool)
    for n, item in enumerate(seg.PerFrameFunctionalGroupsSequence):
        k = _plane_of(positions, item.PlanePositionSequence[0].ImagePositionPatient)
        rebuilt[:, :, k] |= pixels[n].T > 0
    np.testing.assert_array_equal(rebuilt, mask)

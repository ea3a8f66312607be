"""RTSTRUCT contours land on the source slices' patient-space voxels, in any orientation."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pydicom
import pytest
from skimage.draw import polygon

from tests.dicom.series import write_series
from voxtell.io.dicom import load_series, scan_series
from voxtell.io.dicom_export import save_source_headers
from voxtell.io.rtstruct import write_rtstruct

c, s = np.cos(0.4), np.sin(0.4)
GEOMETRIES = {
    "axial": (np.array([1.0, 0, 0]), np.array([0, 1.0, 0])),
    "sagittal": (np.array([0, 1.0, 0]), np.array([0, 0, -1.0])),
    "oblique": (np.array([c, s, 0]), np.array([-s, c, 0])),
}


def _rasterise(contour: np.ndarray, ds: pydicom.Dataset) -> tuple[np.ndarray, float]:
    """Patient-space polygon -> (rows, cols) mask on the slice; also the largest distance off-plane."""
    iop = np.asarray(ds.ImageOrientationPatient, float)
    d = contour - np.asarray(ds.ImagePositionPatient, float)
    row_spacing, col_spacing = (float(v) for v in ds.PixelSpacing)
    cols, rows = d @ iop[:3] / col_spacing, d @ iop[3:] / row_spacing
    off_plane = float(np.abs(d @ np.cross(iop[:3], iop[3:])).max())
    out = np.zeros((int(ds.Rows), int(ds.Columns)), bool)
    rr, cc = polygon(rows, cols, out.shape)
    out[rr, cc] = True
    return out, off_plane


@pytest.mark.parametrize("name", list(GEOMETRIES))
def test_rtstruct_round_trip(tmp_path: Path, name: str) -> None:
    shape = (24, 20, 8)
    files, uids = write_series(tmp_path / "s", np.zeros(shape, np.int16), *GEOMETRIES[name], (0.7, 0.9, 2.0),
                               np.array([-20.0, 10.0, 50.0]))
    loaded = load_series(scan_series(files)[0], max_voxels=10**6)
    headers = save_source_headers(loaded.source_files, tmp_path / "headers")
    i, j, k = np.indices(shape)
    ball = ((i - 11) ** 2 / 36 + (j - 9) ** 2 / 25 + (k - 4) ** 2 / 6) < 1  # (i, j, k) voxel order
    ring = ball & ~(((i - 11) ** 2 + (j - 9) ** 2) < 3)  # with a hole on some slices
    out = write_rtstruct([ball.astype(np.uint8), ring.astype(np.uint8)], ["liver", "cyst wall"], headers,
                         tmp_path / "rt.dcm")
    rt = pydicom.dcmread(str(out))
    assert rt.Modality == "RTSTRUCT" and [r.ROIName for r in rt.StructureSetROISequence] == ["liver", "cyst wall"]
    ref_series = rt.ReferencedFrameOfReferenceSequence[0].RTReferencedStudySequence[0].RTReferencedSeriesSequence[0]
    assert ref_series.SeriesInstanceUID == uids["series"]
    by_sop = {pydicom.dcmread(str(h)).SOPInstanceUID: (n, pydicom.dcmread(str(h))) for n, h in enumerate(headers)}
    for roi, mask in zip(rt.ROIContourSequence, (ball, ring)):
        rebuilt = np.zeros(shape, bool)
        for contour in roi.ContourSequence:
            k_index, ds = by_sop[contour.ContourImageSequence[0].ReferencedSOPInstanceUID]
            points = np.asarray(contour.ContourData, float).reshape(-1, 3)
            filled, off_plane = _rasterise(points, ds)
            assert off_plane < 1e-3, "contour points lie on their slice"
            rebuilt[:, :, k_index] ^= filled.T  # holes are separate contours (even-odd)
        dice = 2 * (rebuilt & mask).sum() / (rebuilt.sum() + mask.sum())
        assert dice > 0.9, dice
        # Every voxel deep inside the mask is inside a contour of its own slice.
        from scipy.ndimage import binary_erosion

        inner = binary_erosion(mask, np.ones((3, 3, 1), bool))
        assert rebuilt[inner].all()
        assert not rebuilt[binary_erosion(~mask, np.ones((3, 3, 1), bool))].any(), "nothing far outside"

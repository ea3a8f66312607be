"""Exported contours read back as the masks by two independent readers: the DICOM even-odd rule
on pixel centres, and rt-utils (rounds points to pixels, fills polygons with their outline)."""

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

rt_utils = pytest.importorskip("rt_utils")

SHAPE = (40, 40, 14)  # (i = column, j = row, k = slice); square: rt-utils mixes up rows and columns


def _shapes() -> dict[str, np.ndarray]:
    i, j, k = np.indices(SHAPE)
    ball = ((i - 19.3) ** 2 + (j - 17.6) ** 2 + (k - 6.8) ** 2) < 36  # r = 6 voxels
    el = np.zeros(SHAPE, bool)
    el[5:12, 4:30, 2:9] = True
    el[5:30, 22:30, 2:9] = True
    ring = np.zeros(SHAPE, bool)
    ring[8:32, 6:30, 3:11] = True
    ring[15:25, 13:23, 3:11] = False  # a square hole, empty in every reader
    return {"ball": ball, "L": el, "ring": ring}


def _dice(a: np.ndarray, b: np.ndarray) -> float:
    return float(2 * (a & b).sum() / (a.sum() + b.sum()))


def _even_odd(rt: pydicom.Dataset, number: int, headers: list[pydicom.Dataset]) -> tuple[np.ndarray, list[float]]:
    """ROI ``number`` rasterised on pixel centres, even-odd per slice; also each contour's area (pixels)."""
    by_sop = {str(h.SOPInstanceUID): (k, h) for k, h in enumerate(headers)}
    out = np.zeros(SHAPE, bool)
    areas = np.zeros(SHAPE[2])
    [roi] = [r for r in rt.ROIContourSequence if r.ReferencedROINumber == number]
    for contour in roi.ContourSequence:
        k, ds = by_sop[contour.ContourImageSequence[0].ReferencedSOPInstanceUID]
        points = np.asarray(contour.ContourData, float).reshape(-1, 3) - np.asarray(ds.ImagePositionPatient, float)
        iop = np.asarray(ds.ImageOrientationPatient, float)
        cols, rows = points @ iop[:3] / float(ds.PixelSpacing[1]), points @ iop[3:] / float(ds.PixelSpacing[0])
        rr, cc = polygon(rows, cols, (SHAPE[1], SHAPE[0]))
        out[cc, rr, k] ^= True
        areas[k] += 0.5 * (cols @ np.roll(rows, 1) - rows @ np.roll(cols, 1))  # signed: holes subtract
    return out, list(np.abs(areas))


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, list[pydicom.Dataset]]:
    tmp = tmp_path_factory.mktemp("readers")
    files, _ = write_series(tmp / "series", np.zeros(SHAPE, np.int16), np.array([1.0, 0, 0]), np.array([0, 1.0, 0]),
                            (0.75, 0.75, 2.5), np.array([-30.0, 12.0, 40.0]))  # rt-utils swaps anisotropic pixel spacing
    loaded = load_series(scan_series(files)[0], max_voxels=10**6)
    headers = save_source_headers(loaded.source_files, tmp / "headers")
    shapes = _shapes()
    out = write_rtstruct([m.astype(np.uint8) for m in shapes.values()], list(shapes), headers, tmp / "rt.dcm")
    return tmp / "series", out, [pydicom.dcmread(str(h)) for h in headers]


@pytest.mark.parametrize("name", ["ball", "L", "ring"])
def test_rt_utils_reads_the_masks_back(exported: tuple[Path, Path, list[pydicom.Dataset]], name: str) -> None:
    series, out, _ = exported
    rt = rt_utils.RTStructBuilder.create_from(dicom_series_path=str(series), rt_struct_path=str(out))
    mask = _shapes()[name]
    read = np.asarray(rt.get_roi_mask_by_name(name), bool).transpose(1, 0, 2)  # it gives (row, column, slice)
    assert read.shape == SHAPE
    assert _dice(read, mask) >= 0.99, _dice(read, mask)
    if name == "ring":
        assert not read[15:25, 13:23, 3:11].any(), "the hole stays empty"


@pytest.mark.parametrize(("number", "name"), [(1, "ball"), (2, "L"), (3, "ring")])
def test_even_odd_on_pixel_centres_reads_the_masks_back(exported: tuple[Path, Path, list[pydicom.Dataset]],
                                                        number: int, name: str) -> None:
    _, out, headers = exported
    rt = pydicom.dcmread(str(out))
    mask = _shapes()[name]
    read, areas = _even_odd(rt, number, headers)
    assert _dice(read, mask) >= 0.99, _dice(read, mask)
    counts = mask.sum(axis=(0, 1))
    for k, (area, count) in enumerate(zip(areas, counts)):
        if count >= 25:  # the polygons enclose the mask's pixel squares, less a sliver inside their edges
            assert abs(area - count) <= 0.06 * count, (k, area, count)
    assert abs(sum(areas) - counts.sum()) <= 0.03 * counts.sum()


def test_contour_points_are_off_the_pixel_edges(exported: tuple[Path, Path, list[pydicom.Dataset]]) -> None:
    """No point on an x.5 tie (where rounding readers disagree), every DS value at most 16 bytes."""
    _, out, headers = exported
    rt = pydicom.dcmread(str(out))
    ds = headers[0]
    for roi in rt.ROIContourSequence:
        for contour in roi.ContourSequence:
            assert all(len(str(v)) <= 16 for v in contour["ContourData"].value)
            points = np.asarray(contour.ContourData, float).reshape(-1, 3) - np.asarray(ds.ImagePositionPatient, float)
            pixel = np.stack([points[:, 0] / float(ds.PixelSpacing[1]), points[:, 1] / float(ds.PixelSpacing[0])])
            assert np.abs(np.abs(pixel - np.floor(pixel)) - 0.5).min() > 0.01


def _no_un(ds: pydicom.Dataset) -> None:
    for element in ds.iterall():
        assert element.VR != "UN", element.tag


@pytest.mark.parametrize("jagged", [False, True])
def test_large_contours_are_never_un(tmp_path: Path, jagged: bool) -> None:
    """A disc of radius 200 on a 512 x 512 slice; with a comb of 1-pixel teeth round a square its
    contour is beyond the 64 KB of an explicit-VR length, and the file is Implicit VR."""
    shape = (512, 512, 2)
    files, _ = write_series(tmp_path / "s", np.zeros(shape, np.int16), np.array([1.0, 0, 0]), np.array([0, 1.0, 0]),
                            (0.683, 0.683, 3.0), np.array([-175.0, -175.0, 0.0]), shuffle=False)
    i, j = np.indices(shape[:2])
    if jagged:
        disc = (i >= 10) & (i < 502) & (j >= 10) & (j < 502)
        for a, b in ((i, j), (j, i)):  # 1-pixel teeth every other pixel along the four sides
            disc |= (((a >= 4) & (a < 10)) | ((a >= 502) & (a < 508))) & (b >= 10) & (b < 502) & (b % 2 == 0)
    else:
        disc = (i - 255.5) ** 2 + (j - 250.2) ** 2 < 200**2
    mask = np.zeros(shape, np.uint8)
    mask[:, :, 0] = disc
    out = write_rtstruct([mask], ["organ"], files, tmp_path / "rt.dcm")
    replace = pydicom.config.replace_un_with_known_vr
    pydicom.config.replace_un_with_known_vr = False  # see the VRs as stored
    try:
        rt = pydicom.dcmread(str(out))
        _no_un(rt)
    finally:
        pydicom.config.replace_un_with_known_vr = replace
    assert str(rt.file_meta.TransferSyntaxUID) == ("1.2.840.10008.1.2" if jagged else "1.2.840.10008.1.2.1")
    assert max(len(c["ContourData"].value) for c in rt.ROIContourSequence[0].ContourSequence) > (
        65534 // 16 if jagged else 0)
    read = rt_utils.RTStructBuilder.create_from(dicom_series_path=str(tmp_path / "s"), rt_struct_path=str(out))
    got = np.asarray(read.get_roi_mask_by_name("organ"), bool).transpose(1, 0, 2)
    assert _dice(got, mask > 0) >= 0.99, _dice(got, mask > 0)

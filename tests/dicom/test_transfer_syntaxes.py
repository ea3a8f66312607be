"""A series reads as the same voxels and geometry in every transfer syntax a modality sends and
as an enhanced / legacy-converted multi-frame image; what cannot be decoded is named in words."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import numpy as np
import pydicom
import pytest
from pydicom.encaps import encapsulate
from pydicom.uid import DeflatedExplicitVRLittleEndian, ImplicitVRLittleEndian, JPEG2000Lossless, RLELossless

from tests.dicom.series import write_series
from voxtell.errors import InvalidInputError
from voxtell.io.dicom import DicomVolume, load_series, scan_series

SHAPE = (40, 36, 5)  # (i = column, j = row, k = slice); JPEG 2000 needs >= 32 pixels a side
ROW_DIR, COL_DIR = np.array([0, 1.0, 0]), np.array([0, 0, -1.0])  # sagittal: the affine is not diagonal
DCMTK = {  # name: (command, transfer syntax it must produce)
    "JPEG Lossless SV1 (dcmcjpeg)": (["dcmcjpeg", "+e1"], "1.2.840.10008.1.2.4.70"),
    "JPEG Lossless Process 14 (dcmcjpeg)": (["dcmcjpeg", "+el"], "1.2.840.10008.1.2.4.57"),
    "JPEG-LS Lossless (dcmcjpls)": (["dcmcjpls", "+el"], "1.2.840.10008.1.2.4.80"),
    "RLE Lossless (dcmcrle)": (["dcmcrle"], "1.2.840.10008.1.2.5"),
}


@pytest.fixture(scope="module")
def original(tmp_path_factory: pytest.TempPathFactory) -> tuple[list[Path], DicomVolume]:
    values = np.random.default_rng(7).integers(-2048, 3000, SHAPE).astype(np.int16)  # stored values go negative
    files, _ = write_series(tmp_path_factory.mktemp("plain") / "s", values, ROW_DIR, COL_DIR, (0.6, 0.8, 1.5),
                            np.array([12.0, -40.0, 77.0]))
    loaded = load_series(scan_series(files)[0], max_voxels=10**6)
    np.testing.assert_array_equal(np.asarray(loaded.image.dataobj), values.astype(np.float32))
    return files, loaded


def _same(loaded: DicomVolume, reference: DicomVolume) -> None:
    np.testing.assert_array_equal(np.asarray(loaded.image.dataobj), np.asarray(reference.image.dataobj))
    np.testing.assert_allclose(loaded.image.affine, reference.image.affine, atol=1e-6)


@pytest.mark.parametrize("name", list(DCMTK))
def test_dcmtk_compressed_series_read_the_same(tmp_path: Path, original, name: str) -> None:  # type: ignore[no-untyped-def]
    command, syntax = DCMTK[name]
    if shutil.which(command[0]) is None:
        pytest.skip(f"{command[0]} is not installed (make dicom-tools)")
    files, reference = original
    out = []
    for n, f in enumerate(files):
        target = tmp_path / f"{n}.dcm"
        subprocess.run([*command, str(f), str(target)], check=True, capture_output=True, timeout=60)
        out.append(target)
    assert str(pydicom.dcmread(str(out[0]), stop_before_pixels=True).file_meta.TransferSyntaxUID) == syntax
    _same(load_series(scan_series(out)[0], max_voxels=10**6), reference)


@pytest.mark.parametrize("syntax", [JPEG2000Lossless, RLELossless, DeflatedExplicitVRLittleEndian,
                                    ImplicitVRLittleEndian], ids=lambda s: s.name)
def test_pydicom_encoded_series_read_the_same(tmp_path: Path, original, syntax: pydicom.uid.UID) -> None:  # type: ignore[no-untyped-def]
    files, reference = original
    out = []
    for n, f in enumerate(files):
        ds = pydicom.dcmread(str(f))
        if syntax.is_compressed:
            ds.compress(syntax)
        else:
            ds.file_meta.TransferSyntaxUID = syntax
        target = tmp_path / f"{n}.dcm"
        ds.save_as(str(target), implicit_vr=syntax == ImplicitVRLittleEndian, little_endian=True,
                   enforce_file_format=True)
        out.append(target)
    assert pydicom.dcmread(str(out[0]), stop_before_pixels=True).file_meta.TransferSyntaxUID == syntax
    _same(load_series(scan_series(out)[0], max_voxels=10**6), reference)


def test_undecodable_pixel_data_is_named_in_words(tmp_path: Path, original) -> None:  # type: ignore[no-untyped-def]
    files, _ = original
    out = []
    for n, f in enumerate(files):
        ds = pydicom.dcmread(str(f))
        ds.file_meta.TransferSyntaxUID = "1.2.840.10008.1.2.4.70"
        ds.PixelData = encapsulate([b"\xff\xd8\xff\xc3 not a JPEG stream \xff\xd9"])
        target = tmp_path / f"{n}.dcm"
        ds.save_as(str(target), enforce_file_format=True)
        out.append(target)
    with pytest.raises(InvalidInputError) as caught:
        load_series(scan_series(out)[0], max_voxels=10**6)
    message = str(caught.value)
    assert "JPEG Lossless, Process 14 SV1 (1.2.840.10008.1.2.4.70) cannot be decoded here" in message
    assert "Error" not in message and "Exception" not in message


def _multiframe(files: list[Path], tmp_path: Path, sop_class: str | None) -> Path:
    from highdicom import UID
    from highdicom.legacy import LegacyConvertedEnhancedCTImage

    datasets = [pydicom.dcmread(str(f)) for f in files]
    for ds in datasets:  # attributes the converter copies and the synthetic slices lack
        ds.StudyDate, ds.StudyTime, ds.AccessionNumber, ds.ReferringPhysicianName = "20240101", "120000", "", ""
        ds.PatientBirthDate, ds.PatientSex, ds.StudyID, ds.Manufacturer = "", "", "1", "test"
        ds.SliceThickness, ds.KVP = 1.5, 120
    image = LegacyConvertedEnhancedCTImage(legacy_datasets=datasets, series_instance_uid=UID(), series_number=7,
                                           sop_instance_uid=UID(), instance_number=1)
    if sop_class:  # the reader follows the functional groups, whichever enhanced class holds them
        image.SOPClassUID = image.file_meta.MediaStorageSOPClassUID = sop_class
    target = tmp_path / "multiframe.dcm"
    image.save_as(str(target))
    return target


@pytest.mark.parametrize("sop_class", [None, "1.2.840.10008.5.1.4.1.1.2.1", "1.2.840.10008.5.1.4.1.1.4.1"],
                         ids=["legacy converted enhanced CT", "enhanced CT", "enhanced MR"])
def test_multiframe_images_read_the_same(tmp_path: Path, original, sop_class: str | None) -> None:  # type: ignore[no-untyped-def]
    files, reference = original
    target = _multiframe(files, tmp_path, sop_class)
    [series] = scan_series([target])
    assert series.slices == SHAPE[2] and (series.columns, series.rows) == SHAPE[:2]
    loaded = load_series(series, max_voxels=10**6)
    _same(loaded, reference)
    assert loaded.source_files == (target,) and len(set(loaded.sop_instance_uids)) == 1
    assert len(loaded.sop_instance_uids) == SHAPE[2]


def test_multiframe_per_frame_rescale(tmp_path: Path, original) -> None:  # type: ignore[no-untyped-def]
    """Rescale in each frame's PixelValueTransformationSequence (not shared) is applied per frame."""
    files, reference = original
    target = _multiframe(files, tmp_path, None)
    ds = pydicom.dcmread(str(target))
    shared = ds.SharedFunctionalGroupsSequence[0]
    transform = shared.get("PixelValueTransformationSequence") or ds.PerFrameFunctionalGroupsSequence[0].get(
        "PixelValueTransformationSequence")
    if "PixelValueTransformationSequence" in shared:
        del shared.PixelValueTransformationSequence
    for n, item in enumerate(ds.PerFrameFunctionalGroupsSequence):
        copy = pydicom.Dataset()
        copy.RescaleSlope, copy.RescaleIntercept = 2.0, float(transform[0].RescaleIntercept) - n
        copy.RescaleType = "US"
        item.PixelValueTransformationSequence = pydicom.Sequence([copy])
    ds.save_as(str(target))
    loaded = load_series(scan_series([target])[0], max_voxels=10**6)
    positions = [np.asarray(i.PlanePositionSequence[0].ImagePositionPatient, float)
                 for i in ds.PerFrameFunctionalGroupsSequence]
    normal = np.cross(ROW_DIR, COL_DIR)
    order = np.argsort([p @ normal for p in positions])
    stored = np.asarray(reference.image.dataobj) - float(transform[0].RescaleIntercept)
    expected = np.stack([stored[:, :, k] * 2.0 + float(transform[0].RescaleIntercept) - order[k]
                         for k in range(SHAPE[2])], axis=2)
    np.testing.assert_array_equal(np.asarray(loaded.image.dataobj), expected)
